// HealthApplication: the operations endpoints (issue #26), GET and HEAD:
//   /health, /health/live  200 {"status":"ok","version":"0.1.0","uptime_seconds":42} whenever
//                          the engine can serve a request at all (liveness);
//   /health/ready          200 {"status":"ready","checks":{"listeners":"ok","store":"ok"}} when
//                          the server has started and its store answers; else 503 with
//                          "not ready" and the failing check's reason (readiness: a load
//                          balancer stops sending TAXII requests here).
// No credentials asked: nothing is said that a client could not learn by connecting, except a
// failing store's reason, which names no secret (store errors are logged in full, not sent).
//
// Thread-safety: serve() runs on any worker; set_started() from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "bindings/http/router.hpp"

namespace taxii::http {

class HealthApplication final : public Application {
 public:
  // Why the store cannot serve requests now (e.g. "the store does not answer"), or nullopt.
  // Called on a worker for each /health/ready request; must be cheap and thread-safe.
  using StoreProbe = std::function<std::optional<std::string>()>;

  explicit HealthApplication(std::string version, StoreProbe store = {});
  // The liveness body now.
  std::string body() const;
  // The readiness status (200 or 503) and body now.
  std::pair<int, std::string> readiness() const;
  // The listeners accept connections: readiness may turn 200 (false again while stopping).
  void set_started(bool started) { started_flag_.store(started); }
  void serve(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
             const ConnectionInfo& conn) override;

 private:
  std::string version_;
  StoreProbe store_;
  std::atomic<bool> started_flag_{false};
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace taxii::http
