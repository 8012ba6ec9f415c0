// ServerConfig: taxiid's configuration, read from one YAML file (docs/server.md has the
// format). load_config() checks everything it can without binding sockets or opening the
// store, and reports every problem as "FILE:LINE: key.path: reason" (yaml-cpp marks).
// Relative paths (storage, TLS files) are relative to the configuration file's directory.
//
// Plain values; thread-compatible.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "bindings/http/http_server.hpp"
#include "services/poll/poll_service.hpp"
#include "services/topology.hpp"

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
};

struct ServerConfig {
  std::string file;                              // the configuration file, absolute
  std::vector<ListenerConfig> listeners;
  std::string storage_uri;                       // resolved: "sqlite:///abs/path.db"
  Limits limits;
  services::PollOptions poll;
  std::vector<services::ServiceInfo> services;
  std::vector<services::CollectionInfo> collections;
};

struct ConfigLoad {
  std::optional<ServerConfig> config;            // set iff errors is empty
  std::vector<std::string> errors;               // "FILE:LINE: key: reason"
};

ConfigLoad load_config(const std::string& path);

}  // namespace taxii::server
