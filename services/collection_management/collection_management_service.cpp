#include "services/collection_management/collection_management_service.hpp"

#include <variant>

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

Result<Message> CollectionManagementService::handle(const Message& request, const RequestContext&) {
  if (std::holds_alternative<v11::ManageCollectionSubscriptionRequest>(request))
    return Error::failure("subscriptions are not supported yet");
  v11::CollectionInformationResponse out;
  for (const CollectionInfo& c : topology_->collections()) {
    auto info = describe(c);
    if (!info.ok()) return info.error();
    out.collections.push_back(std::move(info).value());
  }
  return Message(std::move(out));
}

}  // namespace taxii::services
