// HttpPushSender: the real services::PushSender, over the HTTP client of bindings/http
// (http::PocoHttpClient). TLS 1.2 or later; the inbox's certificate is always verified (chain
// against `ca`, or the system's CAs when empty, and the host name); an optional client
// certificate for inboxes that require one (HTTP 1.0 §6.2). Keep-alive, with the idle
// keep-alive race handled by the HTTP client (a request that finds a reused connection closed
// by the inbox before any answer byte is sent once more on a fresh one: safe, since the
// receiving inbox skips content it already stored). A failure becomes a Failure naming the
// address and the reason.
//
// Not thread-safe: one per outbox worker thread.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "services/push/push_message.hpp"

namespace taxii::http {
class HttpClient;
}

namespace taxii::server {

struct PushTlsOptions {
  std::string ca;    // PEM bundle of the CAs trusted for inboxes; empty: the system's
  std::string cert;  // client certificate (PEM); empty: none
  std::string key;   // its private key (PEM); empty: in `cert`
};

class HttpPushSender final : public services::PushSender {
 public:
  HttpPushSender(PushTlsOptions tls, std::chrono::seconds timeout);
  ~HttpPushSender() override;
  HttpPushSender(const HttpPushSender&) = delete;
  HttpPushSender& operator=(const HttpPushSender&) = delete;

  Result<services::PushReply> post(const services::PushAddress& to, const services::HttpHeaders& headers,
                                   const std::string& body) override;

 private:
  std::unique_ptr<http::HttpClient> client_;
};

}  // namespace taxii::server
