#include "services/topology.hpp"

#include <algorithm>
#include <utility>

#include "core/urn.hpp"

namespace taxii::services {

Topology::Topology(std::vector<Listener> listeners, std::vector<ServiceInfo> services,
                   std::vector<CollectionInfo> collections)
    : listeners_(std::move(listeners)),
      services_(std::move(services)),
      collections_(std::move(collections)) {}

const ServiceInfo* Topology::find_service(std::string_view id) const {
  for (const auto& s : services_)
    if (s.id == id) return &s;
  return nullptr;
}

const CollectionInfo* Topology::find_collection(std::string_view name) const {
  for (const auto& c : collections_)
    if (c.name == name) return &c;
  return nullptr;
}

namespace {
bool contains(const std::vector<std::string>& v, std::string_view x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}
}  // namespace

std::vector<const CollectionInfo*> Topology::polled_by(std::string_view service_id) const {
  std::vector<const CollectionInfo*> out;
  for (const auto& c : collections_)
    if (contains(c.poll_services, service_id)) out.push_back(&c);
  return out;
}

std::vector<const CollectionInfo*> Topology::received_by(std::string_view service_id) const {
  std::vector<const CollectionInfo*> out;
  for (const auto& c : collections_)
    if (contains(c.inbox_services, service_id)) out.push_back(&c);
  return out;
}

std::vector<ServiceContact> Topology::contacts(const ServiceInfo& s) const {
  std::vector<ServiceContact> out;
  for (const auto& l : listeners_) {
    ServiceContact c;
    c.protocol_binding = l.protocol_binding;
    c.address = l.base_url + s.path;
    c.message_bindings = {std::string(urn::kMessageXml11), std::string(urn::kMessageXml10)};
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<v11::ContentBinding> Topology::inbox_bindings(const ServiceInfo& inbox) const {
  if (!inbox.accepted_bindings.empty()) return inbox.accepted_bindings;
  std::vector<v11::ContentBinding> out;
  for (const CollectionInfo* c : received_by(inbox.id)) {
    if (c->accepted_bindings.empty()) return {};  // one collection takes anything
    for (const auto& b : c->accepted_bindings) {
      auto it = std::find_if(out.begin(), out.end(),
                             [&](const v11::ContentBinding& x) { return x.binding_id == b.binding_id; });
      if (it == out.end()) {
        out.push_back(b);
      } else if (it->subtypes.empty() || b.subtypes.empty()) {
        it->subtypes.clear();  // one of them takes every subtype
      } else {
        for (const auto& st : b.subtypes)
          if (!contains(it->subtypes, st)) it->subtypes.push_back(st);
      }
    }
  }
  return out;
}

namespace {

bool plain_accepted(const std::vector<v11::ContentBinding>& accepted, std::string_view id,
                    const std::optional<std::string>& subtype) {
  for (const auto& b : accepted) {
    if (b.binding_id != id) continue;
    if (b.subtypes.empty() || !subtype) return true;
    if (contains(b.subtypes, *subtype)) return true;
  }
  return false;
}

}  // namespace

bool binding_accepted(const std::vector<v11::ContentBinding>& accepted, std::string_view binding_id,
                      const std::optional<std::string>& subtype) {
  if (accepted.empty()) return true;
  const std::size_t bar = binding_id.find('|');
  if (bar == std::string_view::npos) return plain_accepted(accepted, binding_id, subtype);
  // Services 1.1 §5.3, §5.4.1: nesting "outer|inner"; the outermost binding decides
  // (docs/decisions.md). Subtypes are not used with nesting.
  return plain_accepted(accepted, binding_id.substr(0, bar), std::nullopt);
}

std::vector<std::string> binding_ids(const std::vector<v11::ContentBinding>& list) {
  std::vector<std::string> out;
  for (const auto& b : list) out.push_back(b.binding_id);
  return out;
}

}  // namespace taxii::services
