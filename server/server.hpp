// Server: the taxiid wiring. Opens the store, creates the configured collections, binds the
// listeners, builds the topology (with the ports actually bound), the services and the
// Dispatcher, and serves them through the HTTP binding.
//
// Lifecycle: create() -> start() -> stop() (or destruction). stop() stops accepting, lets
// in-flight requests finish, then closes the store. Not copyable; start/stop from one thread.
#pragma once

#include <memory>
#include <vector>

#include "bindings/http/http_server.hpp"
#include "core/result.hpp"
#include "server/config.hpp"
#include "server/log.hpp"

namespace taxii::server {

class Server {
 public:
  // Fails with Failure naming the store, listener or collection that could not be set up.
  static Result<std::unique_ptr<Server>> create(const ServerConfig& config, Logger& log);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  void start();
  void stop();
  const std::vector<http::BoundListener>& bound() const;
  // The base URL of each listener, as advertised by Discovery.
  const std::vector<std::string>& base_urls() const;
  // SIGHUP: loads the TLS certificate, key and CA files again (new connections use them).
  [[nodiscard]] Status reload_tls();

  struct Parts;

 private:
  explicit Server(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace taxii::server
