// Asynchronous polls (Services 1.1 §3.6.2; Services 1.1 §3.6.2): accepting a poll for later
// (Status PENDING with ESTIMATED_WAIT, RESULT_ID, WILL_PUSH), building its result in the
// background, and the Inbox_Messages that push a finished result (@result_id) to the
// requester's Delivery_Parameters.
//
// The result is persisted (storage::AsyncResult while it is built; then an ordinary ResultSet
// with recorded parts, served by Poll_Fulfillment like a multi-part result), so any taxiid
// sharing the store can build it, push it and serve it; the builder and pusher are the outbox
// worker (services/push/outbox_worker.hpp).
//
// Pure functions over the content and result slices of the store; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/message_v11.hpp"
#include "bindings/query/query_format.hpp"
#include "core/result.hpp"
#include "storage/store.hpp"

namespace taxii::services {

// Blocks per second the estimate of ESTIMATED_WAIT assumes a result is built at.
inline constexpr uint64_t kAsyncBuildRate = 20000;

// What building and pushing a result reads and writes (storage/store.hpp).
using AsyncStores = storage::StoreSlices<storage::ContentStore, storage::ResultStore>;

// ESTIMATED_WAIT in seconds (>= 1) for a result of about `count` blocks, accepted `elapsed_s`
// seconds ago.
int64_t estimated_wait_seconds(uint64_t count, int64_t elapsed_s = 0);

// The PENDING answer (Services 1.1 §3.6.2, XML 1.1 Table 2: all three details required).
Error pending(const std::string& result_id, int64_t wait_seconds, bool will_push);

// Builds an accepted result: counts it, stores its ResultSet and records the boundary of every
// part (contiguous label ranges, Services 1.1 §5.2.2.3). On success r becomes Ready with its
// total_parts. The poll's query (issue #10), if any, is compiled with `queries` and applied:
// the count and the parts hold matches only. Fails with Failure (store, a query that no longer
// compiles) or NotFound (the collection is gone).
Status build_async_result(AsyncStores store, storage::AsyncResult& r,
                          const query::QueryFormatRegistry* queries = nullptr);

// The Inbox_Message that pushes part `part` (1-based) of a Ready result: @result_id,
// Record_Count (the whole result's), the part's blocks (none for COUNT_ONLY), filtered by the
// poll's query like build_async_result.
Result<v11::InboxMessage> async_part_message(AsyncStores store, const storage::AsyncResult& r, uint64_t part,
                                             const query::QueryFormatRegistry* queries = nullptr);

}  // namespace taxii::services
