// InboxService: takes Inbox_Message (Services 1.1 §3.2, §4.4.10) into collections.
//
// Routing (Services 1.1 §3.2.1, §5.2.3): Destination_Collection_Name when given (1.1), else
// the inbox's default collections (and always for 1.0, which has no such field).
// - a named collection this inbox does not deliver to (unknown or not served alike, so the
//   answer reveals nothing) -> DESTINATION_COLLECTION_ERROR with one ACCEPTABLE_DESTINATION
//   detail per collection it does deliver to;
// - names required but none given -> the same; names forbidden but some given ->
//   DESTINATION_COLLECTION_ERROR with no details (the spec's "empty list");
// - no names, no default collections -> DESTINATION_COLLECTION_ERROR with the acceptable list.
// Content: every block's binding (and subtype) must be accepted by the inbox and by every
// destination collection (topology.hpp binding_accepted), else UNSUPPORTED_CONTENT with
// SUPPORTED_CONTENT details, and the whole message is rejected (Services 1.1 §3.2).
// Strict content (issue #10; per collection, config key strict_content): a block going to such
// a collection must look like its declared binding (outermost of a nesting expression):
// content::check_declared with the server's ContentBindingRegistry, else BAD_MESSAGE naming
// the block; a malformed nesting expression is BAD_MESSAGE too. *A binding the registry does
// not know cannot be checked and passes (acceptance is the collection's list, above).
// Storage (the content slice, storage::ContentStore): all blocks of the message go to all
// destinations in ONE append() call; SUCCESS only after it returned ok, i.e. the content is
// durably committed (docs/storage.md). When it fails, the client gets FAILURE and nothing of
// the message is stored (store_failure_test).
// Labels in received blocks are informational; the store assigns new ones (§5.2.3).
// Pushed content (Source_Subscription, or @result_id of a pushed asynchronous result) is
// stored with append_from_source: blocks whose Timestamp_Label is not above the
// highest label already received from that source are skipped, so a message re-sent after
// its SUCCESS was lost is not stored twice (exactly-once; docs/subscriptions.md). The source
// is "subscription:<sender identity>\n<collection>\n<subscription id>" or
// "result:<sender identity>\n<result id>": one sender cannot move another one's mark.
//
// Thread-safe (the store is).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "bindings/content/content_binding.hpp"
#include "services/service.hpp"
#include "services/topology.hpp"
#include "storage/store.hpp"

namespace taxii::services {

class InboxService final : public Service {
 public:
  // REQUIRES: topology->find_service(service_id) is an inbox. on_stored (optional) is called
  // after content was stored, so that a push deliverer can look for work at once. content:
  // the server's content binding registry, for strict collections (null: no strict check).
  InboxService(std::shared_ptr<const Topology> topology, storage::ContentStore& store, std::string service_id,
               std::function<void()> on_stored = {}, const content::ContentBindingRegistry* content = nullptr)
      : topology_(std::move(topology)),
        store_(store),
        id_(std::move(service_id)),
        on_stored_(std::move(on_stored)),
        content_(content) {}
  ServiceType type() const override { return ServiceType::Inbox; }
  // Answers a SUCCESS Status_Message; fails with DestinationCollectionError,
  // UnsupportedContent or Failure (store).
  Result<Message> handle(const Message& request, const RequestContext& ctx) override;

 private:
  std::shared_ptr<const Topology> topology_;
  storage::ContentStore& store_;
  std::string id_;
  std::function<void()> on_stored_;
  const content::ContentBindingRegistry* content_ = nullptr;
};

}  // namespace taxii::services
