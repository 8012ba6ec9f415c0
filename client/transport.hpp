// Transport: the client's seam to the network (an interface with a real and a fake
// implementation). It sends one HTTP POST (bytes + headers) and returns the HTTP status,
// headers and body, whatever they are; mapping them to TAXII is the Session's job.
//
// The HTTP types are those of the HTTP client (bindings/http/http_client.hpp). HttpTransport is
// the real Transport: an http::PocoHttpClient whose failures become transport_error()s
// (errors.hpp); tests use an in-process fake (tests/cli/fake_transport.hpp).
// A Transport is used by one Session at a time; implementations need not be thread-safe.
#pragma once

#include <memory>

#include "bindings/http/http_client.hpp"
#include "core/result.hpp"

namespace taxii::client {

using Headers = http::HeaderFields;
using Url = http::Url;
using HttpRequest = http::ClientRequest;
using HttpResponse = http::ClientResponse;
// How far a failed exchange got; it decides whether resending is safe (an Inbox_Message that
// may have been received is not sent again).
using FailureStage = http::FailureStage;
using http::iequals;
using http::parse_url;
// Resolves an address from a Discovery or Collection Information response against the URL
// it came from: absolute URLs stay, "/path" keeps scheme, host and port (HTTP 1.0 §7 gives
// absolute URLs; some servers advertise paths).
using http::resolve_url;

class Transport {
 public:
  virtual ~Transport() = default;
  // One POST. Any HTTP status is a successful exchange. Fails with an error made by
  // transport_error() (errors.hpp) for connection, TLS, timeout and protocol failures.
  virtual Result<HttpResponse> post(const HttpRequest& request) = 0;
  // A second transport with the same options and its own connection, for a Session that
  // fetches two poll parts at once; nullptr (the default) when there is none.
  virtual std::unique_ptr<Transport> open_another() const { return nullptr; }
};

// TLS (CA file, client certificate and key, verification), proxy, timeout, response cap.
using TransportOptions = http::ClientOptions;
using http::parse_proxy;

// The real Transport. A failure of the HTTP client becomes a transport_error() of the same
// stage (UNAUTHORIZED kept for TLS refusals, HTTP 1.0 §5.2).
class HttpTransport final : public Transport {
 public:
  explicit HttpTransport(TransportOptions options);
  Result<HttpResponse> post(const HttpRequest& request) override;
  // Same options, a connection of its own; shares the TLS context once it exists.
  std::unique_ptr<Transport> open_another() const override;

 private:
  explicit HttpTransport(std::unique_ptr<http::HttpClient> client) : client_(std::move(client)) {}
  std::unique_ptr<http::HttpClient> client_;
};

}  // namespace taxii::client
