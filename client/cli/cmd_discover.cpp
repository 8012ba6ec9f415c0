// taxii discover / taxii collections: what a server offers (Discovery_Response, Services 1.1
// §4.4.3) and which collections it has (Collection_Information_Response, §4.4.5; TAXII 1.0:
// Feed_Information_Response), as text or JSON.
#include <iostream>

#include "client/cli/command.hpp"
#include "client/cli/common.hpp"
#include "core/urn.hpp"

namespace taxii::cli {
namespace {

const char* kExitCodes = "\nExit status: 0 ok, 2 usage, 3 network/HTTP error, 4 TAXII error status.\n";

std::string_view protocol_name(const std::string& id) {
  if (id == urn::kProtocolHttp) return "http";
  if (id == urn::kProtocolHttps) return "https";
  return id;
}

std::string availability(const std::optional<bool>& a) { return !a ? "unknown" : *a ? "yes" : "no"; }

std::string binding_text(const v11::ContentBinding& cb) {
  std::string s = cb.binding_id;
  for (size_t i = 0; i < cb.subtypes.size(); ++i) s += (i == 0 ? ">" : ",") + cb.subtypes[i];
  return s;
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : " ") + s;
  return out;
}

void json_bindings(JsonWriter& w, std::string_view key, const std::vector<v11::ContentBinding>& v) {
  w.key(key).begin_array();
  for (const auto& cb : v) w.begin_object().field("id", cb.binding_id).string_array("subtypes", cb.subtypes).end_object();
  w.end_array();
}

void json_contacts(JsonWriter& w, std::string_view key, const std::vector<ServiceContact>& v) {
  w.key(key).begin_array();
  for (const auto& c : v)
    w.begin_object().field("protocol", c.protocol_binding).field("address", c.address).string_array("message_bindings", c.message_bindings).end_object();
  w.end_array();
}

// Parses the options of a command without its own options; returns -1 to go on.
int parse_plain(const std::string& name, const char* usage, const std::vector<std::string>& argv, Args& args) {
  const auto specs = with_network_options({});
  if (auto err = parse_args(argv, specs, args)) return usage_error(name, *err);
  if (args.has("help")) {
    std::cout << usage << help_options(specs) << kExitCodes;
    return kExitOk;
  }
  if (!args.positional().empty()) {
    // `taxii discover URL` reads naturally; accept one positional URL as --url.
    return usage_error(name, "unexpected argument '" + args.positional()[0] + "' (use --url)");
  }
  return -1;
}

}  // namespace

int run_discover(const std::vector<std::string>& argv) {
  const char* usage =
      "usage: taxii discover --url URL [common options]\n\n"
      "Asks a Discovery service which TAXII services the server offers. --url (or --discovery)\n"
      "is the Discovery service's address; --host alone asks /taxii-discovery-service/.\n\n";
  Args args;
  if (int rc = parse_plain("discover", usage, argv, args); rc >= 0) return rc;
  int rc = kExitOk;
  auto ctx = open_session("discover", args, ServiceType::Discovery, rc);
  if (!ctx) return rc;
  auto r = ctx->session->discover();
  if (!r.ok()) return report(*ctx, r.error());
  if (ctx->json) {
    JsonWriter w(std::cout);
    w.begin_object().field("command", "discover").field("ok", true);
    w.field("url", ctx->session->address(ServiceType::Discovery)->str()).key("services").begin_array();
    for (const auto& si : r->service_instances) {
      w.begin_object().field("type", to_string(si.service_type)).field("version", si.service_version);
      w.key("available");
      if (si.available) w.value(*si.available); else w.null();
      w.field("protocol", si.protocol_binding).field("address", si.address);
      w.string_array("message_bindings", si.message_bindings);
      json_bindings(w, "content_bindings", si.content_bindings);
      w.key("supported_queries").begin_array();
      for (const auto& q : si.supported_queries) w.value(q.format_id);
      w.end_array().field("message", si.message).end_object();
    }
    w.end_array().end_object().finish();
    return kExitOk;
  }
  if (r->service_instances.empty()) std::cout << "(the server reveals no services)\n";
  for (const auto& si : r->service_instances) {
    const std::string type(to_string(si.service_type));
    std::cout << type << std::string(type.size() < 22 ? 22 - type.size() : 1, ' ') << si.address << "\n";
    std::cout << "  protocol " << protocol_name(si.protocol_binding) << ", services " << si.service_version
              << ", available " << availability(si.available) << "\n";
    std::cout << "  message bindings: " << join(si.message_bindings) << "\n";
    if (!si.content_bindings.empty()) {
      std::vector<std::string> cbs;
      for (const auto& cb : si.content_bindings) cbs.push_back(binding_text(cb));
      std::cout << "  content bindings: " << join(cbs) << "\n";
    }
    for (const auto& q : si.supported_queries) std::cout << "  query format: " << q.format_id << "\n";
    if (si.message) std::cout << "  " << *si.message << "\n";
  }
  return kExitOk;
}

int run_collections(const std::vector<std::string>& argv) {
  const char* usage =
      "usage: taxii collections --url URL [common options]\n\n"
      "Lists the collections (TAXII 1.0: feeds) of a Collection Management service, with\n"
      "their content bindings and the services to poll, subscribe and push to.\n\n";
  Args args;
  if (int rc = parse_plain("collections", usage, argv, args); rc >= 0) return rc;
  int rc = kExitOk;
  auto ctx = open_session("collections", args, ServiceType::CollectionManagement, rc);
  if (!ctx) return rc;
  auto r = ctx->session->collection_information();
  if (!r.ok()) return report(*ctx, r.error());
  if (ctx->json) {
    JsonWriter w(std::cout);
    w.begin_object().field("command", "collections").field("ok", true).key("collections").begin_array();
    for (const auto& c : r->collections) {
      w.begin_object().field("name", c.collection_name).field("type", v11::to_string(c.collection_type));
      w.key("available");
      if (c.available) w.value(*c.available); else w.null();
      w.field("description", c.description).field("volume", c.collection_volume);
      json_bindings(w, "content_bindings", c.content_bindings);
      w.key("push_methods").begin_array();
      for (const auto& p : c.push_methods)
        w.begin_object().field("protocol", p.protocol_binding).string_array("message_bindings", p.message_bindings).end_object();
      w.end_array();
      json_contacts(w, "polling_services", c.polling_services);
      json_contacts(w, "subscription_services", c.subscription_services);
      w.key("receiving_inbox_services").begin_array();
      for (const auto& ri : c.receiving_inbox_services) {
        w.begin_object().field("protocol", ri.contact.protocol_binding).field("address", ri.contact.address);
        w.string_array("message_bindings", ri.contact.message_bindings);
        json_bindings(w, "content_bindings", ri.content_bindings);
        w.end_object();
      }
      w.end_array().end_object();
    }
    w.end_array().end_object().finish();
    return kExitOk;
  }
  if (r->collections.empty()) std::cout << "(the server reveals no collections)\n";
  for (const auto& c : r->collections) {
    std::cout << c.collection_name << "  (" << v11::to_string(c.collection_type) << ", available "
              << availability(c.available) << ")\n";
    if (!c.description.empty()) std::cout << "  " << c.description << "\n";
    std::vector<std::string> cbs;
    for (const auto& cb : c.content_bindings) cbs.push_back(binding_text(cb));
    std::cout << "  content bindings: " << (cbs.empty() ? "any" : join(cbs)) << "\n";
    if (c.collection_volume) std::cout << "  volume: " << *c.collection_volume << " records/day\n";
    for (const auto& p : c.polling_services) std::cout << "  poll: " << p.address << " (" << protocol_name(p.protocol_binding) << ")\n";
    for (const auto& s : c.subscription_services)
      std::cout << "  subscribe: " << s.address << " (" << protocol_name(s.protocol_binding) << ")\n";
    for (const auto& ri : c.receiving_inbox_services)
      std::cout << "  inbox: " << ri.contact.address << " (" << protocol_name(ri.contact.protocol_binding) << ")\n";
    for (const auto& p : c.push_methods) std::cout << "  push method: " << protocol_name(p.protocol_binding) << "\n";
  }
  return kExitOk;
}

}  // namespace taxii::cli
