#include "server/push_sender.hpp"

#include <utility>

#include "bindings/http/http_client.hpp"

namespace taxii::server {
namespace {

constexpr std::size_t kMaxAnswerBytes = 1u << 20;  // an Inbox answers with a Status_Message

http::ClientOptions client_options(PushTlsOptions tls, std::chrono::seconds timeout) {
  http::ClientOptions o;
  o.tls.ca_file = std::move(tls.ca);
  o.tls.cert_file = std::move(tls.cert);
  o.tls.key_file = std::move(tls.key);
  o.tls.verify = true;
  o.timeout = timeout;
  o.max_response_bytes = kMaxAnswerBytes;
  o.user_agent = "taxiid-push";
  return o;
}

}  // namespace

HttpPushSender::HttpPushSender(PushTlsOptions tls, std::chrono::seconds timeout)
    : client_(std::make_unique<http::PocoHttpClient>(client_options(std::move(tls), timeout))) {}

HttpPushSender::~HttpPushSender() = default;

Result<services::PushReply> HttpPushSender::post(const services::PushAddress& to, const services::HttpHeaders& headers,
                                                 const std::string& body) {
  http::ClientRequest request;
  request.url = http::Url{to.https ? "https" : "http", to.host, to.port, to.target};
  for (const auto& [name, value] : headers) request.headers.set(name, value);
  request.body = body;
  auto r = client_->send(request);
  if (!r.ok()) return Error::failure("push to " + request.url.str() + " failed: " + r.error().message());
  services::PushReply out;
  out.http_status = r->status;
  if (const std::string* ct = r->headers.find("X-TAXII-Content-Type")) out.taxii_content_type = *ct;
  out.body = std::move(r->body);
  return out;
}

}  // namespace taxii::server
