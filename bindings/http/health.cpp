#include "bindings/http/health.hpp"

#include <exception>
#include <string_view>
#include <tuple>
#include <utility>

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include "core/json_writer.hpp"

namespace taxii::http {

HealthApplication::HealthApplication(std::string version, StoreProbe store)
    : version_(std::move(version)), store_(std::move(store)) {}

std::string HealthApplication::body() const {
  const auto up = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started_);
  std::string out;
  JsonWriter(out).begin_object().member("status", "ok").member("version", version_)
      .member("uptime_seconds", static_cast<int64_t>(up.count())).end_object();
  out += '\n';
  return out;
}

std::pair<int, std::string> HealthApplication::readiness() const {
  const bool listening = started_flag_.load();
  std::optional<std::string> store_problem;
  if (store_) {
    try {
      store_problem = store_();
    } catch (const std::exception& e) {
      store_problem = std::string("the store check failed: ") + e.what();
    }
  }
  const bool ready = listening && !store_problem;
  std::string out;
  JsonWriter w(out);
  w.begin_object().member("status", ready ? "ready" : "not ready").member("version", version_);
  w.key("checks").begin_object();
  w.member("listeners", listening ? "ok" : "not started");
  w.member("store", store_problem ? *store_problem : std::string("ok"));
  w.end_object().end_object();
  out += '\n';
  return {ready ? 200 : 503, std::move(out)};
}

void HealthApplication::serve(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                              const ConnectionInfo& /*conn*/) {
  try {
    std::string_view path = request.getURI();
    path = path.substr(0, path.find('?'));
    while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
    int status = 200;
    std::string text;
    if (path.size() >= 6 && path.substr(path.size() - 6) == "/ready") std::tie(status, text) = readiness();
    else text = body();
    // A body sent with GET or HEAD has no meaning here (RFC 9110 §9.3.1) and is not read.
    if (declares_body(request)) response.setKeepAlive(false);
    response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
    response.setContentType("application/json");
    response.set("Cache-Control", "no-store");
    response.setContentLength64(static_cast<Poco::Int64>(text.size()));
    response.sendBuffer(text.data(), text.size());  // Poco sends no body for HEAD
  } catch (const std::exception&) {
    response.setKeepAlive(false);
  }
}

}  // namespace taxii::http
