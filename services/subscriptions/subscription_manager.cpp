#include "services/subscriptions/subscription_manager.hpp"

#include <utility>

#include "core/ids.hpp"
#include "services/push/push_address.hpp"
#include "services/subscriptions/subscription_codec.hpp"

namespace taxii::services {
namespace {

using storage::Subscription;
using storage::SubscriptionState;
using v11::SubscriptionAction;

v11::SubscriptionStatus status_of(const Subscription& s) {
  return s.state == SubscriptionState::Paused ? v11::SubscriptionStatus::Paused : v11::SubscriptionStatus::Active;
}


// Services 1.1 §4.4.6: none of the requested bindings accepted -> UNSUPPORTED_CONTENT.
Status check_bindings(const std::vector<v11::ContentBinding>& wanted, const CollectionInfo& c) {
  if (wanted.empty() || c.accepted_bindings.empty()) return ok_status();
  for (const auto& b : wanted) {
    if (b.subtypes.empty() && binding_accepted(c.accepted_bindings, b.binding_id, std::nullopt)) return ok_status();
    for (const auto& st : b.subtypes)
      if (binding_accepted(c.accepted_bindings, b.binding_id, st)) return ok_status();
  }
  Error e{StatusType::UnsupportedContent, "collection " + c.name + " holds none of the requested content bindings"};
  for (const auto& id : binding_ids(c.accepted_bindings))
    e.with_detail(std::string(detail_name::kSupportedContent), id);
  return e;
}

}  // namespace

SubscriptionManager::SubscriptionManager(std::shared_ptr<const Topology> topology, Stores store,
                                         std::function<void()> on_change, QuerySupport queries, const Clock& clock)
    : topology_(std::move(topology)),
      store_(store),
      on_change_(std::move(on_change)),
      queries_(std::move(queries)),
      clock_(clock) {}

v11::SubscriptionInstance SubscriptionManager::instance(const Subscription& s, const CollectionInfo& c, bool push,
                                                        bool polls) const {
  v11::SubscriptionInstance i;
  i.status = status_of(s);
  i.subscription_id = s.id;
  i.subscription_parameters = decode_parameters(s.parameters);
  if (push && s.push) i.push_parameters = to_push_parameters(*s.push);
  if (polls)
    for (const std::string& id : c.poll_services)
      if (const ServiceInfo* p = topology_->find_service(id))
        for (ServiceContact& contact : topology_->contacts(*p)) i.poll_instances.push_back(std::move(contact));
  return i;
}

Result<std::optional<Subscription>> SubscriptionManager::find(const std::string& id, const CollectionInfo& c,
                                                             const RequestContext& ctx) {
  auto got = store_.subscriptions().get_subscription(id);
  if (!got.ok()) return got.error();
  // Another requester's subscription, or one to another collection, does not exist here.
  if (*got && ((*got)->collection != c.name || (*got)->owner != ctx.identity)) return std::optional<Subscription>{};
  return got;
}

Result<Message> SubscriptionManager::handle(const v11::ManageCollectionSubscriptionRequest& r,
                                            const RequestContext& ctx) {
  // Rule 2: the collection must exist.
  const CollectionInfo* c = topology_->find_collection(r.collection_name);
  if (c == nullptr)
    return Error::not_found("no collection named " + r.collection_name, r.collection_name);
  if (r.action == SubscriptionAction::Subscribe) return subscribe(r, *c, ctx);

  v11::ManageCollectionSubscriptionResponse out;
  out.collection_name = c->name;
  const bool v10 = ctx.requested_version == Version::V10;
  if (r.action == SubscriptionAction::Status && !r.subscription_id) {
    // Services 1.1 §4.4.6: no id = all of the requester's subscriptions to the collection.
    auto all = store_.subscriptions().list_subscriptions(c->name, ctx.identity);
    if (!all.ok()) return all.error();
    for (const auto& s : *all) out.subscriptions.push_back(instance(s, *c, true, true));
    return Message(std::move(out));
  }
  if (!r.subscription_id || r.subscription_id->empty())
    return Error::bad_message("Subscription_Management_Request: action " + std::string(v11::to_string(r.action)) +
                              " requires a Subscription_ID");
  const std::string& id = *r.subscription_id;
  auto found = find(id, *c, ctx);
  if (!found.ok()) return found.error();

  if (r.action == SubscriptionAction::Unsubscribe) {
    v11::SubscriptionInstance gone;
    gone.status = v11::SubscriptionStatus::Unsubscribed;
    gone.subscription_id = id;
    if (*found) {  // rule 3: an unknown id is a success that changes nothing
      auto deleted = store_.subscriptions().delete_subscription(id);
      if (!deleted.ok()) return deleted.error();
      gone = instance(**found, *c, !v10, false);
      gone.status = v11::SubscriptionStatus::Unsubscribed;
    }
    out.subscriptions.push_back(std::move(gone));
    return Message(std::move(out));
  }
  if (!*found)  // rule 7
    return Error::not_found("no subscription " + id + " to collection " + c->name, id);
  Subscription s = std::move(**found);
  if (r.action != SubscriptionAction::Status) {
    const SubscriptionState want =
        r.action == SubscriptionAction::Pause ? SubscriptionState::Paused : SubscriptionState::Active;
    if (s.state != want) {  // rule 6: otherwise a success that changes nothing
      auto changed = store_.subscriptions().set_subscription_state(id, want);
      if (!changed.ok()) return changed.error();
      if (!*changed) return Error::not_found("no subscription " + id + " to collection " + c->name, id);
      s.state = want;
      if (want == SubscriptionState::Active && on_change_) on_change_();
    }
  }
  out.subscriptions.push_back(instance(s, *c, !v10 || r.action == SubscriptionAction::Status, true));
  return Message(std::move(out));
}

Result<Message> SubscriptionManager::subscribe(const v11::ManageCollectionSubscriptionRequest& r,
                                               const CollectionInfo& c, const RequestContext& ctx) {
  const v11::SubscriptionParameters params = r.subscription_parameters.value_or(v11::SubscriptionParameters{});
  // Rule 4, in the order the rule lists them: protocol, message binding, query, content.
  if (r.push_parameters) {
    auto address = check_push_parameters(*r.push_parameters, c.type == v11::CollectionType::DataSet);
    if (!address.ok()) return address.error();
  }
  // Issue #10: the query is compiled now, only to validate it (the same statuses as a Poll);
  // it is stored as written, with the other parameters, and compiled again by each poll and
  // push delivery of the subscription.
  if (params.query)
    if (auto q = queries_.compile(*params.query); !q.ok()) return q.error();
  if (auto b = check_bindings(params.content_bindings, c); !b.ok()) return b.error();
  if (!r.push_parameters && c.poll_services.empty())
    return Error{StatusType::PollingUnsupported,
                 "collection " + c.name + " cannot be polled: give Push_Parameters to have its content pushed"};

  Subscription s;
  s.id = "urn:uuid:" + generate_uuid();
  s.collection = c.name;
  s.owner = ctx.identity;
  s.parameters = encode_parameters(params);
  s.spec_key = spec_key(s.parameters, r.push_parameters);
  if (r.push_parameters) s.push = to_target(*r.push_parameters);
  s.created = clock_.now();
  // Deliver what arrives from now on (Services 1.1 §5.2.2.1).
  auto latest = store_.content().latest_label(c.name);
  if (!latest.ok()) return latest.error();
  s.push_cursor = *latest;
  s.poll_cursor = *latest;
  auto stored = store_.subscriptions().create_subscription(s);  // rule 5: returns an identical one if it exists
  if (!stored.ok()) return stored.error();
  if (stored->id == s.id && on_change_) on_change_();

  v11::ManageCollectionSubscriptionResponse out;
  out.collection_name = c.name;
  out.subscriptions.push_back(instance(*stored, c, ctx.requested_version != Version::V10, true));
  return Message(std::move(out));
}

}  // namespace taxii::services
