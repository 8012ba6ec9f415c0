// The HTTP/HTTPS client side of the protocol binding: what every piece of taxii that calls
// another server uses (the `taxii` client's Session, taxiid's push delivery, and later callers
// such as a relay that GETs and POSTs JSON). One request in, one response out:
//
//   HttpClient           the seam (an interface; tests put fakes behind it)
//   PocoHttpClient       the real one, over Poco::Net HTTPClientSession / HTTPSClientSession
//   ClientRequest        method, URL, header fields, body
//   ClientResponse       status, reason, header fields, body
//   taxii_headers()      the X-TAXII-* and media-type headers of a TAXII message by version
//   taxii_post()         a POST of one TAXII message with those headers
//
// PocoHttpClient:
// - TLS: TLS 1.2 or later, built by one context builder; the server certificate is verified
//   (chain against `ca_file` or the system's CAs, and the host name) unless `verify` is off; an
//   optional client certificate and key (PEM) for mutual authentication (HTTP 1.0 §6.2).
// - An HTTP proxy (a CONNECT tunnel for https) with optional Basic proxy credentials.
// - One timeout for connect, send and receive; a cap on the response body.
// - Keep-alive: the connection to the last scheme://host:port is reused; when a reused
//   connection turns out to have been closed by the server before any response byte arrived,
//   the request is sent once more on a fresh connection (the usual idle keep-alive race).
// - Redirects are not followed (a 3xx is a response like any other): TAXII 1.x services are
//   addressed exactly (HTTP 1.0 §2), and a redirected POST would change meaning.
// Every Poco/OpenSSL exception is caught there. A failure is an Error of type NETWORK_ERROR
// (UNAUTHORIZED for the TLS alerts HTTP 1.0 §5.2 maps to it) with a kStageDetail detail
// saying how far the exchange got (failure_stage()).
//
// HttpClient implementations are used by one thread at a time (not thread-safe); the free
// functions are pure and thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/message.hpp"
#include "core/result.hpp"

namespace taxii::http {

// ASCII case-insensitive comparison (header names, RFC 9110 §5.1).
bool iequals(std::string_view a, std::string_view b);

// HTTP header fields in order; names compare case-insensitively (RFC 9110 §5.1).
class HeaderFields {
 public:
  using Field = std::pair<std::string, std::string>;
  HeaderFields() = default;
  HeaderFields(std::initializer_list<Field> fields) : fields_(fields) {}
  void add(std::string name, std::string value) { fields_.emplace_back(std::move(name), std::move(value)); }
  // Replaces every field of that name with one.
  void set(std::string name, std::string value);
  // The first value of that name, or nullptr.
  const std::string* find(std::string_view name) const;
  const std::vector<Field>& fields() const { return fields_; }

 private:
  std::vector<Field> fields_;
};

// An absolute http or https URL, split for the client.
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

// Parses an absolute http(s) URL (RFC 3986 §3; no user info). Fails (BadMessage) with the reason.
Result<Url> parse_url(std::string_view text);
// Resolves an address against the URL it came from: absolute URLs stay, "/path" keeps scheme,
// host and port, a relative path replaces the last segment of the base path (RFC 3986 §5.2,
// without dot segments).
Result<Url> resolve_url(const Url& base, std::string_view address);

struct ClientRequest {
  std::string method = "POST";
  Url url;
  HeaderFields headers;
  std::string body;  // sent with Content-Length (none for GET and HEAD without a body)
};

struct ClientResponse {
  int status = 0;
  std::string reason;
  HeaderFields headers;
  std::string body;
};

// How far a failed exchange got; it decides whether resending is safe.
enum class FailureStage {
  Connect,  // nothing was sent (DNS, refused, TLS handshake, proxy CONNECT)
  Send,     // the request was being written
  Receive,  // the request was sent; no (complete) response arrived
};
// The detail of a client failure that names its stage ("connect", "send", "receive").
inline constexpr std::string_view kStageDetail = "taxii-http:stage";
std::string_view to_string(FailureStage s);
// The stage of an error made by an HttpClient; nullopt for other errors.
std::optional<FailureStage> failure_stage(const Error& e);
// A NETWORK_ERROR with the stage detail (what PocoHttpClient returns; fakes use it too).
Error client_failure(FailureStage stage, std::string message);

struct ClientTlsOptions {
  std::string ca_file;    // PEM bundle; empty = the system's CAs
  std::string cert_file;  // client certificate (PEM); empty = none
  std::string key_file;   // its private key (PEM); empty = in cert_file
  bool verify = true;     // false: skip certificate and host name verification
};

struct ProxyOptions {
  std::string host;  // empty = no proxy
  uint16_t port = 0;
  std::string user, password;  // Basic proxy authentication when user is set
};

// Parses "[http://][user:password@]host[:port]" (port 3128 when absent) into ProxyOptions.
Result<ProxyOptions> parse_proxy(std::string_view text);

struct ClientOptions {
  ClientTlsOptions tls;
  ProxyOptions proxy;
  std::chrono::seconds timeout{60};
  std::size_t max_response_bytes = 256u << 20;
  std::string user_agent = "taxii-cpp";  // sent unless the request has its own User-Agent
  // Appended to send and receive failures over HTTPS made without a client certificate: TLS
  // 1.3 servers refuse a missing certificate after the handshake, so the refusal shows up as
  // a failed write or a reset rather than as an alert. Empty: nothing.
  std::string missing_certificate_hint = " (does the server require a client certificate?)";
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // One exchange. Any HTTP status is a successful exchange. Fails with client_failure()
  // errors (NETWORK_ERROR, or UNAUTHORIZED for a TLS refusal) for connection, TLS, timeout,
  // size and protocol failures.
  virtual Result<ClientResponse> send(const ClientRequest& request) = 0;
  // A second client with the same options and a connection of its own (for two exchanges
  // at once); nullptr (the default) when there is none.
  virtual std::unique_ptr<HttpClient> open_another() const { return nullptr; }
};

class PocoHttpClient final : public HttpClient {
 public:
  explicit PocoHttpClient(ClientOptions options);
  ~PocoHttpClient() override;
  PocoHttpClient(const PocoHttpClient&) = delete;
  PocoHttpClient& operator=(const PocoHttpClient&) = delete;

  Result<ClientResponse> send(const ClientRequest& request) override;
  // Same options, a connection of its own; shares the TLS context once it exists.
  std::unique_ptr<HttpClient> open_another() const override;
  const ClientOptions& options() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// TAXII HTTP Binding 1.1 §2 (1.0 §2 alike): the headers of a request carrying a TAXII message
// of version v over http or https: Content-Type and Accept application/xml,
// X-TAXII-Content-Type and X-TAXII-Accept the message binding (one X-TAXII-Accept value, which
// OpenTAXII and YETI insist on, docs/interop.md), X-TAXII-Protocol from the transport,
// X-TAXII-Services the services version.
HeaderFields taxii_headers(Version v, bool https);
// A POST of one serialized TAXII message of version v to url, with taxii_headers(v, url.https()).
ClientRequest taxii_post(Url url, Version v, std::string body);
// An Authorization value for HTTP Basic (RFC 7617 §2): "Basic " + base64(user ":" password).
std::string basic_authorization(std::string_view user, std::string_view password);

}  // namespace taxii::http
