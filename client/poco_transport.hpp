// PocoTransport: the real Transport, over Poco::Net HTTPClientSession / HTTPSClientSession.
//
// - TLS: TLS 1.2 or later; the server certificate is verified (chain against --ca or the
//   system CAs, and the host name) unless `insecure` is set explicitly; an optional client
//   certificate and key (PEM) for mutual authentication (HTTP 1.0 §6.2).
// - HTTP proxy (plain CONNECT tunnel for https) with optional Basic proxy credentials.
// - One timeout for connect, send and receive.
// - Keep-alive: the connection to the last host is reused; when a reused connection turns out
//   to have been closed by the server before any response byte arrived, the request is sent
//   once more on a fresh connection (the usual idle keep-alive race).
// Every Poco/OpenSSL exception is caught here and returned as a transport error
// (errors.hpp). TLS alerts that HTTP 1.0 §5.2 maps to UNAUTHORIZED (handshake failure, no/bad/
// unsupported certificate, unknown CA, access denied) give that status type.
//
// Not thread-safe: one instance per Session.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "client/transport.hpp"

namespace taxii::client {

struct TlsOptions {
  std::string ca_file;    // PEM bundle; empty = the system's CAs
  std::string cert_file;  // client certificate (PEM); empty = none
  std::string key_file;   // its private key (PEM); empty = in cert_file
  bool insecure = false;  // skip certificate and host name verification
};

struct ProxyOptions {
  std::string host;  // empty = no proxy
  uint16_t port = 0;
  std::string user, password;  // Basic proxy authentication when user is set
};

struct TransportOptions {
  TlsOptions tls;
  ProxyOptions proxy;
  std::chrono::seconds timeout{60};
  std::size_t max_response_bytes = 256u << 20;
  std::string user_agent = "taxii-cpp";
};

class PocoTransport final : public Transport {
 public:
  explicit PocoTransport(TransportOptions options);
  ~PocoTransport() override;
  PocoTransport(const PocoTransport&) = delete;
  PocoTransport& operator=(const PocoTransport&) = delete;

  Result<HttpResponse> post(const HttpRequest& request) override;
  // Same options, a connection of its own; shares the TLS context once it exists.
  std::unique_ptr<Transport> open_another() const override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Parses "http://[user:password@]host:port" (the proxy option) into ProxyOptions.
Result<ProxyOptions> parse_proxy(std::string_view text);

}  // namespace taxii::client
