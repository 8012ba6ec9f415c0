#include "services/poll/poll_service.hpp"

#include <algorithm>
#include <utility>
#include <variant>
#include <vector>

#include "core/ids.hpp"

namespace taxii::services {
namespace {

using storage::BindingFilter;
using storage::ScanQuery;

// ResultSet::request is opaque to the store; we keep the content-binding filter there, one
// entry per line, subtypes after tabs, with %, tab and newline percent-encoded.
constexpr std::string_view kFilterFormat = "taxiid-poll-filter-1";

void put_escaped(std::string& out, std::string_view s) {
  for (char ch : s) {
    if (ch == '%') out += "%25";
    else if (ch == '\t') out += "%09";
    else if (ch == '\n') out += "%0A";
    else out += ch;
  }
}

std::string unescape(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      const std::string_view code = s.substr(i + 1, 2);
      if (code == "25") { out += '%'; i += 2; continue; }
      if (code == "09") { out += '\t'; i += 2; continue; }
      if (code == "0A") { out += '\n'; i += 2; continue; }
    }
    out += s[i];
  }
  return out;
}

std::string encode_filter(const std::vector<BindingFilter>& filters) {
  std::string out(kFilterFormat);
  out += '\n';
  for (const auto& f : filters) {
    put_escaped(out, f.binding_id);
    for (const auto& st : f.subtypes) {
      out += '\t';
      put_escaped(out, st);
    }
    out += '\n';
  }
  return out;
}

std::optional<std::vector<BindingFilter>> decode_filter(std::string_view s) {
  std::vector<std::string_view> lines;
  while (!s.empty()) {
    const std::size_t nl = s.find('\n');
    lines.push_back(s.substr(0, nl));
    s = nl == std::string_view::npos ? std::string_view{} : s.substr(nl + 1);
  }
  if (lines.empty() || lines[0] != kFilterFormat) return std::nullopt;
  std::vector<BindingFilter> out;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    BindingFilter f;
    std::string_view line = lines[i];
    bool first = true;
    while (true) {
      const std::size_t tab = line.find('\t');
      std::string field = unescape(line.substr(0, tab));
      if (first) f.binding_id = std::move(field);
      else f.subtypes.push_back(std::move(field));
      first = false;
      if (tab == std::string_view::npos) break;
      line = line.substr(tab + 1);
    }
    out.push_back(std::move(f));
  }
  return out;
}

v11::ContentBlock to_block(const storage::StoredBlock& b) {
  v11::ContentBlock cb;
  cb.binding_id = b.binding_id;
  cb.subtype = b.subtype;
  cb.content.xml = b.content;
  cb.timestamp_label = b.label;
  cb.message = b.message;
  return cb;
}

uint64_t max_part(const storage::ResultSet& rs) {
  if (rs.total_count == 0 || rs.part_size == 0) return 1;
  return (rs.total_count + rs.part_size - 1) / rs.part_size;
}

}  // namespace

PollService::PollService(std::shared_ptr<const Topology> topology, storage::Store& store,
                         std::string service_id, PollOptions options)
    : topology_(std::move(topology)), store_(store), id_(std::move(service_id)), options_(options) {
  if (options_.part_size == 0) options_.part_size = 1;
}

Result<Message> PollService::handle(const Message& request, const RequestContext& ctx) {
  if (const auto* r = std::get_if<v11::PollRequest>(&request)) return poll(*r, ctx);
  return fulfil(std::get<v11::PollFulfillment>(request));
}

Result<const CollectionInfo*> PollService::served(const std::string& name) const {
  for (const CollectionInfo* c : topology_->polled_by(id_))
    if (c->name == name) return c;
  return Error::not_found("this Poll service has no collection named " + name, name);
}

void PollService::expire_old_results() {
  const int64_t now = Timestamp::now().micros();
  int64_t last = last_expiry_.load();
  constexpr int64_t kEveryMicros = 60'000'000;
  if (now - last < kEveryMicros || !last_expiry_.compare_exchange_strong(last, now)) return;
  auto dropped = store_.expire_result_sets(
      Timestamp::from_micros(now - options_.result_ttl_seconds * 1'000'000));
  (void)dropped;  // best effort; a failure shows in the store's own log
}

Result<Message> PollService::poll(const v11::PollRequest& r, const RequestContext& ctx) {
  auto found = served(r.collection_name);
  if (!found.ok()) return found.error();
  const CollectionInfo& c = **found;
  if (r.subscription_id)
    return Error::not_found("no subscription " + *r.subscription_id + " (subscriptions are not supported yet)",
                            *r.subscription_id);
  if (!r.poll_parameters) return Error::bad_message("Poll_Request: neither Subscription_ID nor Poll_Parameters");
  const v11::PollParameters& p = *r.poll_parameters;
  if (p.query)
    return Error{StatusType::UnsupportedQuery, "this Poll service does not support queries"};

  // Services 1.1 §4.4.8: Content_Binding filter; none means all.
  std::vector<BindingFilter> filters;
  bool any_supported = c.accepted_bindings.empty();
  for (const auto& b : p.content_bindings) {
    filters.push_back({b.binding_id, b.subtypes});
    if (!any_supported) {
      if (b.subtypes.empty()) any_supported = binding_accepted(c.accepted_bindings, b.binding_id, std::nullopt);
      for (const auto& st : b.subtypes) any_supported = any_supported || binding_accepted(c.accepted_bindings, b.binding_id, st);
    }
  }
  if (!p.content_bindings.empty() && !any_supported) {
    Error e{StatusType::UnsupportedContent,
            "collection " + c.name + " holds none of the requested content bindings"};
    for (const auto& id : binding_ids(c.accepted_bindings))
      e.with_detail(std::string(detail_name::kSupportedContent), id);
    return e;
  }

  const bool v10 = ctx.requested_version == Version::V10;
  // 1.0 knows only feeds (PROTOCOL.md §10.3): poll every collection like one for 1.0 clients.
  const bool feed = c.type == v11::CollectionType::DataFeed || v10;
  std::optional<Timestamp> after;
  std::optional<Timestamp> until;
  if (feed) {
    after = r.exclusive_begin;
    until = r.inclusive_end;
    if (after && until && *until <= *after)
      return Error::bad_message("Poll_Request: Inclusive_End_Timestamp is not later than Exclusive_Begin_Timestamp");
  }
  // Services 1.1 §5.2.2.2: state a range the answer is complete for; never beyond the newest
  // label, so a client continuing from the stated end misses nothing added later.
  auto latest = store_.latest_label(c.name);
  if (!latest.ok()) return latest.error();
  Timestamp bound = latest->value_or(after.value_or(Timestamp::from_micros(0)));
  if (after && *after > bound) bound = *after;
  const Timestamp end = until && *until < bound ? *until : bound;

  ScanQuery q{c.name, after, end, filters, 0};
  auto total = store_.count(q);
  if (!total.ok()) return total.error();

  v11::PollResponse out;
  out.collection_name = c.name;
  if (feed) {
    out.exclusive_begin = after;
    out.inclusive_end = end;
  }
  out.record_count = v11::RecordCount{*total, false};
  if (p.response_type == v11::ResponseType::CountOnly) return Message(std::move(out));

  std::optional<Timestamp> last;
  const bool split = *total > options_.part_size;
  if (split) q.limit = options_.part_size;
  auto scanned = store_.scan(q, [&](const storage::StoredBlock& b) {
    out.content_blocks.push_back(to_block(b));
    last = b.label;
    return true;
  });
  if (!scanned.ok()) return scanned.error();
  if (!split) return Message(std::move(out));

  if (v10) {
    // 1.0 has no multi-part: narrow the stated range to what this answer holds.
    out.inclusive_end = last;
    out.record_count.reset();
    return Message(std::move(out));
  }

  // Services 1.1 §3.6.1: persist the result set so any part can be fetched later.
  expire_old_results();
  storage::ResultSet rs;
  rs.result_id = "urn:uuid:" + generate_uuid();
  rs.collection = c.name;
  rs.request = encode_filter(filters);
  rs.total_count = *total;
  rs.part_size = options_.part_size;
  rs.after = after;
  rs.until = end;
  rs.created = Timestamp::now();
  if (auto s = store_.put_result_set(rs); !s.ok()) return s.error();
  if (auto s = store_.put_result_part(rs.result_id, {1, after, last}); !s.ok()) return s.error();
  out.more = true;
  out.result_id = rs.result_id;
  out.result_part_number = 1;
  return Message(std::move(out));
}

Result<Message> PollService::fulfil(const v11::PollFulfillment& f) {
  auto found = served(f.collection_name);
  if (!found.ok()) return found.error();
  const CollectionInfo& c = **found;
  auto got = store_.get_result_set(f.result_id);
  if (!got.ok()) return got.error();
  if (!*got || (*got)->collection != c.name)
    return Error::not_found("no result set " + f.result_id + " for collection " + c.name +
                                " (unknown or expired)",
                            f.result_id);
  const storage::ResultSet& rs = **got;
  const uint64_t parts = max_part(rs);
  if (f.result_part_number == 0 || f.result_part_number > parts) {
    Error e{StatusType::InvalidResponsePart, "result " + rs.result_id + " has parts 1 to " + std::to_string(parts)};
    e.with_detail(std::string(detail_name::kMaxPartNumber), std::to_string(parts));
    return e;
  }
  auto filters = decode_filter(rs.request);
  if (!filters) return Error::failure("stored result set " + rs.result_id + " is unreadable");

  // Find where the wanted part starts: the last label of the part before it. Walk forward
  // from the nearest recorded part, recording each boundary found (memory stays flat).
  const uint64_t want = f.result_part_number;
  storage::ResultPart prev{0, std::nullopt, rs.after};  // "part 0" ends where the result begins
  for (uint64_t k = want - 1; k >= 1; --k) {
    auto p = store_.get_result_part(rs.result_id, k);
    if (!p.ok()) return p.error();
    if (*p) {
      prev = **p;
      break;
    }
  }
  while (prev.part_number + 1 < want) {
    ScanQuery q{c.name, prev.last_label, rs.until, *filters, rs.part_size};
    std::optional<Timestamp> last;
    auto s = store_.scan(q, [&](const storage::StoredBlock& b) {
      last = b.label;
      return true;
    });
    if (!s.ok()) return s.error();
    if (!last) return Error::failure("result set " + rs.result_id + " no longer matches the collection");
    storage::ResultPart next{prev.part_number + 1, prev.last_label, last};
    if (auto w = store_.put_result_part(rs.result_id, next); !w.ok()) return w.error();
    prev = next;
  }

  v11::PollResponse out;
  out.collection_name = c.name;
  out.result_id = rs.result_id;
  out.result_part_number = want;
  out.more = want < parts;
  if (c.type == v11::CollectionType::DataFeed) {
    out.exclusive_begin = rs.after;
    out.inclusive_end = rs.until;
  }
  out.record_count = v11::RecordCount{rs.total_count, false};
  ScanQuery q{c.name, prev.last_label, rs.until, *filters, rs.part_size};
  std::optional<Timestamp> last;
  auto s = store_.scan(q, [&](const storage::StoredBlock& b) {
    out.content_blocks.push_back(to_block(b));
    last = b.label;
    return true;
  });
  if (!s.ok()) return s.error();
  auto w = store_.put_result_part(rs.result_id, {want, prev.last_label, last});
  if (!w.ok()) return w.error();
  return Message(std::move(out));
}

}  // namespace taxii::services
