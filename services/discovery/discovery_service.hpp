// DiscoveryService: answers Discovery_Request with every configured service instance
// (Services 1.1 §4.4.2-§4.4.3), one per service x listener x TAXII version.
//
// Each endpoint accepts both TAXII versions, but a Service_Instance names one services
// version and claims every listed message binding works with it, so a 1.1 client sees two
// instances per service and listener: service_version 1.1 with the XML 1.1 binding, and
// service_version 1.0 with the XML 1.0 binding (docs/spec-notes.md M allows 1.0 instances in a
// 1.1 response). A 1.0 client sees only the 1.0 instances. Inbox instances list what the
// inbox accepts (none listed: anything). Poll and Collection Management instances list the
// query formats they support (Supported_Query, from QuerySupport; issue #10) in 1.1 answers,
// when this Discovery service is configured with advertise_queries.
//
// Immutable; thread-safe.
#pragma once

#include <memory>

#include "bindings/query/query_format.hpp"
#include "services/service.hpp"
#include "services/topology.hpp"

namespace taxii::services {

class DiscoveryService final : public Service {
 public:
  // queries: the server's query formats (null: none advertised); service_id: this Discovery
  // service's id (its ServiceInfo::advertise_queries says whether they are advertised).
  explicit DiscoveryService(std::shared_ptr<const Topology> topology, const query::QueryFormatRegistry* queries = nullptr,
                            std::string service_id = {})
      : topology_(std::move(topology)), queries_(queries), id_(std::move(service_id)) {}
  ServiceType type() const override { return ServiceType::Discovery; }
  Result<Message> handle(const Message& request, const RequestContext& ctx) override;

 private:
  std::shared_ptr<const Topology> topology_;
  const query::QueryFormatRegistry* queries_ = nullptr;
  std::string id_;
};

}  // namespace taxii::services
