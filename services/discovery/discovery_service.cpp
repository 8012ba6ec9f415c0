#include "services/discovery/discovery_service.hpp"

#include <string>

#include "core/urn.hpp"
#include "services/query/query_support.hpp"

namespace taxii::services {

Result<Message> DiscoveryService::handle(const Message& /*request*/, const RequestContext& ctx) {
  v11::DiscoveryResponse out;
  // Each service is listed once per listener, in the requester's own version: a 1.1 client
  // sees services 1.1 / XML 1.1 instances, a 1.0 client 1.0 ones. Listing both versions to
  // 1.1 clients is legal (§4.4.3) but makes clients that pick "the" Poll service (cabby's
  // --discovery) refuse the answer as ambiguous (docs/interop.md).
  const Version v = ctx.requested_version;
  // Likewise each service is listed for the listeners of the requester's own transport (an
  // HTTPS client sees HTTPS instances, an HTTP client HTTP ones): a TLS client is never
  // pointed at a plaintext address, and with one HTTP and one HTTPS listener "the" Poll
  // service stays unambiguous for clients that pick one by type (cabby, docs/interop.md).
  // When no listener matches (e.g. behind a TLS-terminating proxy whose base_url is https),
  // every listener is listed. docs/decisions.md.
  bool any_same_transport = false;
  for (const Listener& l : topology_->listeners())
    any_same_transport = any_same_transport || l.protocol_binding == ctx.protocol_binding;
  const ServiceInfo* self = topology_->find_service(id_);
  const bool advertise = self != nullptr && self->advertise_queries;
  for (const ServiceInfo& s : topology_->services()) {
    const std::vector<v11::ContentBinding> accepted =
        s.type == ServiceType::Inbox ? topology_->inbox_bindings(s) : std::vector<v11::ContentBinding>{};
    // Services 1.1 §4.4.3: Supported_Query only for POLL and COLLECTION_MANAGEMENT (issue #10);
    // TAXII 1.0 has no queries.
    std::vector<v11::SupportedQuery> queries;
    if (advertise && v == Version::V11 &&
        (s.type == ServiceType::Poll || s.type == ServiceType::CollectionManagement))
      queries = QuerySupport(queries_, s.query_formats).supported_queries();
    for (const Listener& l : topology_->listeners()) {
      if (any_same_transport && l.protocol_binding != ctx.protocol_binding) continue;
      {
        v11::ServiceInstance i;
        i.service_type = s.type;
        i.service_version = std::string(v == Version::V11 ? urn::kServices11 : urn::kServices10);
        i.protocol_binding = l.protocol_binding;
        i.address = l.base_url + s.path;
        i.message_bindings = {std::string(v == Version::V11 ? urn::kMessageXml11 : urn::kMessageXml10)};
        // Services 1.1 §4.4.3: Content_Binding only for INBOX; none means "accepts all".
        i.content_bindings = accepted;
        i.supported_queries = queries;
        i.message = s.message;
        out.service_instances.push_back(std::move(i));
      }
    }
  }
  return Message(std::move(out));
}

}  // namespace taxii::services
