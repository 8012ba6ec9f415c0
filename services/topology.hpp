// Topology: what this taxiid serves, as the services need to know it: the listeners (to
// build absolute service addresses), the service instances and the collections, with which
// service serves which collection. Built once by the server wiring from the configuration
// and immutable afterwards, so it is shared by every service and thread without locking.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/message_v11.hpp"
#include "core/model_common.hpp"

namespace taxii::services {

// One place clients reach the services: a protocol binding and a base URL
// ("https://taxii.example.com:9443"); a service's address is base_url + its path.
struct Listener {
  std::string protocol_binding;  // urn::kProtocolHttp or urn::kProtocolHttps
  std::string base_url;          // no trailing slash
};

// Services 1.1 §3.2.1: an inbox may require Destination_Collection_Name, forbid it, or
// take it when given (and otherwise use its default collections).
enum class DestinationPolicy { Optional, Required, Forbidden };

struct ServiceInfo {
  std::string id;
  ServiceType type = ServiceType::Discovery;
  std::string path;  // "/services/poll"
  std::optional<std::string> message;  // Discovery's Service_Instance/Message
  // Inbox only.
  DestinationPolicy destination_policy = DestinationPolicy::Optional;
  std::vector<std::string> default_collections;
  // Inbox only: what the inbox accepts. Empty: whatever its destination collections accept.
  std::vector<v11::ContentBinding> accepted_bindings;
  // Poll and Collection Management only (issue #10): the query format ids the service
  // supports; nullopt = every registered format, empty = none (services/query_support.hpp).
  std::optional<std::vector<std::string>> query_formats;
  // Discovery only (issue #10): list the Supported_Query of Poll and Collection Management
  // instances. Off by default: libtaxii-based clients that do not import libtaxii's
  // taxii_default_query (cabby) cannot parse a Discovery_Response that has one (docs/query.md).
  bool advertise_queries = false;
};

struct CollectionInfo {
  std::string name;
  std::string description;
  v11::CollectionType type = v11::CollectionType::DataFeed;
  // Content bindings (with optional subtypes) the collection holds. Empty: any.
  std::vector<v11::ContentBinding> accepted_bindings;
  std::vector<std::string> poll_services;   // service ids
  std::vector<std::string> inbox_services;  // service ids
  // Inbox: reject content whose XML does not look like its declared binding (BAD_MESSAGE,
  // content::check_declared; issue #10). Config key `strict_content`.
  bool strict_content = false;
};

class Topology {
 public:
  Topology(std::vector<Listener> listeners, std::vector<ServiceInfo> services,
           std::vector<CollectionInfo> collections);

  const std::vector<Listener>& listeners() const { return listeners_; }
  const std::vector<ServiceInfo>& services() const { return services_; }
  const std::vector<CollectionInfo>& collections() const { return collections_; }

  const ServiceInfo* find_service(std::string_view id) const;
  const CollectionInfo* find_collection(std::string_view name) const;
  // Collections served by this poll (or inbox) service, in configuration order.
  std::vector<const CollectionInfo*> polled_by(std::string_view service_id) const;
  std::vector<const CollectionInfo*> received_by(std::string_view service_id) const;

  // One ServiceContact per listener for a service (Protocol_Binding, absolute Address, and
  // both XML message bindings: every endpoint accepts TAXII 1.1 and 1.0).
  std::vector<ServiceContact> contacts(const ServiceInfo& s) const;

  // What an inbox accepts: its own list, else the union of its collections' lists; empty
  // means anything (one of its collections accepts anything).
  std::vector<v11::ContentBinding> inbox_bindings(const ServiceInfo& inbox) const;

 private:
  std::vector<Listener> listeners_;
  std::vector<ServiceInfo> services_;
  std::vector<CollectionInfo> collections_;
};

// Content-binding matching (Services 1.1 §5.3, §5.3.4).
//
// A block's binding id may be a nesting expression "A|B" (outer to inner); the outermost
// binding decides (docs/decisions.md: content whose inner type cannot be seen is still
// acceptable by its outer binding, Services 1.1 §5.3). A plain block is accepted iff its
// binding is listed and, when the listed entry names subtypes and the block carries one,
// the block's subtype is among them. A block without a subtype is accepted under its
// binding (it claims no refinement). An empty list accepts everything.
bool binding_accepted(const std::vector<v11::ContentBinding>& accepted, std::string_view binding_id,
                      const std::optional<std::string>& subtype);

// The binding ids of a capability list, for SUPPORTED_CONTENT details.
std::vector<std::string> binding_ids(const std::vector<v11::ContentBinding>& list);

}  // namespace taxii::services
