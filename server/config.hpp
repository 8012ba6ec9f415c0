// ServerConfig: taxiid's configuration, read from one YAML file (docs/server.md has the
// format). load_config() checks everything it can without binding sockets or opening the
// store, and reports every problem as "FILE:LINE: key.path: reason" (yaml-cpp marks).
// Relative paths (storage, TLS files) are relative to the configuration file's directory.
//
// Plain values; thread-compatible.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "auth/access.hpp"
#include "auth/authenticator.hpp"
#include "bindings/http/http_server.hpp"
#include "server/push_sender.hpp"
#include "services/poll/poll_service.hpp"
#include "services/push/outbox_worker.hpp"
#include "services/topology.hpp"
#include "taxii21/config.hpp"

namespace taxii::server {

struct ListenerConfig {
  http::ListenerOptions options;
  std::optional<std::string> public_base_url;  // no trailing slash
};

struct Limits {
  std::size_t max_body_bytes = 10u << 20;
  std::size_t max_connections = 10000;
  std::size_t threads = 8;
  std::chrono::seconds keep_alive_timeout{15};
  std::chrono::seconds request_timeout{60};
  // Slow peers (issue #20): below min_data_rate bytes/s, measured over each window of
  // min_rate_grace seconds while a request is received or an answer sent, the connection is cut
  // (408 where it can still be answered). 0 disables the rate check.
  std::size_t min_data_rate = 1024;
  std::chrono::seconds min_rate_grace{5};
  std::size_t max_connections_per_ip = 0;          // 0: no cap (behind a proxy every client has its address)
  // XML parsing (xml::ParseLimits, docs/security.md "Linear-time parsing"): attributes on one
  // element (namespace declarations included) and namespace declarations in scope at once.
  std::size_t max_attributes = 256;
  std::size_t max_namespace_declarations = 256;
};

// Push delivery (subscriptions, asynchronous results): the outbox worker and its HTTP client.
struct PushConfig {
  services::PushOptions options;
  PushTlsOptions tls;                            // paths resolved
  std::chrono::seconds timeout{30};              // one HTTP(S) exchange with an inbox
};

// auth: accounts, client-certificate mapping, per-collection permissions (docs/security.md).
// Absent: no authentication, every collection open (the behaviour before issue #7).
struct AuthConfig {
  auth::AuthOptions options;
  bool public_discovery = false;
  uint32_t iterations = auth::kDefaultIterations;  // for new hashes (taxiid user add|passwd)
  std::vector<auth::Account> users;               // seeded from the file; groups merged in
  std::map<std::string, auth::Permissions, std::less<>> permissions;  // collections[].permissions
};

// log: what taxiid writes to stderr (server/log.hpp).
struct LogConfig {
  std::string level = "info";                    // debug, info, warn or error
  bool requests = true;                          // one line per request (failures are always logged)
  unsigned buffer_ms = 0;                        // 0: each line written at once
  bool json = false;                             // log.format: json (one object per line) or logfmt
};

// http: the TAXII HTTP binding (docs/server.md). lenient_headers: an absent Content-Type,
// X-TAXII-Services or X-TAXII-Protocol is inferred instead of refused (docs/decisions.md).
struct HttpConfig {
  bool lenient_headers = false;
};

struct ServerConfig {
  std::string file;                              // the configuration file, absolute
  std::vector<ListenerConfig> listeners;
  std::string storage_uri;                       // resolved: "sqlite:///abs/path.db"
  Limits limits;
  services::PollOptions poll;
  PushConfig push;
  std::vector<services::ServiceInfo> services;
  std::vector<services::CollectionInfo> collections;
  std::optional<AuthConfig> auth;                // issue #7
  LogConfig log;
  HttpConfig http;
  std::optional<taxii21::Taxii2Config> taxii2;  // issue #22: TAXII 2.1 (docs/taxii21.md)
  std::map<std::string, auth::Permissions, std::less<>> collection_permissions;  // moved into auth
};

struct ConfigLoad {
  std::optional<ServerConfig> config;            // set iff errors is empty
  std::vector<std::string> errors;               // "FILE:LINE: key: reason"
};

ConfigLoad load_config(const std::string& path);

}  // namespace taxii::server
