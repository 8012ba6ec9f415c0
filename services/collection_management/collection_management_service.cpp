#include "services/collection_management/collection_management_service.hpp"

#include <string_view>
#include <variant>

#include "core/urn.hpp"

namespace taxii::services {

Result<v11::CollectionInformation> CollectionManagementService::describe(const CollectionInfo& c) const {
  v11::CollectionInformation info;
  info.collection_name = c.name;
  info.collection_type = c.type;
  info.description = c.description;
  auto volume = store_.volume_last_day(c.name);
  if (!volume.ok()) return volume.error();
  info.collection_volume = *volume;
  info.content_bindings = c.accepted_bindings;
  for (const std::string& id : c.poll_services)
    if (const ServiceInfo* s = topology_->find_service(id))
      for (ServiceContact& contact : topology_->contacts(*s)) info.polling_services.push_back(std::move(contact));
  // Services 1.1 §4.4.5: where to subscribe (every Collection Management service manages
  // subscriptions to every collection) and how content can be pushed (§4.4.6 Push_Parameters).
  for (const ServiceInfo& s : topology_->services())
    if (s.type == ServiceType::CollectionManagement)
      for (ServiceContact& contact : topology_->contacts(s)) info.subscription_services.push_back(std::move(contact));
  std::vector<std::string> push_bindings{std::string(urn::kMessageXml11)};
  if (c.type != v11::CollectionType::DataSet) push_bindings.emplace_back(urn::kMessageXml10);
  for (std::string_view protocol : {urn::kProtocolHttp, urn::kProtocolHttps})
    info.push_methods.push_back(PushMethod{std::string(protocol), push_bindings});
  for (const std::string& id : c.inbox_services) {
    const ServiceInfo* s = topology_->find_service(id);
    if (s == nullptr) continue;
    for (ServiceContact& contact : topology_->contacts(*s)) {
      v11::ReceivingInboxService r;
      r.contact = std::move(contact);
      // Services 1.1 §4.4.5: none listed means whatever the collection supports.
      r.content_bindings = s->accepted_bindings;
      info.receiving_inbox_services.push_back(std::move(r));
    }
  }
  return info;
}

Result<Message> CollectionManagementService::handle(const Message& request, const RequestContext& ctx) {
  if (const auto* r = std::get_if<v11::ManageCollectionSubscriptionRequest>(&request))
    return subscriptions_.handle(*r, ctx);
  v11::CollectionInformationResponse out;
  for (const CollectionInfo& c : topology_->collections()) {
    auto info = describe(c);
    if (!info.ok()) return info.error();
    out.collections.push_back(std::move(info).value());
  }
  return Message(std::move(out));
}

}  // namespace taxii::services
