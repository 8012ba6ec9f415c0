// Transport: the client's seam to the network (STYLE.md: an interface with a real and a fake
// implementation). It sends one HTTP POST (bytes + headers) and returns the HTTP status,
// headers and body, whatever they are; mapping them to TAXII is the Session's job.
//
// PocoTransport (poco_transport.hpp) is the real one; tests use an in-process fake.
// A Transport is used by one Session at a time; implementations need not be thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace taxii::client {

// HTTP header fields in order; names compare case-insensitively (RFC 7230 §3.2).
class Headers {
 public:
  void add(std::string name, std::string value) { fields_.emplace_back(std::move(name), std::move(value)); }
  // Replaces every field of that name with one.
  void set(std::string name, std::string value);
  // The first value of that name, or nullptr.
  const std::string* find(std::string_view name) const;
  const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

bool iequals(std::string_view a, std::string_view b);

// An absolute http or https URL, split for the transport.
struct Url {
  std::string scheme;  // "http" or "https"
  std::string host;    // without brackets for IPv6 literals
  uint16_t port = 0;   // explicit or the scheme's default
  std::string target;  // path + query, at least "/"
  bool https() const { return scheme == "https"; }
  // scheme://host[:port]/target (the port only when not the default).
  std::string str() const;
  // "host:port", for messages.
  std::string authority() const;
};

// Parses an absolute http(s) URL. Fails (BadMessage) with the reason.
Result<Url> parse_url(std::string_view text);
// Resolves an address from a Discovery or Collection Information response against the URL
// it came from: absolute URLs stay, "/path" keeps scheme, host and port (HTTP 1.0 §7 gives
// absolute URLs; some servers advertise paths).
Result<Url> resolve_url(const Url& base, std::string_view address);

struct HttpRequest {
  Url url;
  Headers headers;
  std::string body;
};

struct HttpResponse {
  int status = 0;
  std::string reason;
  Headers headers;
  std::string body;
};

// How far a failed exchange got; it decides whether resending is safe (an Inbox_Message that
// may have been received is not sent again).
enum class FailureStage {
  Connect,  // nothing was sent (DNS, refused, TLS handshake, proxy CONNECT)
  Send,     // the request was being written
  Receive,  // the request was sent; no (complete) response arrived
};

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

}  // namespace taxii::client
