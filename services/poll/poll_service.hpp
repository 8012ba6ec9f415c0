// PollService: Poll_Request and Poll_Fulfillment (Services 1.1 §3.6, §4.4.8-§4.4.11) over the
// collections this Poll service serves.
//
// Rules (decisions marked *; docs/server.md):
// - Unknown collection, or one this service does not serve -> NOT_FOUND, ITEM = the name.
// - Subscription_ID -> NOT_FOUND, ITEM = the id (no subscriptions before issue #6).
// - A Query -> UNSUPPORTED_QUERY with no SUPPORTED_QUERY detail (queries: issue #10).
// - allow_asynch is never needed: every answer is synchronous; Delivery_Parameters are
//   ignored (Services 1.1 §4.4.8 allows that).
// - Content_Binding filter: blocks of the listed bindings/subtypes only; if the collection
//   lists bindings and none of the requested ones is among them -> UNSUPPORTED_CONTENT with
//   SUPPORTED_CONTENT details (Services 1.1 §4.4.8 SHOULD).
// - Window (DATA_FEED): Services 1.1 §4.4.8: begin exclusive, end inclusive; end <= begin
//   -> BAD_MESSAGE. DATA_SET: the window is ignored and no timestamps are answered (§5.2.2).
// - *Stated end (Services 1.1 §5.2.2.2, PROTOCOL.md §6.2): the latest label of the collection
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
// - Poll_Fulfillment: *unknown or expired result_id (or one of another collection) ->
//   NOT_FOUND, ITEM = the result_id (ASYNCHRONOUS_POLL_ERROR is kept for asynchronous
//   results, which this server never creates); part number beyond the last ->
//   INVALID_RESPONSE_PART with MAX_PART_NUMBER.
// - *TAXII 1.0 has no multi-part: a 1.0 poll gets at most part_size blocks and the stated
//   end narrows to the last label returned, so the client continues from there. 1.0 has no
//   Data Sets either: for 1.0 clients every collection is polled like a feed.
//
// Thread-safe (the Store is).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "services/service.hpp"
#include "services/topology.hpp"
#include "storage/store.hpp"

namespace taxii::services {

struct PollOptions {
  uint64_t part_size = 1000;        // content blocks per Poll_Response part (>= 1)
  int64_t result_ttl_seconds = 86400;  // how long multi-part results stay available
};

class PollService final : public Service {
 public:
  PollService(std::shared_ptr<const Topology> topology, storage::Store& store, std::string service_id,
              PollOptions options);
  ServiceType type() const override { return ServiceType::Poll; }
  // Fails with NotFound, BadMessage, UnsupportedQuery, UnsupportedContent,
  // InvalidResponsePart or Failure (store).
  Result<Message> handle(const Message& request, const RequestContext& ctx) override;

 private:
  Result<Message> poll(const v11::PollRequest& r, const RequestContext& ctx);
  Result<Message> fulfil(const v11::PollFulfillment& f);
  Result<const CollectionInfo*> served(const std::string& name) const;
  void expire_old_results();

  std::shared_ptr<const Topology> topology_;
  storage::Store& store_;
  std::string id_;
  PollOptions options_;
  std::atomic<int64_t> last_expiry_{0};
};

}  // namespace taxii::services
