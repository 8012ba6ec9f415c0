// CollectionManagementService: Collection_Information_Request (1.0: Feed_Information_Request,
// bridged) answered with every configured collection (Services 1.1 §4.4.4-§4.4.5): type,
// description, volume from the store, accepted content bindings, the Poll services that
// serve it and the Inboxes that receive into it (one contact per listener). No push methods
// and no subscription services until subscriptions exist (issue #6); every collection is
// shown to everyone until access control exists (issue #7).
//
// Subscription_Management_Request is answered with FAILURE "subscriptions are not
// supported yet" (issue #6).
//
// Thread-safe (the Store is).
#pragma once

#include <memory>

#include "services/service.hpp"
#include "services/topology.hpp"
#include "storage/store.hpp"

namespace taxii::services {

class CollectionManagementService final : public Service {
 public:
  CollectionManagementService(std::shared_ptr<const Topology> topology, storage::Store& store)
      : topology_(std::move(topology)), store_(store) {}
  ServiceType type() const override { return ServiceType::CollectionManagement; }
  // Fails with Failure (store trouble, or any subscription request).
  Result<Message> handle(const Message& request, const RequestContext& ctx) override;

 private:
  Result<v11::CollectionInformation> describe(const CollectionInfo& c) const;

  std::shared_ptr<const Topology> topology_;
  storage::Store& store_;
};

}  // namespace taxii::services
