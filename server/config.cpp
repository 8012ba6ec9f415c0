#include "server/config.hpp"

#include <algorithm>
#include <filesystem>
#include <initializer_list>
#include <set>
#include <utility>

#include <yaml-cpp/yaml.h>

#include "core/urn.hpp"
#include "server/config_reader.hpp"
#include "server/config_taxii2.hpp"

namespace taxii::server {
namespace {

namespace fs = std::filesystem;
using detail::Reader;
using services::CollectionInfo;
using services::DestinationPolicy;
using services::ServiceInfo;

std::string resolve(const fs::path& dir, const std::string& p) {
  const fs::path path(p);
  return (path.is_absolute() ? path : dir / path).lexically_normal().string();
}

std::string strip_slash(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

std::vector<v11::ContentBinding> content_bindings(Reader& r, const YAML::Node& parent, const std::string& pkey) {
  std::vector<v11::ContentBinding> out;
  const YAML::Node n = parent["content_bindings"];
  const std::string key = Reader::join(pkey, "content_bindings");
  if (!n.IsDefined() || n.IsNull()) return out;
  if (!n.IsSequence()) {
    r.error(n, key, "expected a list of content binding ids (or {id, subtypes} mappings)");
    return out;
  }
  for (std::size_t i = 0; i < n.size(); ++i) {
    const std::string k = key + "[" + std::to_string(i) + "]";
    const YAML::Node e = n[i];
    v11::ContentBinding b;
    if (e.IsScalar()) {
      b.binding_id = e.Scalar();
    } else if (r.map(e, k, {"id", "subtypes"})) {
      auto id = r.str(e, k, "id", true);
      if (!id) continue;
      b.binding_id = *id;
      b.subtypes = r.strings(e, k, "subtypes");
    } else {
      continue;
    }
    if (b.binding_id.empty() || b.binding_id.find('|') != std::string::npos) {
      r.error(e, k, "a content binding id, not empty and not a nesting expression");
      continue;
    }
    out.push_back(std::move(b));
  }
  return out;
}

void read_listeners(Reader& r, const YAML::Node& root, const fs::path& dir,
                    const std::optional<std::string>& default_base, ServerConfig& c) {
  const YAML::Node n = root["listeners"];
  if (!n.IsDefined() || !n.IsSequence() || n.size() == 0) {
    r.error(n.IsDefined() ? n : root, "listeners", "a list with at least one listener is required");
    return;
  }
  for (std::size_t i = 0; i < n.size(); ++i) {
    const std::string k = "listeners[" + std::to_string(i) + "]";
    const YAML::Node l = n[i];
    if (!r.map(l, k, {"address", "port", "tls", "public_base_url", "behind_tls_proxy"})) continue;
    ListenerConfig lc;
    lc.options.address = r.str(l, k, "address", false).value_or("127.0.0.1");
    if (!l["port"].IsDefined()) r.error(l, k + ".port", "is required (0 picks a free port)");
    lc.options.port = static_cast<uint16_t>(r.integer(l, k, "port", 0, 65535).value_or(0));
    lc.options.behind_tls_proxy = r.boolean(l, k, "behind_tls_proxy").value_or(false);
    if (const YAML::Node t = l["tls"]; t.IsDefined() && !t.IsNull()) {
      const std::string tk = k + ".tls";
      if (r.map(t, tk, {"cert", "key", "ca", "client_certificates", "min_version", "ciphers"})) {
        http::TlsOptions tls;
        for (auto [name, into, required] : {std::tuple{"cert", &tls.cert, true}, std::tuple{"key", &tls.key, true},
                                            std::tuple{"ca", &tls.ca, false}}) {
          if (auto v = r.str(t, tk, name, required)) {
            *into = resolve(dir, *v);
            if (!fs::exists(*into)) r.error(t[name], tk + "." + name, "file not found: " + *into);
          }
        }
        const std::string mode = r.str(t, tk, "client_certificates", false).value_or("none");
        if (mode == "none") tls.client_certificates = http::ClientCertificates::None;
        else if (mode == "optional") tls.client_certificates = http::ClientCertificates::Optional;
        else if (mode == "required") tls.client_certificates = http::ClientCertificates::Required;
        else r.error(t["client_certificates"], tk + ".client_certificates", "expected none, optional or required");
        if (tls.client_certificates != http::ClientCertificates::None && tls.ca.empty())
          r.error(t, tk + ".ca", "is required when client_certificates is " + mode);
        tls.min_version = r.str(t, tk, "min_version", false).value_or("1.2");
        if (tls.min_version != "1.2" && tls.min_version != "1.3")
          r.error(t["min_version"], tk + ".min_version", "expected \"1.2\" or \"1.3\" (older TLS is never offered)");
        tls.ciphers = r.str(t, tk, "ciphers", false).value_or(tls.ciphers);
        lc.options.tls = std::move(tls);
      }
    }
    const bool https = lc.options.tls.has_value() || lc.options.behind_tls_proxy;
    if (auto base = r.str(l, k, "public_base_url", false)) {
      lc.public_base_url = strip_slash(*base);
    } else if (default_base && default_base->rfind(https ? "https://" : "http://", 0) == 0) {
      lc.public_base_url = default_base;
    }
    if (lc.public_base_url && lc.public_base_url->rfind(https ? "https://" : "http://", 0) != 0)
      r.error(l["public_base_url"].IsDefined() ? l["public_base_url"] : l, k + ".public_base_url",
              std::string("must start with ") + (https ? "https://" : "http://") + " for this listener");
    c.listeners.push_back(std::move(lc));
  }
}

void read_limits(Reader& r, const YAML::Node& root, ServerConfig& c) {
  const YAML::Node n = root["limits"];
  if (n.IsDefined() && !n.IsNull() &&
      r.map(n, "limits", {"max_body_bytes", "max_connections", "threads", "keep_alive_timeout", "request_timeout",
                           "min_data_rate", "min_rate_grace", "max_connections_per_ip", "max_attributes",
                           "max_namespace_declarations"})) {
    Limits& l = c.limits;
    l.max_body_bytes = static_cast<std::size_t>(r.integer(n, "limits", "max_body_bytes", 1024, 1LL << 32).value_or(l.max_body_bytes));
    l.max_connections = static_cast<std::size_t>(r.integer(n, "limits", "max_connections", 1, 1'000'000).value_or(l.max_connections));
    l.threads = static_cast<std::size_t>(r.integer(n, "limits", "threads", 1, 1024).value_or(l.threads));
    l.keep_alive_timeout = std::chrono::seconds(r.integer(n, "limits", "keep_alive_timeout", 1, 86400).value_or(l.keep_alive_timeout.count()));
    l.request_timeout = std::chrono::seconds(r.integer(n, "limits", "request_timeout", 1, 86400).value_or(l.request_timeout.count()));
    l.min_data_rate = static_cast<std::size_t>(r.integer(n, "limits", "min_data_rate", 0, 1LL << 30).value_or(l.min_data_rate));
    l.min_rate_grace = std::chrono::seconds(r.integer(n, "limits", "min_rate_grace", 1, 3600).value_or(l.min_rate_grace.count()));
    l.max_connections_per_ip = static_cast<std::size_t>(
        r.integer(n, "limits", "max_connections_per_ip", 0, 1'000'000).value_or(l.max_connections_per_ip));
    l.max_attributes = static_cast<std::size_t>(r.integer(n, "limits", "max_attributes", 16, 65536).value_or(l.max_attributes));
    l.max_namespace_declarations = static_cast<std::size_t>(
        r.integer(n, "limits", "max_namespace_declarations", 16, 65536).value_or(l.max_namespace_declarations));
  }
  const YAML::Node p = root["poll"];
  if (p.IsDefined() && !p.IsNull() && r.map(p, "poll", {"part_size", "result_ttl", "async_threshold"})) {
    c.poll.part_size = static_cast<uint64_t>(r.integer(p, "poll", "part_size", 1, 1'000'000).value_or(static_cast<long long>(c.poll.part_size)));
    c.poll.result_ttl_seconds = r.integer(p, "poll", "result_ttl", 60, 365LL * 86400).value_or(c.poll.result_ttl_seconds);
    c.poll.async_threshold = static_cast<uint64_t>(
        r.integer(p, "poll", "async_threshold", 0, 1LL << 50).value_or(static_cast<long long>(c.poll.async_threshold)));
  }
}

// log: level, request lines, buffering, format (server/log.hpp).
void read_log(Reader& r, const YAML::Node& root, ServerConfig& c) {
  const YAML::Node n = root["log"];
  if (!n.IsDefined() || n.IsNull() || !r.map(n, "log", {"level", "requests", "buffer_ms", "format"})) return;
  if (auto format = r.str(n, "log", "format", false)) {
    if (*format == "logfmt" || *format == "json") c.log.json = *format == "json";
    else r.error(n["format"], "log.format", "expected logfmt or json");
  }
  if (auto level = r.str(n, "log", "level", false)) {
    if (*level == "debug" || *level == "info" || *level == "warn" || *level == "error") c.log.level = *level;
    else r.error(n["level"], "log.level", "expected debug, info, warn or error");
  }
  c.log.requests = r.boolean(n, "log", "requests").value_or(true);
  c.log.buffer_ms = static_cast<unsigned>(r.integer(n, "log", "buffer_ms", 0, 10'000).value_or(0));
}

// http: the TAXII HTTP binding's tolerance of incomplete headers.
void read_http(Reader& r, const YAML::Node& root, ServerConfig& c) {
  const YAML::Node n = root["http"];
  if (!n.IsDefined() || n.IsNull() || !r.map(n, "http", {"lenient_headers"})) return;
  c.http.lenient_headers = r.boolean(n, "http", "lenient_headers").value_or(false);
}

// push: the outbox worker (services/push/outbox_worker.hpp) and its HTTP client.
void read_push(Reader& r, const YAML::Node& root, const fs::path& dir, ServerConfig& c) {
  const YAML::Node n = root["push"];
  if (!n.IsDefined() || n.IsNull()) return;
  if (!r.map(n, "push", {"max_blocks", "threads", "interval_ms", "retry_initial_ms", "retry_max", "timeout", "lease",
                         "ca", "cert", "key"}))
    return;
  services::PushOptions& o = c.push.options;
  o.max_blocks = static_cast<uint64_t>(r.integer(n, "push", "max_blocks", 1, 100'000).value_or(static_cast<long long>(o.max_blocks)));
  o.threads = static_cast<std::size_t>(r.integer(n, "push", "threads", 1, 64).value_or(static_cast<long long>(o.threads)));
  o.interval = std::chrono::milliseconds(r.integer(n, "push", "interval_ms", 10, 600'000).value_or(o.interval.count()));
  o.retry_initial = std::chrono::milliseconds(r.integer(n, "push", "retry_initial_ms", 10, 3'600'000).value_or(o.retry_initial.count()));
  o.retry_max = std::chrono::seconds(r.integer(n, "push", "retry_max", 1, 86400).value_or(300));
  c.push.timeout = std::chrono::seconds(r.integer(n, "push", "timeout", 1, 3600).value_or(c.push.timeout.count()));
  o.lease = std::chrono::seconds(r.integer(n, "push", "lease", 2, 86400).value_or(std::max<long long>(60, 2 * c.push.timeout.count())));
  if (o.lease <= c.push.timeout)
    r.error(n["lease"], "push.lease", "must be longer than push.timeout (a claim must outlive one exchange)");
  for (auto [name, into] : {std::pair{"ca", &c.push.tls.ca}, std::pair{"cert", &c.push.tls.cert}, std::pair{"key", &c.push.tls.key}}) {
    if (auto v = r.str(n, "push", name, false)) {
      *into = resolve(dir, *v);
      if (!fs::exists(*into)) r.error(n[name], std::string("push.") + name, "file not found: " + *into);
    }
  }
  if (!c.push.tls.key.empty() && c.push.tls.cert.empty()) r.error(n["key"], "push.key", "needs push.cert");
}

void read_services(Reader& r, const YAML::Node& root, ServerConfig& c) {
  const YAML::Node n = root["services"];
  if (!n.IsDefined() || !n.IsSequence() || n.size() == 0) {
    r.error(n.IsDefined() ? n : root, "services", "a list with at least one service is required");
    return;
  }
  std::set<std::string> ids, paths;
  for (std::size_t i = 0; i < n.size(); ++i) {
    const std::string k = "services[" + std::to_string(i) + "]";
    const YAML::Node s = n[i];
    if (!r.map(s, k, {"id", "type", "path", "description", "destination_collection_names", "default_collections",
                      "content_bindings", "queries", "advertise_queries"}))
      continue;
    ServiceInfo info;
    info.id = r.str(s, k, "id", true).value_or("");
    if (!info.id.empty() && !ids.insert(info.id).second) r.error(s["id"], k + ".id", "duplicate service id " + info.id);
    const std::string type = r.str(s, k, "type", true).value_or("");
    if (type == "discovery") info.type = ServiceType::Discovery;
    else if (type == "collection_management") info.type = ServiceType::CollectionManagement;
    else if (type == "inbox") info.type = ServiceType::Inbox;
    else if (type == "poll") info.type = ServiceType::Poll;
    else if (!type.empty()) r.error(s["type"], k + ".type", "expected discovery, collection_management, inbox or poll");
    info.path = strip_slash(r.str(s, k, "path", true).value_or("/"));
    if (info.path.empty() || info.path[0] != '/' || info.path.find_first_of("?# ") != std::string::npos)
      r.error(s["path"], k + ".path", "must be an absolute URL path such as /services/poll");
    else if (!paths.insert(info.path).second)
      r.error(s["path"], k + ".path", "two services share the path " + info.path);
    info.message = r.str(s, k, "description", false);
    const bool inbox = info.type == ServiceType::Inbox;
    for (const char* only : {"destination_collection_names", "default_collections", "content_bindings"})
      if (!inbox && s[only].IsDefined()) r.error(s[only], k + "." + only, "only for inbox services");
    const std::string policy = r.str(s, k, "destination_collection_names", false).value_or("optional");
    if (policy == "optional") info.destination_policy = DestinationPolicy::Optional;
    else if (policy == "required") info.destination_policy = DestinationPolicy::Required;
    else if (policy == "forbidden") info.destination_policy = DestinationPolicy::Forbidden;
    else r.error(s["destination_collection_names"], k + ".destination_collection_names",
                 "expected optional, required or forbidden");
    info.default_collections = r.strings(s, k, "default_collections");
    info.accepted_bindings = content_bindings(r, s, k);
    // Issue #10: the query formats a poll / collection management service supports (absent:
    // every registered format; []: none). Ids are checked against the registry at start-up.
    if (s["queries"].IsDefined()) {
      if (info.type != ServiceType::Poll && info.type != ServiceType::CollectionManagement)
        r.error(s["queries"], k + ".queries", "only for poll and collection_management services");
      else if (s["queries"].IsNull())
        info.query_formats = std::vector<std::string>{};
      else
        info.query_formats = r.strings(s, k, "queries");
    }
    if (s["advertise_queries"].IsDefined()) {
      if (info.type != ServiceType::Discovery) r.error(s["advertise_queries"], k + ".advertise_queries", "only for discovery services");
      info.advertise_queries = r.boolean(s, k, "advertise_queries").value_or(false);
    }
    c.services.push_back(std::move(info));
  }
}

void read_collections(Reader& r, const YAML::Node& root, ServerConfig& c) {
  const YAML::Node n = root["collections"];
  if (!n.IsDefined() || n.IsNull()) return;
  if (!n.IsSequence()) {
    r.error(n, "collections", "expected a list");
    return;
  }
  std::set<std::string> names;
  for (std::size_t i = 0; i < n.size(); ++i) {
    const std::string k = "collections[" + std::to_string(i) + "]";
    const YAML::Node y = n[i];
    if (!r.map(y, k, {"name", "description", "type", "content_bindings", "service_ids", "permissions",
                      "strict_content"}))
      continue;
    CollectionInfo info;
    info.name = r.str(y, k, "name", true).value_or("");
    if (!info.name.empty() && !names.insert(info.name).second)
      r.error(y["name"], k + ".name", "duplicate collection name " + info.name);
    info.description = r.str(y, k, "description", false).value_or(info.name);
    const std::string type = r.str(y, k, "type", false).value_or("DATA_FEED");
    if (type == "DATA_FEED") info.type = v11::CollectionType::DataFeed;
    else if (type == "DATA_SET") info.type = v11::CollectionType::DataSet;
    else r.error(y["type"], k + ".type", "expected DATA_FEED or DATA_SET, got \"" + type + "\"");
    info.accepted_bindings = content_bindings(r, y, k);
    info.strict_content = r.boolean(y, k, "strict_content").value_or(false);  // issue #10
    const auto ids = r.strings(y, k, "service_ids");
    for (std::size_t j = 0; j < ids.size(); ++j) {
      const auto it = std::find_if(c.services.begin(), c.services.end(), [&](const ServiceInfo& s) { return s.id == ids[j]; });
      const std::string sk = k + ".service_ids[" + std::to_string(j) + "]";
      if (it == c.services.end()) r.error(y["service_ids"], sk, "no service with id " + ids[j]);
      else if (it->type == ServiceType::Poll) info.poll_services.push_back(ids[j]);
      else if (it->type == ServiceType::Inbox) info.inbox_services.push_back(ids[j]);
      else r.error(y["service_ids"], sk, ids[j] + " is not a poll or inbox service");
    }
    if (const YAML::Node pn = y["permissions"]; pn.IsDefined() && !pn.IsNull() && r.map(pn, k + ".permissions", {"read", "write"})) {
      // Only where permissions are given; others get the default (docs/security.md).
      auth::Permissions perm;
      if (pn["read"].IsDefined()) perm.read = r.strings(pn, k + ".permissions", "read");
      if (pn["write"].IsDefined()) perm.write = r.strings(pn, k + ".permissions", "write");
      c.collection_permissions[info.name] = std::move(perm);
    }
    c.collections.push_back(std::move(info));
  }
  // Inbox default collections must be collections the inbox delivers to.
  const YAML::Node sn = root["services"];
  for (std::size_t i = 0; i < c.services.size(); ++i) {
    for (const std::string& d : c.services[i].default_collections) {
      const auto it = std::find_if(c.collections.begin(), c.collections.end(), [&](const CollectionInfo& x) { return x.name == d; });
      const bool served = it != c.collections.end() &&
                          std::find(it->inbox_services.begin(), it->inbox_services.end(), c.services[i].id) !=
                              it->inbox_services.end();
      if (!served)
        r.error(sn.IsSequence() && i < sn.size() ? sn[i]["default_collections"] : root,
                "services[" + std::to_string(i) + "].default_collections",
                d + " is not a collection that lists " + c.services[i].id + " in its service_ids");
    }
  }
}

// auth: accounts (pre-computed hashes only), groups, certificates, limits (docs/security.md).
void read_auth(Reader& r, const YAML::Node& root, ServerConfig& c) {
  const YAML::Node n = root["auth"];
  if (!n.IsDefined() || n.IsNull()) return;
  if (!r.map(n, "auth", {"allow_basic_over_http", "public_discovery", "pbkdf2_iterations", "cache_seconds",
                         "rate_limit", "users", "groups", "client_certificates"}))
    return;
  AuthConfig a;
  a.options.allow_basic_over_http = r.boolean(n, "auth", "allow_basic_over_http").value_or(false);
  a.public_discovery = r.boolean(n, "auth", "public_discovery").value_or(false);
  a.iterations = static_cast<uint32_t>(
      r.integer(n, "auth", "pbkdf2_iterations", auth::kMinIterations, 100'000'000).value_or(a.iterations));
  a.options.cache_ttl = std::chrono::seconds(r.integer(n, "auth", "cache_seconds", 0, 3600).value_or(60));
  if (const YAML::Node rl = n["rate_limit"]; rl.IsDefined() && !rl.IsNull() && r.map(rl, "auth.rate_limit", {"burst", "refill_ms"})) {
    a.options.burst = static_cast<double>(r.integer(rl, "auth.rate_limit", "burst", 1, 1'000'000).value_or(10));
    a.options.refill = std::chrono::milliseconds(r.integer(rl, "auth.rate_limit", "refill_ms", 1, 86'400'000).value_or(6000));
  }
  const YAML::Node users = n["users"];
  if (users.IsDefined() && !users.IsSequence()) r.error(users, "auth.users", "expected a list");
  for (std::size_t i = 0; users.IsDefined() && users.IsSequence() && i < users.size(); ++i) {
    const std::string k = "auth.users[" + std::to_string(i) + "]";
    if (!r.map(users[i], k, {"name", "password_hash", "groups"})) continue;
    auth::Account acc;
    acc.user = r.str(users[i], k, "name", true).value_or("");
    if (auto h = r.str(users[i], k, "password_hash", false)) {
      auto parsed = auth::parse_hash(*h);
      if (!parsed.ok()) r.error(users[i]["password_hash"], k + ".password_hash", parsed.error().message() + " (use `taxiid user hash`)");
      else acc.hash = std::move(parsed).value();
    }
    acc.groups = r.strings(users[i], k, "groups");
    a.users.push_back(std::move(acc));
  }
  if (const YAML::Node g = n["groups"]; g.IsDefined() && !g.IsNull()) {
    if (!g.IsMap()) r.error(g, "auth.groups", "expected a mapping group: [users]");
    for (auto it = g.begin(); g.IsMap() && it != g.end(); ++it) {
      const std::string group = it->first.Scalar();
      for (const std::string& u : r.strings(g, "auth.groups", group.c_str())) {
        auto acc = std::find_if(a.users.begin(), a.users.end(), [&](const auth::Account& x) { return x.user == u; });
        if (acc == a.users.end()) r.error(it->second, "auth.groups." + group, "no user " + u + " in auth.users");
        else acc->groups.push_back(group);
      }
    }
  }
  if (const YAML::Node cc = n["client_certificates"]; cc.IsDefined() && !cc.IsNull() &&
                                                       r.map(cc, "auth.client_certificates", {"mode", "map"})) {
    const std::string mode = r.str(cc, "auth.client_certificates", "mode", false).value_or(cc["map"].IsDefined() ? "map" : "off");
    if (mode == "map") a.options.certificates = auth::CertificateMode::Map;
    else if (mode == "cn") a.options.certificates = auth::CertificateMode::Cn;
    else if (mode != "off") r.error(cc["mode"], "auth.client_certificates.mode", "expected map, cn or off");
    const YAML::Node m = cc["map"];
    for (std::size_t i = 0; m.IsDefined() && m.IsSequence() && i < m.size(); ++i) {
      const std::string k = "auth.client_certificates.map[" + std::to_string(i) + "]";
      if (!r.map(m[i], k, {"subject", "san", "user"})) continue;
      auth::CertificateMapping cm;
      cm.subject = r.str(m[i], k, "subject", false).value_or("");
      cm.san = r.str(m[i], k, "san", false).value_or("");
      cm.user = r.str(m[i], k, "user", true).value_or("");
      if (cm.subject.empty() == cm.san.empty()) r.error(m[i], k, "give exactly one of subject and san");
      a.options.certificate_map.push_back(std::move(cm));
    }
  }
  c.auth = std::move(a);
}

}  // namespace

ConfigLoad load_config(const std::string& path) {
  ConfigLoad out;
  std::error_code ec;
  const fs::path abs = fs::absolute(path, ec).lexically_normal();
  Reader r(path, out.errors);
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    out.errors.push_back(path + ": cannot read the file");
    return out;
  } catch (const YAML::Exception& e) {
    out.errors.push_back(path + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
    return out;
  }
  if (!root.IsMap()) {
    out.errors.push_back(path + ":1: the configuration must be a YAML mapping");
    return out;
  }
  r.map(root, "", {"listeners", "public_base_url", "storage", "limits", "poll", "push", "services", "collections", "auth", "log",
                    "http", "taxii2"});
  ServerConfig c;
  c.file = abs.string();
  const fs::path dir = abs.parent_path();
  std::optional<std::string> default_base = r.str(root, "", "public_base_url", false);
  if (default_base) default_base = strip_slash(*default_base);
  read_listeners(r, root, dir, default_base, c);

  if (auto storage = r.str(root, "", "storage", true)) {
    const std::string& s = *storage;
    if (s.rfind("sqlite://", 0) == 0 && s.size() > 9 && s[9] != '/') {
      c.storage_uri = "sqlite://" + resolve(dir, s.substr(9));  // relative to the config file
    } else if (s.find(':') == std::string::npos || s.find(':') == 0) {
      r.error(root["storage"], "storage", "expected a store URI such as sqlite://data/taxii.db");
    } else {
      c.storage_uri = s;
    }
  }
  read_limits(r, root, c);
  read_log(r, root, c);
  read_http(r, root, c);
  read_push(r, root, dir, c);
  read_services(r, root, c);
  read_collections(r, root, c);
  read_auth(r, root, c);
  read_taxii2(r, root, c);  // TAXII 2.1 (issue #22)
  if (c.auth) c.auth->permissions = std::move(c.collection_permissions);
  else if (!c.collection_permissions.empty())
    r.error(root["collections"], "collections[].permissions", "needs an auth: section (without it everything is open)");
  if (out.errors.empty()) out.config = std::move(c);
  return out;
}

}  // namespace taxii::server
