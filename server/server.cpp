#include "server/server.hpp"

#include <filesystem>
#include <utility>

#include <Poco/Exception.h>
#include <Poco/Net/DNS.h>
#include <Poco/Net/IPAddress.h>

#include "auth/access.hpp"
#include "auth/authenticator.hpp"
#include "bindings/content/content_binding.hpp"
#include "bindings/query/query_format.hpp"
#include "bindings/xml/xml_document.hpp"
#include "bindings/http/health.hpp"
#include "bindings/http/router.hpp"
#include "bindings/http/taxii_handler.hpp"
#include "core/urn.hpp"
#include "server/accounts.hpp"
#include "server/dispatcher_app.hpp"
#include "server/push_sender.hpp"
#include "services/collection_management/collection_management_service.hpp"
#include "services/discovery/discovery_service.hpp"
#include "services/dispatcher.hpp"
#include "services/inbox/inbox_service.hpp"
#include "services/poll/poll_service.hpp"
#include "services/push/outbox_worker.hpp"
#include "storage/store.hpp"
#include "taxii21/cursor_key.hpp"
#include "taxii21/rest_app.hpp"

namespace taxii::server {
namespace {

std::string host_for_url(const std::string& address) {
  std::string host = address;
  if (address == "0.0.0.0" || address == "::" || address.empty()) {
    try {
      host = Poco::Net::DNS::hostName();
    } catch (const Poco::Exception&) {
      host = "localhost";
    }
  }
  if (host.find(':') != std::string::npos) host = "[" + host + "]";  // IPv6 literal
  return host;
}

// One log line per outbox event (docs/server.md, "Logs").
void log_outbox(Logger& log, const services::OutboxEvent& e) {
  using Kind = services::OutboxEvent::Kind;
  switch (e.kind) {
    case Kind::Delivered:
      log.info("push", {{"id", e.id}, {"to", e.address}, {"blocks", std::to_string(e.blocks)}});
      break;
    case Kind::Failed:
      log.warn("push_failed", {{"id", e.id},
                               {"to", e.address},
                               {"attempt", std::to_string(e.attempt)},
                               {"retry_in_ms", std::to_string(e.retry_in_ms)},
                               {"msg", e.message}});
      break;
    case Kind::AsyncBuilt:
      log.info("async_built", {{"id", e.id}, {"parts", std::to_string(e.blocks)}});
      break;
    case Kind::AsyncFailed:
      log.error("async_failed", {{"id", e.id}, {"attempt", std::to_string(e.attempt)}, {"msg", e.message}});
      break;
    case Kind::Metrics:
      log.info("push_metrics", {{"messages", std::to_string(e.counters.messages)},
                                {"blocks", std::to_string(e.counters.blocks)},
                                {"failures", std::to_string(e.counters.failures)},
                                {"async_built", std::to_string(e.counters.async_built)},
                                {"async_failed", std::to_string(e.counters.async_failed)}});
      break;
  }
}

}  // namespace

struct Server::Parts {
  Logger* log = nullptr;
  // Issue #10: filled once at start-up, immutable afterwards, shared by reference.
  content::ContentBindingRegistry content_bindings;
  query::QueryFormatRegistry queries;
  std::unique_ptr<storage::Store> store;
  std::shared_ptr<services::Topology> topology;
  std::unique_ptr<services::OutboxWorker> outbox;  // push delivery and asynchronous results
  std::unique_ptr<services::Dispatcher> dispatcher;
  std::unique_ptr<StoreAccounts> accounts;             // issue #7: config seeds, then the store
  std::unique_ptr<auth::Authenticator> authenticator;  // null without an auth: section
  std::unique_ptr<DispatcherApp> app;
  std::unique_ptr<http::TaxiiHandler> handler;
  std::unique_ptr<http::HealthApplication> health;
  std::unique_ptr<taxii21::RestApplication> rest;  // TAXII 2.1 (issue #22), with a taxii2: section
  http::Router router;  // TAXII 1.x and the operations endpoints on every listener
  std::unique_ptr<http::HttpServer> http;
  std::vector<std::string> base_urls;
  bool stopped = false;
};

Server::Server(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}
Server::~Server() { stop(); }

namespace {

// The store, and the directory of an SQLite file; the configured collections exist.
Status open_store(Server::Parts& p, const ServerConfig& config) {
  const std::string& uri = config.storage_uri;
  if (uri.rfind("sqlite:///", 0) == 0) {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(uri.substr(9)).parent_path(), ec);
    if (ec) return Error::failure("storage: cannot create the directory of " + uri.substr(9) + ": " + ec.message());
  }
  auto store = storage::open_store(uri);
  if (!store.ok()) return Error::failure("storage: " + store.error().message());
  p.store = std::move(store).value();
  for (const auto& c : config.collections) {
    if (auto s = p.store->ensure_collection(c.name); !s.ok())
      return Error::failure("storage: cannot create collection " + c.name + ": " + s.error().message());
  }
  return Ok{};
}

// The dispatcher, with authentication and per-collection access when there is an auth: section.
void make_dispatcher(Server::Parts& p, const ServerConfig& config, Logger& log) {
  p.dispatcher = std::make_unique<services::Dispatcher>([&log](const std::string& req, const std::string& what) {
    log.error("dispatch", {{"req", req}, {"msg", what}});
  });
  if (config.auth) {
    const AuthConfig& a = *config.auth;
    p.accounts = std::make_unique<StoreAccounts>(a.users, *p.store);
    p.authenticator = std::make_unique<auth::Authenticator>(
        *p.accounts, a.options, [&log](const std::string& user, const std::string& remote, const std::string& why) {
          log.warn("login_failed", {{"user", user}, {"remote", remote}, {"msg", why}});
        });
    std::map<std::string, std::vector<std::string>, std::less<>> inbox_defaults;
    for (const auto& s : config.services)
      if (s.type == ServiceType::Inbox) inbox_defaults[s.path] = s.default_collections;
    p.dispatcher->set_access(std::make_shared<auth::AccessPolicy>(a.public_discovery, a.permissions),
                             std::move(inbox_defaults));
  }
  p.app = std::make_unique<DispatcherApp>(*p.dispatcher, p.authenticator.get());
}

http::HandlerOptions handler_options(const ServerConfig& config, Logger& log) {
  http::HandlerOptions ho;
  ho.max_body_bytes = config.limits.max_body_bytes;
  ho.lenient_headers = config.http.lenient_headers;
  if (ho.lenient_headers)
    log.warn("lenient_headers", {{"msg", "requests without Content-Type, X-TAXII-Services or X-TAXII-Protocol are "
                                         "served (http.lenient_headers; HTTP 1.0 §2 requires them)"}});
  ho.parse_limits.max_attributes = config.limits.max_attributes;
  ho.parse_limits.max_namespace_declarations = config.limits.max_namespace_declarations;
  return ho;
}

http::EngineOptions engine_options(const ServerConfig& config) {
  http::EngineOptions eo;
  eo.threads = config.limits.threads;
  eo.max_connections = config.limits.max_connections;
  eo.keep_alive_timeout = config.limits.keep_alive_timeout;
  eo.request_timeout = config.limits.request_timeout;
  eo.max_body_bytes = config.limits.max_body_bytes;
  eo.min_data_rate = config.limits.min_data_rate;
  eo.min_rate_grace = config.limits.min_rate_grace;
  eo.max_connections_per_ip = config.limits.max_connections_per_ip;
  return eo;
}

// TAXII 2.1 (docs/taxii21.md): the REST application under the discovery prefix and each API
// root, with the 1.x accounts (the same Authenticator) and the same store.
Status add_taxii2_routes(Server::Parts& p, const ServerConfig& config, Logger& log) {
  if (!config.taxii2) return Ok{};
  taxii21::RestDeps deps;
  deps.authenticator = p.authenticator.get();
  deps.public_discovery = config.auth && config.auth->public_discovery;
  deps.store = p.store.get();
  std::string warning;
  deps.cursor_key = taxii21::cursor_key(*config.taxii2, *p.store, warning);
  if (!warning.empty()) log.warn("taxii2_cursor_key", {{"msg", warning}});
  for (const auto& root : config.taxii2->roots)
    for (const auto& c : root.collections)
      if (auto s = p.store->ensure_object_collection(c.id); !s.ok())
        return Error::failure("storage: cannot create TAXII 2.1 collection " + c.id + ": " + s.error().message());
  deps.log = [&log](const http::RequestLog& r) { log.request(r); };
  p.rest = std::make_unique<taxii21::RestApplication>(*config.taxii2, std::move(deps));
  for (const std::string& prefix : p.rest->prefixes())
    p.router.add(prefix, http::Router::Match::Prefix, taxii21::RestApplication::methods(), *p.rest);
  return Ok{};
}

// The applications on every listener (docs/server.md): TAXII 1.x at each service path (POST,
// HTTP 1.0 §3), and for a POST to any other path (its NOT_FOUND Status_Message); GET and HEAD
// /health.
Status add_routes(Server::Parts& p, const ServerConfig& config, Logger& log) {
  constexpr std::string_view kHealth = "/health";
  for (const auto& s : config.services) {
    if (s.path == kHealth || s.path.rfind("/health/", 0) == 0)
      return Error::failure("service " + s.id + ": the path " + s.path + " is taxiid's health endpoint");
    p.router.add(s.path, http::Router::Match::Exact, {"POST"}, *p.handler);
  }
  p.router.fallback("POST", *p.handler);
  // Readiness asks the store one indexed question (a configured collection, or any name): a
  // PostgreSQL server that went away makes it fail (docs/operations.md).
  storage::ContentStore& content = *p.store;
  const std::string probe = config.collections.empty() ? std::string("health") : config.collections.front().name;
  p.health = std::make_unique<http::HealthApplication>(TAXII_VERSION, [&content, &log, probe]() -> std::optional<std::string> {
    auto r = content.has_collection(probe);
    if (r.ok()) return std::nullopt;
    log.error("health", {{"check", "store"}, {"error", r.error().message()}});
    return std::string("the store does not answer");
  });
  for (const char* path : {"/health", "/health/live", "/health/ready"})
    p.router.add(path, http::Router::Match::Exact, {"GET", "HEAD"}, *p.health);
  if (auto s = add_taxii2_routes(p, config, log); !s.ok()) return s;
  p.router.set_log([&log](std::string_view method, std::string_view path, int status, std::string_view id,
                          const http::ConnectionInfo& c) {
    http::RequestLog r;
    r.request_id = std::string(id);
    r.remote = c.remote;
    r.method = std::string(method);
    r.path = http::displayable_path(path);
    r.http_status = status;
    r.note = status == 405 ? "method not allowed" : "no route";
    log.request(r);
  });
  return Ok{};
}

// The listeners, bound now so that Discovery can name the ports really in use, serving the
// router.
Status bind_http(Server::Parts& p, const ServerConfig& config, Logger& log) {
  std::vector<http::ListenerOptions> listeners;
  for (const auto& l : config.listeners) listeners.push_back(l.options);
  const http::Router* router = &p.router;
  auto server = http::HttpServer::create(
      listeners, engine_options(config),
      [router](Poco::Net::HTTPServerRequest& rq, Poco::Net::HTTPServerResponse& rs, const http::ConnectionInfo& ci) {
        router->serve(rq, rs, ci);
      },
      [&log](const std::string& m) { log.warn("http", {{"msg", m}}); },
      [router](Poco::Net::HTTPServerRequest& rq, Poco::Net::HTTPServerResponse& rs, const http::ConnectionInfo& ci) {
        return router->gate(rq, rs, ci);
      },
      [router](int status, std::string_view why, const http::HttpServer::RefusedRequest& rq,
               const http::ConnectionInfo& ci) { return router->refusal(status, why, rq, ci); });
  if (!server.ok()) return server.error();
  p.http = std::move(server).value();
  return Ok{};
}

// The topology: one Listener per bound socket, with its advertised base URL.
void make_topology(Server::Parts& p, const ServerConfig& config) {
  std::vector<services::Listener> tl;
  const auto& bound = p.http->bound();
  for (std::size_t i = 0; i < bound.size(); ++i) {
    const auto& b = bound[i];
    std::string base = config.listeners[i].public_base_url.value_or(
        std::string(b.https ? "https://" : "http://") + host_for_url(b.address) + ":" + std::to_string(b.port));
    p.base_urls.push_back(base);
    tl.push_back({std::string(b.https ? urn::kProtocolHttps : urn::kProtocolHttp), base});
  }
  p.topology = std::make_shared<services::Topology>(std::move(tl), config.services, config.collections);
}

}  // namespace

Result<std::unique_ptr<Server>> Server::create(const ServerConfig& config, Logger& log) {
  auto p = std::make_unique<Parts>();
  p->log = &log;
  if (auto s = content::register_builtin_content_bindings(p->content_bindings); !s.ok())
    return Error::failure("content bindings: " + s.error().message());
  if (auto s = query::register_builtin_query_formats(p->queries); !s.ok())
    return Error::failure("query formats: " + s.error().message());
  for (std::size_t i = 0; i < config.services.size(); ++i)
    for (const std::string& id : config.services[i].query_formats.value_or(std::vector<std::string>{}))
      if (p->queries.find(id) == nullptr)
        return Error::failure("services[" + std::to_string(i) + "].queries: unknown query format " + id);
  if (auto s = open_store(*p, config); !s.ok()) return s.error();
  make_dispatcher(*p, config, log);
  p->handler = std::make_unique<http::TaxiiHandler>(*p->app, handler_options(config, log),
                                                    [&log](const http::RequestLog& r) { log.request(r); });
  if (auto s = add_routes(*p, config, log); !s.ok()) return s.error();
  if (auto s = bind_http(*p, config, log); !s.ok()) return s.error();
  make_topology(*p, config);

  // The outbox worker delivers pushes and builds asynchronous results; the services wake it
  // when they create work, so that it need not wait for its next idle check.
  const PushConfig push = config.push;
  p->outbox = std::make_unique<services::OutboxWorker>(
      p->topology, *p->store,
      [push] { return std::make_unique<HttpPushSender>(push.tls, push.timeout); }, push.options,
      [&log](const services::OutboxEvent& e) { log_outbox(log, e); }, &p->queries);
  const services::Plugins plugins{&p->content_bindings, &p->queries};
  services::OutboxWorker* outbox = p->outbox.get();
  const auto wake = [outbox] { outbox->wake(); };
  for (const auto& s : config.services) {
    std::shared_ptr<services::Service> svc;
    switch (s.type) {
      case ServiceType::Discovery:
        svc = std::make_shared<services::DiscoveryService>(p->topology, &p->queries, s.id);
        break;
      case ServiceType::CollectionManagement:
        svc = std::make_shared<services::CollectionManagementService>(p->topology, *p->store, wake,
                                                                      services::QuerySupport(plugins, &s));
        break;
      case ServiceType::Inbox:
        svc = std::make_shared<services::InboxService>(p->topology, *p->store, s.id, wake, &p->content_bindings);
        break;
      case ServiceType::Poll:
        svc = std::make_shared<services::PollService>(p->topology, *p->store, s.id, config.poll, wake, plugins);
        break;
    }
    p->dispatcher->add(s.path, std::move(svc));
  }
  return std::unique_ptr<Server>(new Server(std::move(p)));
}

void Server::start() {
  // The schemas are compiled before the first connection is accepted, not on the first
  // request (~15 ms, and the workers must not race to build Xerces' lazy tables: docs/security.md).
  xml::preload_grammars();
  parts_->http->start();
  parts_->outbox->start();
  parts_->health->set_started(true);
}

void Server::stop() {
  if (!parts_ || parts_->stopped) return;
  parts_->stopped = true;
  if (parts_->health) parts_->health->set_started(false);  // /health/ready: 503 while stopping
  if (parts_->http) parts_->http->stop();  // in-flight requests finish first
  if (parts_->outbox) parts_->outbox->stop();  // exchanges in flight finish (push.timeout at most)
  parts_->store.reset();  // closes the database; no service runs any more
}

const std::vector<http::BoundListener>& Server::bound() const { return parts_->http->bound(); }
const std::vector<std::string>& Server::base_urls() const { return parts_->base_urls; }
Status Server::reload_tls() { return parts_->http->reload_tls(); }

}  // namespace taxii::server
