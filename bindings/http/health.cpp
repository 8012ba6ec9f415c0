#include "bindings/http/health.hpp"

#include <exception>
#include <utility>

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

namespace taxii::http {
namespace {

// A JSON string's contents (RFC 8259 §7): quotes, backslashes and control characters escaped.
std::string json_escape(const std::string& s) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else {
      out += ch;
    }
  }
  return out;
}

}  // namespace

HealthApplication::HealthApplication(std::string version) : version_(json_escape(version)) {}

std::string HealthApplication::body() const {
  const auto up = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started_);
  return "{\"status\":\"ok\",\"version\":\"" + version_ + "\",\"uptime_seconds\":" + std::to_string(up.count()) + "}\n";
}

void HealthApplication::serve(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                              const ConnectionInfo& /*conn*/) {
  try {
    const std::string text = body();
    // A body sent with GET or HEAD has no meaning here (RFC 9110 §9.3.1) and is not read.
    if (declares_body(request)) response.setKeepAlive(false);
    response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_OK);
    response.setContentType("application/json");
    response.set("Cache-Control", "no-store");
    response.setContentLength64(static_cast<Poco::Int64>(text.size()));
    response.sendBuffer(text.data(), text.size());  // Poco sends no body for HEAD
  } catch (const std::exception&) {
    response.setKeepAlive(false);
  }
}

}  // namespace taxii::http
