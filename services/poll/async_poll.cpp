#include "services/poll/async_poll.hpp"

#include <algorithm>
#include <utility>

#include "core/ids.hpp"
#include "services/query/query_support.hpp"
#include "services/subscriptions/subscription_codec.hpp"

namespace taxii::services {

int64_t estimated_wait_seconds(uint64_t count, int64_t elapsed_s) {
  const int64_t total = 1 + static_cast<int64_t>(count / kAsyncBuildRate);
  return std::max<int64_t>(1, total - elapsed_s);
}

Error pending(const std::string& result_id, int64_t wait_seconds, bool will_push) {
  Error e{StatusType::Pending, "the result will be ready in about " + std::to_string(wait_seconds) +
                                   " s; ask for it with Poll_Fulfillment" +
                                   (will_push ? std::string(" (it will also be pushed)") : std::string())};
  e.with_detail(std::string(detail_name::kEstimatedWait), std::to_string(wait_seconds));
  e.with_detail(std::string(detail_name::kResultId), result_id);
  e.with_detail(std::string(detail_name::kWillPush), will_push ? "true" : "false");
  return e;
}

Status build_async_result(AsyncStores store, storage::AsyncResult& r, const query::QueryFormatRegistry* queries) {
  const auto request = decode_poll_filter(r.request);
  if (!request) return Error::failure("asynchronous result " + r.result_id + " has an unreadable request");
  auto compiled = compile_stored_query(queries, request->query, "asynchronous result " + r.result_id);
  if (!compiled.ok()) return compiled.error();
  const query::Predicate* pred = compiled->get();
  storage::ScanQuery q{r.collection, r.after, r.until, request->bindings, 0};
  // With a query the count evaluates every candidate, and so does the pass below: the price
  // of flat memory (nothing but part boundaries is kept).
  auto total = count_matching(store.content(), q, pred);
  if (!total.ok()) return total.error();
  const uint64_t part_size = std::max<uint64_t>(1, r.part_size);
  storage::ResultSet rs;
  rs.result_id = r.result_id;
  rs.collection = r.collection;
  rs.request = r.request;
  rs.total_count = *total;
  rs.part_size = part_size;
  rs.after = r.after;
  rs.until = r.until;
  rs.created = r.created;
  if (auto s = store.results().put_result_set(rs); !s.ok()) return s.error();
  uint64_t parts = 1;
  if (!r.count_only && *total > 0) {
    // Record every part's range, so that each part (fulfilled or pushed) is one bounded scan.
    uint64_t in_part = 0;
    std::optional<Timestamp> part_after = r.after, last;
    Status recorded = ok_status();
    parts = 0;
    auto scanned = scan_matching(store.content(), q, pred, [&](const storage::StoredBlock& b) {
      last = b.label;
      if (++in_part < part_size) return true;
      recorded = store.results().put_result_part(r.result_id, {++parts, part_after, last});
      part_after = last;
      in_part = 0;
      return recorded.ok();
    });
    if (!scanned.ok()) return scanned.error();
    if (!recorded.ok()) return recorded.error();
    if (in_part > 0)
      if (auto s = store.results().put_result_part(r.result_id, {++parts, part_after, last}); !s.ok()) return s.error();
    parts = std::max<uint64_t>(parts, 1);
  }
  r.state = storage::AsyncState::Ready;
  r.total_parts = parts;
  return ok_status();
}

Result<v11::InboxMessage> async_part_message(AsyncStores store, const storage::AsyncResult& r, uint64_t part,
                                             const query::QueryFormatRegistry* queries) {
  auto rs = store.results().get_result_set(r.result_id);
  if (!rs.ok()) return rs.error();
  if (!*rs) return Error::failure("asynchronous result " + r.result_id + " has expired");
  v11::InboxMessage m;
  m.message_id = generate_message_id();
  m.result_id = r.result_id;
  m.record_count = v11::RecordCount{(*rs)->total_count, false};
  if (r.count_only || (*rs)->total_count == 0) return m;
  auto p = store.results().get_result_part(r.result_id, part);
  if (!p.ok()) return p.error();
  if (!*p) return Error::failure("asynchronous result " + r.result_id + " has no part " + std::to_string(part));
  const auto request = decode_poll_filter(r.request);
  if (!request) return Error::failure("asynchronous result " + r.result_id + " has an unreadable request");
  auto compiled = compile_stored_query(queries, request->query, "asynchronous result " + r.result_id);
  if (!compiled.ok()) return compiled.error();
  storage::ScanQuery q{r.collection, (*p)->after, (*p)->last_label, request->bindings, 0};
  auto scanned = scan_matching(store.content(), q, compiled->get(), [&](storage::StoredBlock& b) {
    m.content_blocks.push_back(take_content_block(std::move(b)));
    return true;
  });
  if (!scanned.ok()) return scanned.error();
  return m;
}

}  // namespace taxii::services
