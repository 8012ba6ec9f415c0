#include "services/poll/poll_service.hpp"

#include <algorithm>
#include <utility>
#include <variant>
#include <vector>

#include "core/ids.hpp"
#include "services/poll/async_poll.hpp"
#include "services/push/push_address.hpp"
#include "services/query/query_support.hpp"
#include "services/subscriptions/subscription_codec.hpp"

namespace taxii::services {

// What one Poll_Request asks for, from its Poll_Parameters or its subscription.
struct PollService::Plan {
  const CollectionInfo* collection = nullptr;
  std::vector<storage::BindingFilter> filters;
  bool count_only = false;
  bool feed = true;   // windows honoured, timestamps answered
  bool v10 = false;
  std::optional<Timestamp> after, until;  // the requested window
  std::optional<std::string> subscription_id;
  bool allow_asynch = false;
  std::optional<v11::PushParameters> delivery;
  std::optional<v11::Query> query;  // compiled into pred once per request (issue #10)
  PredicatePtr pred;
};

namespace {

using storage::BindingFilter;
using storage::ScanQuery;

uint64_t max_part(const storage::ResultSet& rs) {
  if (rs.total_count == 0 || rs.part_size == 0) return 1;
  return (rs.total_count + rs.part_size - 1) / rs.part_size;
}

// Services 1.1 §4.4.8: none of the requested bindings held by the collection ->
// UNSUPPORTED_CONTENT with SUPPORTED_CONTENT details.
Status check_bindings(const std::vector<v11::ContentBinding>& wanted, const CollectionInfo& c) {
  bool any_supported = c.accepted_bindings.empty();
  for (const auto& b : wanted) {
    if (any_supported) break;
    if (b.subtypes.empty()) any_supported = binding_accepted(c.accepted_bindings, b.binding_id, std::nullopt);
    for (const auto& st : b.subtypes)
      any_supported = any_supported || binding_accepted(c.accepted_bindings, b.binding_id, st);
  }
  if (wanted.empty() || any_supported) return ok_status();
  Error e{StatusType::UnsupportedContent, "collection " + c.name + " holds none of the requested content bindings"};
  for (const auto& id : binding_ids(c.accepted_bindings))
    e.with_detail(std::string(detail_name::kSupportedContent), id);
  return e;
}

}  // namespace

PollService::PollService(std::shared_ptr<const Topology> topology, Stores store, std::string service_id,
                         PollOptions options, std::function<void()> on_async, Plugins plugins, const Clock& clock)
    : topology_(std::move(topology)),
      store_(store),
      id_(std::move(service_id)),
      options_(options),
      on_async_(std::move(on_async)),
      plugins_(plugins),
      clock_(clock) {
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
  const int64_t now = clock_.now().micros();
  int64_t last = last_expiry_.load();
  constexpr int64_t kEveryMicros = 60'000'000;
  if (now - last < kEveryMicros || !last_expiry_.compare_exchange_strong(last, now)) return;
  const int64_t ttl = options_.result_ttl_seconds * 1'000'000;
  // Best effort; a failure shows in the store's own log. An asynchronous result's record
  // outlives its content by one more TTL, so that a late Poll_Fulfillment learns it expired
  // (ASYNCHRONOUS_POLL_ERROR) rather than that it never existed.
  (void)store_.results().expire_result_sets(Timestamp::from_micros(now - ttl));
  (void)store_.results().expire_async_results(Timestamp::from_micros(now - 2 * ttl));
}

Result<Message> PollService::poll(const v11::PollRequest& r, const RequestContext& ctx) {
  auto found = served(r.collection_name);
  if (!found.ok()) return found.error();
  Plan plan;
  plan.collection = *found;
  const CollectionInfo& c = **found;
  plan.v10 = ctx.requested_version == Version::V10;
  // 1.0 knows only feeds (docs/spec-notes.md M): poll every collection like one for 1.0 clients.
  plan.feed = c.type == v11::CollectionType::DataFeed || plan.v10;
  if (plan.feed) {
    plan.after = r.exclusive_begin;
    plan.until = r.inclusive_end;
    if (plan.after && plan.until && *plan.until <= *plan.after)
      return Error::bad_message("Poll_Request: Inclusive_End_Timestamp is not later than Exclusive_Begin_Timestamp");
  }

  if (r.subscription_id) {
    // Services 1.1 §4.4.8: poll in the context of a subscription; its parameters apply.
    const std::string& id = *r.subscription_id;
    auto sub = store_.subscriptions().get_subscription(id);
    if (!sub.ok()) return sub.error();
    if (!*sub || (*sub)->collection != c.name || (*sub)->owner != ctx.identity)
      return Error::not_found("no subscription " + id + " to collection " + c.name, id);
    const auto params = decode_parameters((*sub)->parameters);
    if (!params) return Error::failure("subscription " + id + " has unreadable parameters");
    // The subscription's query was checked when it was made (subscription_manager.hpp).
    auto pred = compile_stored_query(plugins_.queries, params->query, "subscription " + id);
    if (!pred.ok()) return pred.error();
    plan.query = params->query;
    plan.pred = std::move(pred).value();
    plan.filters = to_filters(params->content_bindings);
    plan.count_only = params->response_type == v11::ResponseType::CountOnly;
    plan.subscription_id = id;
    // Since the last delivery: the end stated to the previous poll (docs/subscriptions.md).
    if (!plan.after) plan.after = (*sub)->poll_cursor;
    return answer(plan);
  }

  if (!r.poll_parameters) return Error::bad_message("Poll_Request: neither Subscription_ID nor Poll_Parameters");
  const v11::PollParameters& p = *r.poll_parameters;
  if (p.query) {
    // Services 1.1 §5.5: compiled once per request; evaluated per block while streaming.
    auto pred = QuerySupport(plugins_, topology_->find_service(id_)).compile(*p.query);
    if (!pred.ok()) return pred.error();
    plan.query = p.query;
    plan.pred = std::move(pred).value();
  }
  if (auto b = check_bindings(p.content_bindings, c); !b.ok()) return b.error();
  plan.filters = to_filters(p.content_bindings);
  plan.count_only = p.response_type == v11::ResponseType::CountOnly;
  plan.allow_asynch = p.allow_asynch && !plan.v10;
  // Services 1.1 §4.4.8: delivery parameters we cannot use are ignored, never an error.
  if (plan.allow_asynch && p.delivery_parameters &&
      check_push_parameters(*p.delivery_parameters, !plan.feed, "Delivery_Parameters").ok())
    plan.delivery = p.delivery_parameters;
  return answer(plan);
}

Result<Message> PollService::answer(const Plan& plan) {
  const CollectionInfo& c = *plan.collection;
  // Services 1.1 §5.2.2.2: state a range the answer is complete for; never beyond the newest
  // label, so a client continuing from the stated end misses nothing added later.
  auto latest = store_.content().latest_label(c.name);
  if (!latest.ok()) return latest.error();
  Timestamp bound = latest->value_or(plan.after.value_or(Timestamp::from_micros(0)));
  if (plan.after && *plan.after > bound) bound = *plan.after;
  const ScanWindow window{plan.after, plan.until && *plan.until < bound ? *plan.until : bound};

  const ScanQuery q{c.name, window.after, window.until, plan.filters, 0};
  auto candidates = store_.content().count(q);
  if (!candidates.ok()) return candidates.error();
  // *With a query the asynchronous decision is taken on the candidates (an upper bound of the
  // matches): evaluating them is the work an asynchronous poll defers.
  if (plan.allow_asynch && *candidates >= options_.async_threshold) return accept_async(plan, window, *candidates);

  auto first = first_part(plan, q, *candidates);
  if (!first.ok()) return first.error();
  const uint64_t total = first->total;
  std::optional<Timestamp> last = first->last;

  v11::PollResponse out;
  out.collection_name = c.name;
  out.subscription_id = plan.subscription_id;
  if (plan.feed) {
    out.exclusive_begin = window.after;
    out.inclusive_end = window.until;
  }
  out.record_count = v11::RecordCount{total, false};
  Timestamp through = window.until;  // what this answer covers, for the subscription's cursor
  const auto finish = [&](Message m) -> Result<Message> {
    if (plan.subscription_id) {
      auto s = store_.subscriptions().advance_poll_cursor(*plan.subscription_id, through);
      if (!s.ok()) return s.error();
    }
    return m;
  };
  if (plan.count_only) return finish(Message(std::move(out)));

  out.content_blocks = std::move(first->blocks);
  const bool split = total > options_.part_size;
  if (!split) return finish(Message(std::move(out)));

  if (plan.v10) {
    // 1.0 has no multi-part: narrow the stated range to what this answer holds.
    out.inclusive_end = last;
    out.record_count.reset();
    if (last) through = *last;
    return finish(Message(std::move(out)));
  }

  // Services 1.1 §3.6.1: persist the result set so any part can be fetched later.
  auto result_id = persist_result(plan, window, total, last);
  if (!result_id.ok()) return result_id.error();
  out.more = true;
  out.result_id = std::move(result_id).value();
  out.result_part_number = 1;
  return finish(Message(std::move(out)));
}

// The matching blocks: without a query the store counts them and returns the first part;
// with one, a single pass evaluates each candidate once, counts every match and keeps the
// first part (memory: one part).
Result<PollService::FirstPart> PollService::first_part(const Plan& plan, ScanQuery q, uint64_t candidates) {
  FirstPart f;
  f.total = candidates;
  if (plan.pred != nullptr) {
    f.total = 0;
    auto scanned = scan_matching(store_.content(), q, plan.pred.get(), [&](storage::StoredBlock& b) {
      if (++f.total <= options_.part_size && !plan.count_only) {
        f.last = b.label;
        f.blocks.push_back(take_content_block(std::move(b)));
      }
      return true;
    });
    if (!scanned.ok()) return scanned.error();
  } else if (!plan.count_only) {
    if (f.total > options_.part_size) q.limit = options_.part_size;
    auto scanned = store_.content().scan(q, [&](storage::StoredBlock& b) {
      f.last = b.label;
      f.blocks.push_back(take_content_block(std::move(b)));
      return true;
    });
    if (!scanned.ok()) return scanned.error();
  }
  return f;
}

// Records a multi-part result and its first part, which ends at `last`; returns its id.
Result<std::string> PollService::persist_result(const Plan& plan, const ScanWindow& window, uint64_t total,
                                                std::optional<Timestamp> last) {
  expire_old_results();
  storage::ResultSet rs;
  rs.result_id = "urn:uuid:" + generate_uuid();
  rs.collection = plan.collection->name;
  rs.request = encode_poll_filter({plan.filters, plan.query});
  rs.total_count = total;
  rs.part_size = options_.part_size;
  rs.after = window.after;
  rs.until = window.until;
  rs.created = clock_.now();
  if (auto s = store_.results().put_result_set(rs); !s.ok()) return s.error();
  if (auto s = store_.results().put_result_part(rs.result_id, {1, window.after, last}); !s.ok()) return s.error();
  return rs.result_id;
}

Result<Message> PollService::accept_async(const Plan& plan, const ScanWindow& window, uint64_t total) {
  expire_old_results();
  storage::AsyncResult r;
  r.result_id = "urn:uuid:" + generate_uuid();
  r.collection = plan.collection->name;
  r.request = encode_poll_filter({plan.filters, plan.query});
  r.after = window.after;
  r.until = window.until;
  r.part_size = options_.part_size;
  r.count_only = plan.count_only;
  r.estimated_count = total;
  if (plan.delivery) r.delivery = to_target(*plan.delivery);
  r.created = clock_.now();
  r.next_attempt = Timestamp::from_micros(0);
  if (auto s = store_.results().put_async_result(r); !s.ok()) return s.error();
  if (on_async_) on_async_();
  return pending(r.result_id, estimated_wait_seconds(total), r.delivery.has_value());
}

Result<Message> PollService::fulfil(const v11::PollFulfillment& f) {
  auto found = served(f.collection_name);
  if (!found.ok()) return found.error();
  const CollectionInfo& c = **found;
  auto async = store_.results().get_async_result(f.result_id);
  if (!async.ok()) return async.error();
  const bool is_async = *async && (*async)->collection == c.name;
  if (is_async) {
    // Services 1.1 §3.6.2.1: not ready -> PENDING again; failed or gone -> ASYNCHRONOUS_POLL_ERROR.
    const storage::AsyncResult& a = **async;
    if (a.state == storage::AsyncState::Building) {
      const int64_t elapsed = (clock_.now().micros() - a.created.micros()) / 1'000'000;
      return pending(a.result_id, estimated_wait_seconds(a.estimated_count, elapsed), a.delivery.has_value());
    }
    if (a.state == storage::AsyncState::Failed)
      return Error{StatusType::AsynchronousPollError,
                   "asynchronous result " + a.result_id + " could not be produced: " + a.last_error.value_or("error")};
  }
  auto got = store_.results().get_result_set(f.result_id);
  if (!got.ok()) return got.error();
  if (!*got || (*got)->collection != c.name) {
    if (is_async)
      return Error{StatusType::AsynchronousPollError, "asynchronous result " + f.result_id + " has expired"};
    return Error::not_found("no result set " + f.result_id + " for collection " + c.name + " (unknown or expired)",
                            f.result_id);
  }
  if (is_async && (*async)->count_only) {
    if (f.result_part_number != 1) {
      Error e{StatusType::InvalidResponsePart, "result " + f.result_id + " has one part"};
      e.with_detail(std::string(detail_name::kMaxPartNumber), "1");
      return e;
    }
    v11::PollResponse out;
    out.collection_name = c.name;
    out.result_id = f.result_id;
    if (c.type == v11::CollectionType::DataFeed) {
      out.exclusive_begin = (*got)->after;
      out.inclusive_end = (*got)->until;
    }
    out.record_count = v11::RecordCount{(*got)->total_count, false};
    return Message(std::move(out));
  }
  return fulfil_part(c, **got, f.result_part_number);
}

Result<Message> PollService::fulfil_part(const CollectionInfo& c, const storage::ResultSet& rs, uint64_t want) {
  const uint64_t parts = max_part(rs);
  if (want == 0 || want > parts) {
    Error e{StatusType::InvalidResponsePart, "result " + rs.result_id + " has parts 1 to " + std::to_string(parts)};
    e.with_detail(std::string(detail_name::kMaxPartNumber), std::to_string(parts));
    return e;
  }
  const auto request = decode_poll_filter(rs.request);
  if (!request) return Error::failure("stored result set " + rs.result_id + " is unreadable");
  const auto* filters = &request->bindings;
  // The result's query, compiled once for this part (issue #10): parts hold matches only.
  auto compiled = compile_stored_query(plugins_.queries, request->query, "result set " + rs.result_id);
  if (!compiled.ok()) return compiled.error();
  const query::Predicate* pred = compiled->get();

  // Find where the wanted part starts: the last label of the part before it. Walk forward
  // from the nearest recorded part, recording each boundary found (memory stays flat).
  storage::ResultPart prev{0, std::nullopt, rs.after};  // "part 0" ends where the result begins
  for (uint64_t k = want - 1; k >= 1; --k) {
    auto p = store_.results().get_result_part(rs.result_id, k);
    if (!p.ok()) return p.error();
    if (*p) {
      prev = **p;
      break;
    }
  }
  while (prev.part_number + 1 < want) {
    ScanQuery q{c.name, prev.last_label, rs.until, *filters, rs.part_size};
    std::optional<Timestamp> last;
    auto s = scan_matching(store_.content(), q, pred, [&](const storage::StoredBlock& b) {
      last = b.label;
      return true;
    });
    if (!s.ok()) return s.error();
    if (!last) return Error::failure("result set " + rs.result_id + " no longer matches the collection");
    storage::ResultPart next{prev.part_number + 1, prev.last_label, last};
    if (auto w = store_.results().put_result_part(rs.result_id, next); !w.ok()) return w.error();
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
  auto s = scan_matching(store_.content(), q, pred, [&](storage::StoredBlock& b) {
    last = b.label;
    out.content_blocks.push_back(take_content_block(std::move(b)));
    return true;
  });
  if (!s.ok()) return s.error();
  auto w = store_.results().put_result_part(rs.result_id, {want, prev.last_label, last});
  if (!w.ok()) return w.error();
  return Message(std::move(out));
}

}  // namespace taxii::services
