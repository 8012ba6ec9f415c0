// SubscriptionManager: Manage Collection Subscription requests (Services 1.1 §4.4.6-§4.4.7;
// TAXII 1.0 Manage Feed Subscription arrives bridged to 1.1), for the Collection Management
// service. Subscriptions live in the Store, so every taxiid sharing it serves them.
//
// Processing order (Services 1.1 §4.4.6, Services 1.1 §4.4.6 rules 1-7; decisions marked *):
//  1. authentication: not yet (issue #7); the owner is RequestContext::identity.
//  2. unknown collection -> NOT_FOUND, ITEM = the name.
//  3. UNSUBSCRIBE of an id that does not exist for this requester and collection -> success
//     (Subscription status UNSUBSCRIBED), nothing changes.
//  4. SUBSCRIBE: Push_Parameters checked by check_push_parameters() (UNSUPPORTED_PROTOCOL,
//     UNSUPPORTED_MESSAGE, *BAD_MESSAGE for an address that is no URL); a Query is compiled
//     with this service's query formats (query_support.hpp; issue #10): UNSUPPORTED_QUERY with
//     SUPPORTED_QUERY details, BAD_MESSAGE, or the format's own statuses (Default Query:
//     UNSUPPORTED_CAPABILITY_MODULE, UNSUPPORTED_TARGETING_EXPRESSION(_ID)); content bindings of
//     which *none is accepted by the collection -> UNSUPPORTED_CONTENT with SUPPORTED_CONTENT
//     (as for Poll); no Push_Parameters on a collection no Poll service serves ->
//     POLLING_UNSUPPORTED.
//  5. an identical SUBSCRIBE (same collection, owner, parameters, push parameters) -> the
//     existing subscription, unchanged.
//  6. PAUSE of a paused / RESUME of an active subscription -> success, unchanged.
//  7. PAUSE, RESUME or STATUS of an unknown id -> NOT_FOUND, ITEM = the id.
// A new subscription gets a urn:uuid id and starts at the collection's newest label: push and
// polls deliver what arrives after it (*Services 1.1 §5.2.2.1 "new records").
// Answers carry Subscription_Parameters (always), Push_Parameters iff the subscription pushes
// (*TAXII 1.0: only in STATUS answers, XML 1.0 §3.7), Poll_Instance = the Poll services of the
// collection (*none in an UNSUBSCRIBE answer).
//
// Store: the content slice (the collection's newest label) and the subscription slice.
// Time: `clock` dates new subscriptions (core/clock.hpp).
//
// Thread-safe (the store is).
#pragma once

#include <functional>
#include <memory>

#include "core/clock.hpp"
#include "services/query/query_support.hpp"
#include "services/service.hpp"
#include "services/topology.hpp"
#include "storage/store.hpp"

namespace taxii::services {

class SubscriptionManager {
 public:
  // on_change (optional) is called after a SUBSCRIBE or RESUME changed something, so that a
  // push deliverer can look for work at once. queries: the query formats subscriptions may
  // use (default: none).
  using Stores = storage::StoreSlices<storage::ContentStore, storage::SubscriptionStore>;
  SubscriptionManager(std::shared_ptr<const Topology> topology, Stores store, std::function<void()> on_change = {},
                      QuerySupport queries = {}, const Clock& clock = SystemClock::instance());

  // Fails with NotFound, BadMessage, UnsupportedProtocol, UnsupportedMessage,
  // UnsupportedQuery, UnsupportedContent, PollingUnsupported or Failure (store).
  Result<Message> handle(const v11::ManageCollectionSubscriptionRequest& r, const RequestContext& ctx);

 private:
  Result<Message> subscribe(const v11::ManageCollectionSubscriptionRequest& r, const CollectionInfo& c,
                            const RequestContext& ctx);
  // The requester's subscription `id` to collection c, or nullopt.
  Result<std::optional<storage::Subscription>> find(const std::string& id, const CollectionInfo& c,
                                                    const RequestContext& ctx);
  v11::SubscriptionInstance instance(const storage::Subscription& s, const CollectionInfo& c, bool push,
                                     bool polls) const;

  std::shared_ptr<const Topology> topology_;
  Stores store_;
  std::function<void()> on_change_;
  QuerySupport queries_;
  const Clock& clock_;
};

}  // namespace taxii::services
