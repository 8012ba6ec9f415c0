// HealthApplication: the operations endpoint `GET /health` (and HEAD): 200 with a small JSON
// body, {"status":"ok","version":"0.1.0","uptime_seconds":42}, for load balancers and
// monitoring. It answers whenever the engine can serve a request at all: it reads no store
// and asks for no credentials (it says nothing a client could not learn by connecting).
//
// Thread-safety: immutable after construction; serve() runs on any worker.
#pragma once

#include <chrono>
#include <string>

#include "bindings/http/router.hpp"

namespace taxii::http {

class HealthApplication final : public Application {
 public:
  explicit HealthApplication(std::string version);
  // The JSON body of an answer now.
  std::string body() const;
  void serve(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
             const ConnectionInfo& conn) override;

 private:
  std::string version_;  // JSON-escaped
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace taxii::http
