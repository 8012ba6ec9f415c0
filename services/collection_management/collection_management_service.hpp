// CollectionManagementService: Collection_Information_Request (1.0: Feed_Information_Request,
// bridged) answered with every configured collection (Services 1.1 §4.4.4-§4.4.5): type,
// description, volume from the store, accepted content bindings, the Poll services that
// serve it and the Inboxes that receive into it (one contact per listener), the Collection
// Management services that take subscriptions to it (every one of them) and the push methods
// (HTTP and HTTPS with XML 1.1 and 1.0; XML 1.1 only for a Data Set, which 1.0 cannot carry).
// Every collection is shown to everyone until access control exists (issue #7).
//
// Subscription_Management_Request (Manage Collection / Feed Subscription) goes to the
// SubscriptionManager (services/subscriptions/subscription_manager.hpp).
//
// Store: the content slice (Collection_Volume) and, for the SubscriptionManager, the
// subscription slice.
//
// Thread-safe (the store is).
#pragma once

#include <functional>
#include <memory>

#include "services/service.hpp"
#include "services/subscriptions/subscription_manager.hpp"
#include "services/topology.hpp"
#include "storage/store.hpp"

namespace taxii::services {

class CollectionManagementService final : public Service {
 public:
  // on_subscription_change: see SubscriptionManager (optional). queries: the query formats
  // subscriptions may carry (issue #10; default none).
  // clock: dates new subscriptions.
  CollectionManagementService(std::shared_ptr<const Topology> topology, SubscriptionManager::Stores store,
                              std::function<void()> on_subscription_change = {}, QuerySupport queries = {},
                              const Clock& clock = SystemClock::instance())
      : topology_(topology),
        store_(store.content()),
        subscriptions_(topology, store, std::move(on_subscription_change), std::move(queries), clock) {}
  ServiceType type() const override { return ServiceType::CollectionManagement; }
  // Fails with Failure (store trouble), or as SubscriptionManager::handle.
  Result<Message> handle(const Message& request, const RequestContext& ctx) override;

 private:
  Result<v11::CollectionInformation> describe(const CollectionInfo& c) const;

  std::shared_ptr<const Topology> topology_;
  storage::ContentStore& store_;
  SubscriptionManager subscriptions_;
};

}  // namespace taxii::services
