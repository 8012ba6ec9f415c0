// HttpServer: the connection engine under the TAXII HTTP/HTTPS binding. Poco parses and
// writes HTTP/1.1 (HTTPServerSession, HTTPServerRequestImpl, HTTPServerResponseImpl); this
// class owns sockets, threads and time limits.
//
// Why not Poco::Net::HTTPServer: its TCPServer keeps one worker thread per connection for
// the whole life of a keep-alive connection, blocked in poll() (with an extra epoll fd), so
// a few hundred idle keep-alive clients starve new ones. Here idle connections cost a file
// descriptor and an epoll registration, not a thread:
//   - one reactor thread owns an epoll set with the listening sockets and every idle
//     connection (new ones waiting for their first request, and kept-alive ones);
//   - when a connection becomes readable it is handed to a fixed pool of worker threads,
//     which serve requests while bytes are buffered, then give the connection back to the
//     reactor ("parking") instead of waiting for the next request;
//   - the reactor closes connections idle longer than keep_alive_timeout, and cuts (shuts
//     down) a connection whose request exchange runs past request_timeout (slow senders);
//   - at max_connections open connections the listeners are paused; further clients wait
//     in the kernel's accept backlog until a connection closes.
// So 1,000 idle keep-alive connections do not delay a new client: it is served by the next
// free worker as soon as its request arrives.
//
// TLS (NetSSL/OpenSSL): the handshake runs lazily in a worker on the first read, after the
// client has sent its ClientHello; TLS 1.2 or later (min_version), the configured cipher list;
// client certificates none / optional / required against the configured CA. reload_tls()
// (SIGHUP) loads the certificate, key and CA files again: a ClientHello callback on the
// listener's SSL_CTX moves each new handshake to the newest context, so new connections use
// the new certificate while established ones keep theirs; nothing restarts.
//
// Thread-safety: create() and start() from one thread; stop() from any thread (once);
// the handler is called concurrently from the worker threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace Poco::Net {
class HTTPServerRequest;
class HTTPServerResponse;
}  // namespace Poco::Net

namespace taxii::http {

enum class ClientCertificates { None, Optional, Required };

struct TlsOptions {
  std::string cert;  // PEM certificate (chain) file
  std::string key;   // PEM private key file
  std::string ca;    // PEM CA file for client certificates (may be empty if mode None)
  ClientCertificates client_certificates = ClientCertificates::None;
  std::string min_version = "1.2";  // "1.2" or "1.3": older protocols are never offered
  std::string ciphers = "HIGH:!aNULL:!eNULL:!MD5:!RC4:!3DES:!SHA1";  // OpenSSL list, TLS <= 1.2
};

struct ListenerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 0;                // 0: any free port (see HttpServer::bound())
  std::optional<TlsOptions> tls;
  bool behind_tls_proxy = false;    // plain socket, but clients reach it over HTTPS
};

struct EngineOptions {
  std::size_t threads = 8;                          // worker threads
  std::size_t max_connections = 10000;              // open connections, idle or busy
  std::chrono::seconds keep_alive_timeout{15};      // idle connection lifetime
  std::chrono::seconds request_timeout{60};         // one request/response exchange
  int backlog = 1024;                               // kernel accept queue per listener
};

struct BoundListener {
  std::string address;
  uint16_t port = 0;
  bool tls = false;       // TLS on the socket itself
  bool https = false;     // tls || behind_tls_proxy
};

// What the handler may know about the connection a request came on.
struct ConnectionInfo {
  std::string remote;           // "127.0.0.1:54321"
  bool https = false;           // see BoundListener::https
  std::string client_subject;   // verified client certificate subject, if any
  std::vector<std::string> client_names;  // its DNS subjectAltNames (Poco: the CN if it has none)
  // Plain (non-TLS) connections of an HttpServer: sends what the response has written so far
  // (its head, flushed) and then `pieces`, in order, from where they are (sendmsg with an
  // iovec array; no copy). For an answer whose body is the pieces. Throws Poco exceptions as
  // a write would. Empty otherwise.
  std::function<void(const std::vector<std::string_view>& pieces)> send_pieces;
};

class HttpServer {
 public:
  using Handler = std::function<void(Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse&,
                                     const ConnectionInfo&)>;
  // The handler must answer (send a response) and either read the whole request body or
  // call response.setKeepAlive(false). It should not throw; if it does, the connection
  // is closed (with a 500 if nothing was sent yet).
  using ErrorLog = std::function<void(const std::string&)>;

  // Binds every listener (so ports are known) and loads TLS material; does not serve yet.
  // Fails with Failure naming the listener and the reason.
  static Result<std::unique_ptr<HttpServer>> create(const std::vector<ListenerOptions>& listeners,
                                                    const EngineOptions& options, Handler handler,
                                                    ErrorLog log = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  const std::vector<BoundListener>& bound() const;
  // Reloads every TLS listener's files; on any failure (the message names the listener)
  // the listeners keep their current material. Thread-safe.
  [[nodiscard]] Status reload_tls();
  void start();
  // Stops accepting, closes idle connections, lets in-flight requests finish (their
  // responses carry Connection: close), then joins every thread. Idempotent.
  void stop();

  struct Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace taxii::http
