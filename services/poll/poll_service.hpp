// PollService: Poll_Request and Poll_Fulfillment (Services 1.1 §3.6, §4.4.8-§4.4.11) over the
// collections this Poll service serves.
//
// Rules (decisions marked *; docs/server.md):
// - Unknown collection, or one this service does not serve -> NOT_FOUND, ITEM = the name.
// - Subscription_ID (Services 1.1 §4.4.8): the subscription's content bindings and response
//   type apply. *Window: the request's Exclusive_Begin_Timestamp if given, else the end of the
//   range stated to the previous poll for this subscription (at first: the subscription's
//   creation); the stated end is recorded after answering (docs/subscriptions.md). Unknown id,
//   or one of another collection or requester -> NOT_FOUND, ITEM = the id. Paused
//   subscriptions may be polled (§5.4.2).
// - A Query (Services 1.1 §4.4.8, §5.5; issue #10, docs/query.md): compiled once per request
//   with the formats this service supports (ServiceInfo::query_formats of the server's
//   QueryFormatRegistry): unknown or disabled format -> UNSUPPORTED_QUERY with one
//   SUPPORTED_QUERY detail per supported format (none: no query support); a broken query ->
//   BAD_MESSAGE or the format's own status (Default Query: UNSUPPORTED_CAPABILITY_MODULE,
//   UNSUPPORTED_TARGETING_EXPRESSION, UNSUPPORTED_TARGETING_EXPRESSION_ID with their
//   details). Evaluated per block while streaming; blocks it cannot evaluate (non-STIX,
//   nested) are not sent (§5.5). Record_Count, parts, COUNT_ONLY count matches only; the
//   query is stored with a multi-part or asynchronous result, so every part and
//   Poll_Fulfillment applies it. A subscription's query applies to polls by its id.
//   *Asynchronous threshold: compared with the candidates (before the query), as counting
//   the matches is the work an asynchronous poll defers.
// - *Asynchronous (Services 1.1 §3.6.2): allow_asynch="true" and at least async_threshold
//   matching blocks -> PENDING (ESTIMATED_WAIT, RESULT_ID, WILL_PUSH); the result is built by
//   the outbox worker and pushed to usable Delivery_Parameters (WILL_PUSH=true); unusable
//   ones are ignored (§4.4.8). allow_asynch false -> never PENDING. Poll_Fulfillment of a
//   result being built -> PENDING again with a new estimate; failed, or expired while its
//   record is kept (2 x result_ttl) -> ASYNCHRONOUS_POLL_ERROR.
// - Content_Binding filter: blocks of the listed bindings/subtypes only; if the collection
//   lists bindings and none of the requested ones is among them -> UNSUPPORTED_CONTENT with
//   SUPPORTED_CONTENT details (Services 1.1 §4.4.8 SHOULD).
// - Window (DATA_FEED): Services 1.1 §4.4.8: begin exclusive, end inclusive; end <= begin
//   -> BAD_MESSAGE. DATA_SET: the window is ignored and no timestamps are answered (§5.2.2).
// - *Stated end (Services 1.1 §5.2.2.2, Services 1.1 §5.2.2.2): the latest label of the collection
//   at the time of the poll (never below the begin), or the requested end if that is earlier.
//   A requested end in the future is narrowed to what exists, so a client that continues
//   from the stated end never misses a block added later. An empty collection states the
//   begin, or 1970-01-01T00:00:00Z. The response is complete for the stated range.
// - COUNT_ONLY: Record_Count only. FULL: Record_Count = all matching records of the result.
// - Multi-part (Services 1.1 §3.6.1): more than part_size matching blocks -> a ResultSet
//   and its parts are persisted in the store; part 1 is answered with more=true, result_id
//   and result_part_number=1. Parts are contiguous label ranges (§5.2.2.3); boundaries are
//   found lazily and recorded, so memory stays flat (one part in memory at a time).
//   *Every part states the whole result's window.
// - Poll_Fulfillment: *unknown or expired multi-part result_id (or one of another
//   collection) -> NOT_FOUND, ITEM = the result_id; part number beyond the last ->
//   INVALID_RESPONSE_PART with MAX_PART_NUMBER.
// - *TAXII 1.0 has no multi-part: a 1.0 poll gets at most part_size blocks and the stated
//   end narrows to the last label returned, so the client continues from there. 1.0 has no
//   Data Sets either: for 1.0 clients every collection is polled like a feed.
//
// Store: the content slice (scans, counts, newest label), the result slice (multi-part and
// asynchronous results) and the subscription slice (polls by Subscription_ID). Time: `clock`
// dates results and decides their expiry (core/clock.hpp).
//
// Thread-safe (the store is).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "services/query/query_support.hpp"
#include "services/service.hpp"
#include "services/topology.hpp"
#include "storage/store.hpp"

namespace taxii::services {

// The labels a poll answers: (after, until], as stated in the response.
struct ScanWindow {
  std::optional<Timestamp> after;
  Timestamp until;
};

struct PollOptions {
  uint64_t part_size = 1000;        // content blocks per Poll_Response part (>= 1)
  int64_t result_ttl_seconds = 86400;  // how long multi-part results stay available
  // A poll allowing asynchronous answers is answered PENDING when it matches at least this
  // many blocks (0: always).
  uint64_t async_threshold = 100000;
};

class PollService final : public Service {
 public:
  // on_async (optional) is called when an asynchronous result was accepted, so that the
  // outbox worker can build it at once. plugins: the server's registries (none: no queries).
  using Stores = storage::StoreSlices<storage::ContentStore, storage::ResultStore, storage::SubscriptionStore>;
  PollService(std::shared_ptr<const Topology> topology, Stores store, std::string service_id, PollOptions options,
              std::function<void()> on_async = {}, Plugins plugins = {}, const Clock& clock = SystemClock::instance());
  ServiceType type() const override { return ServiceType::Poll; }
  // Fails with NotFound, BadMessage, UnsupportedQuery, UnsupportedContent, Pending,
  // AsynchronousPollError, InvalidResponsePart or Failure (store).
  Result<Message> handle(const Message& request, const RequestContext& ctx) override;

 private:
  struct Plan;
  struct FirstPart {
    uint64_t total = 0;  // matching blocks of the whole result
    std::vector<v11::ContentBlock> blocks;
    std::optional<Timestamp> last;  // the label of the last block in `blocks`
  };
  Result<Message> poll(const v11::PollRequest& r, const RequestContext& ctx);
  Result<Message> answer(const Plan& plan);
  Result<FirstPart> first_part(const Plan& plan, storage::ScanQuery q, uint64_t candidates);
  Result<std::string> persist_result(const Plan& plan, const ScanWindow& window, uint64_t total,
                                     std::optional<Timestamp> last);
  Result<Message> accept_async(const Plan& plan, const ScanWindow& window, uint64_t total);
  Result<Message> fulfil(const v11::PollFulfillment& f);
  Result<Message> fulfil_part(const CollectionInfo& c, const storage::ResultSet& rs, uint64_t want);
  Result<const CollectionInfo*> served(const std::string& name) const;
  void expire_old_results();

  std::shared_ptr<const Topology> topology_;
  Stores store_;
  std::string id_;
  PollOptions options_;
  std::function<void()> on_async_;
  Plugins plugins_;
  const Clock& clock_;
  std::atomic<int64_t> last_expiry_{0};
};

}  // namespace taxii::services
