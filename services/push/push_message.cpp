#include "services/push/push_message.hpp"

#include <algorithm>
#include <utility>
#include <variant>

#include "bindings/http/http_client.hpp"
#include "bindings/xml/bridge.hpp"
#include "bindings/xml/message_binding.hpp"
#include "core/ids.hpp"
#include "core/urn.hpp"
#include "services/query/query_support.hpp"
#include "services/subscriptions/subscription_codec.hpp"

namespace taxii::services {
namespace {

std::string clip(std::string s, std::size_t n = 300) {
  if (s.size() > n) s = s.substr(0, n) + "...";
  return s;
}

}  // namespace

Result<PushBatch> next_batch(storage::ContentStore& store, const storage::Subscription& s, const CollectionInfo& c,
                             uint64_t max_blocks, const query::QueryFormatRegistry* queries) {
  const auto params = decode_parameters(s.parameters);
  if (!params) return Error::failure("subscription " + s.id + " has unreadable parameters");
  auto compiled = compile_stored_query(queries, params->query, "subscription " + s.id);
  if (!compiled.ok()) return compiled.error();
  const query::Predicate* pred = compiled->get();
  auto latest = store.latest_label(c.name);
  if (!latest.ok()) return latest.error();
  PushBatch batch;
  if (!*latest || (s.push_cursor && **latest <= *s.push_cursor)) {
    batch.through = s.push_cursor.value_or(Timestamp::from_micros(0));
    return batch;
  }
  batch.through = **latest;
  storage::ScanQuery q{c.name, s.push_cursor, batch.through, to_filters(params->content_bindings), 0};
  v11::InboxMessage m;
  if (params->response_type == v11::ResponseType::CountOnly) {
    auto n = count_matching(store, q, pred);
    if (!n.ok()) return n.error();
    if (*n == 0) return batch;
    m.record_count = v11::RecordCount{*n, false};
  } else {
    q.limit = std::max<uint64_t>(1, max_blocks);
    std::size_t bytes = 0;
    bool full = false;
    auto scanned = scan_matching(store, q, pred, [&](storage::StoredBlock& b) {
      bytes += b.content.size();
      m.content_blocks.push_back(take_content_block(std::move(b)));
      full = m.content_blocks.size() >= q.limit || bytes >= kMaxBatchBytes;
      return !full;
    });
    if (!scanned.ok()) return scanned.error();
    if (m.content_blocks.empty()) return batch;
    // A full batch may have more behind it: it covers up to its own last label only.
    if (full) batch.through = *m.content_blocks.back().timestamp_label;
    m.record_count = v11::RecordCount{m.content_blocks.size(), false};
  }
  v11::SourceSubscription src;
  src.collection_name = c.name;
  src.subscription_id = s.id;
  if (c.type == v11::CollectionType::DataFeed) {
    src.exclusive_begin = s.push_cursor;
    src.inclusive_end = batch.through;
  }
  m.source_subscription = std::move(src);
  batch.blocks = m.content_blocks.size();
  batch.message = std::move(m);
  return batch;
}

Result<PreparedPush> prepare_push(const v11::InboxMessage& m, const storage::PushTarget& target) {
  const bool data_set = m.source_subscription && !m.source_subscription->inclusive_end;
  auto to = check_push_parameters({target.protocol_binding, target.address, target.message_binding}, data_set);
  if (!to.ok()) return to.error();
  const bool v10 = target.message_binding == urn::kMessageXml10;
  Message out = m;
  std::get<v11::InboxMessage>(out).message_id = generate_message_id();  // digits: valid in 1.0 too
  if (v10) {
    auto bridged = xml::bridge_response_to_v10(out);
    if (!bridged.ok()) return bridged.error();
    out = std::move(bridged).value();
  }
  auto body = xml::serialize_any(out);
  if (!body.ok()) return body.error();
  PreparedPush p;
  p.to = std::move(to).value();
  p.body = std::move(body).value();
  p.headers = http::taxii_headers(v10 ? Version::V10 : Version::V11, p.to.https).fields();
  return p;
}

Status judge_reply(const PushReply& reply) {
  const std::string http = "HTTP " + std::to_string(reply.http_status);
  if (reply.taxii_content_type.empty())
    return Error::failure("the inbox answered " + http + " without a TAXII message" +
                          (reply.body.empty() ? std::string() : ": " + clip(reply.body, 120)));
  auto parsed = xml::parse_any(reply.body);
  if (!parsed.ok()) return Error::failure("the inbox answered " + http + " with an unreadable message: " +
                                          clip(parsed.error().message()));
  std::string type, text;
  if (const auto* s = std::get_if<v11::StatusMessage>(&*parsed)) {
    type = s->status_type;
    text = s->message.value_or("");
  } else if (const auto* s10 = std::get_if<v10::StatusMessage>(&*parsed)) {
    type = s10->status_type;
    text = s10->message.value_or("");
  } else {
    return Error::failure("the inbox answered " + http + " with a " + std::string(message_type_name(*parsed)));
  }
  if (reply.http_status == 200 && type == "SUCCESS") return ok_status();
  return Error::failure("the inbox answered " + http + " " + type + (text.empty() ? "" : ": " + clip(text)));
}

}  // namespace taxii::services
