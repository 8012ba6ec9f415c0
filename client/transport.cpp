#include "client/transport.hpp"

#include <utility>

#include "client/errors.hpp"

namespace taxii::client {

HttpTransport::HttpTransport(TransportOptions options)
    : client_(std::make_unique<http::PocoHttpClient>(std::move(options))) {}

Result<HttpResponse> HttpTransport::post(const HttpRequest& request) {
  auto r = client_->send(request);
  if (r.ok()) return r;
  const Error& e = r.error();
  Error t = transport_error(http::failure_stage(e).value_or(FailureStage::Receive), e.message());
  if (e.type() == StatusType::Unauthorized) return Error{StatusType::Unauthorized, t.message(), t.details()};
  return t;
}

std::unique_ptr<Transport> HttpTransport::open_another() const {
  auto another = client_->open_another();
  if (!another) return nullptr;
  return std::unique_ptr<Transport>(new HttpTransport(std::move(another)));
}

}  // namespace taxii::client
