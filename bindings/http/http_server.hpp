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
//     down) a connection whose request exchange runs past request_timeout;
//   - at max_connections open connections the listeners are paused; further clients wait
//     in the kernel's accept backlog until a connection closes.
// So 1,000 idle keep-alive connections do not delay a new client: it is served by the next
// free worker as soon as its request arrives.
//
// No worker waits on a slow peer (issue #20; docs/security.md, "Slow clients"):
//   - plain connections: a request is read without blocking, head and body, into the
//     connection's staging buffer (the worker's first read, then the reactor); a worker gets
//     it only once it is whole. The head is checked as it arrives (request_head.hpp, RFC 9112):
//     what cannot be HTTP (a TLS ClientHello, binary noise) or breaks the framing rules is
//     answered 400 (or 414/431/501/505) by the engine at once and the connection closed.
//     When the head is whole but the body is not, a worker runs the Gate once (the checks
//     that need only the head: authentication, size, method) and either answers or lets the
//     reactor read the body;
//   - a request that moves less than min_data_rate bytes/s over a window of min_rate_grace
//     seconds, or is not whole request_timeout after its first byte, is answered 408;
//   - a worker blocked reading (TLS) or writing (a slow reader of a large answer) is metered
//     the same way and its connection cut below the rate;
//   - at most max_connections_per_ip connections per client address (more: 503, closed).
//
// TLS (NetSSL/OpenSSL): the handshake runs lazily in a worker on the first read, after the
// client has sent its ClientHello; TLS 1.2 or later (min_version), the configured cipher list;
// client certificates none / optional / required against the configured CA. reload_tls()
// (SIGHUP) loads the certificate, key and CA files again: a ClientHello callback on the
// listener's SSL_CTX moves each new handshake to the newest context, so new connections use
// the new certificate while established ones keep theirs; nothing restarts.
//
// The parts (one file pair each, with the threads that may touch what): engine.hpp lists
// them; thread ownership is checked by Clang's -Wthread-safety in the clang builds
// (thread_annotations.hpp).
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
  // The largest body read before a worker is given the request; a larger declared
  // Content-Length goes to the handler at once (which refuses it from the head).
  std::size_t max_body_bytes = 10u << 20;
  // Slow peers: a request being received, or an answer being sent, must move at least
  // min_data_rate bytes per second over each window of min_rate_grace (0: no check); below
  // it the request is answered 408 (or the connection cut while an answer is sent).
  std::size_t min_data_rate = 1024;
  std::chrono::seconds min_rate_grace{5};
  std::size_t max_connections_per_ip = 0;           // 0: no cap
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
  // "100 Continue" was already sent for the current request (by the engine, after the
  // gate passed it): the handler must not send it again.
  bool continue_sent = false;
};

class HttpServer {
 public:
  using Handler = std::function<void(Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse&,
                                     const ConnectionInfo&)>;
  // The handler must answer (send a response) and either read the whole request body or
  // call response.setKeepAlive(false). It should not throw; if it does, the connection
  // is closed (with a 500 if nothing was sent yet).
  using ErrorLog = std::function<void(const std::string&)>;
  // Called in a worker when a request's head is complete but its body is not: returns true
  // when it answered from the head alone (the connection then closes); false and the engine
  // reads the body without holding a worker, then calls the handler with the same request.
  using Gate = std::function<bool(Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse&,
                                  const ConnectionInfo&)>;
  // The headers and body of an answer the engine gives itself (a head refused by RFC 9112's
  // rules, a request too slow: 400, 408, 413, 414, 431, 501, 505), so that a TAXII client
  // reads a Status_Message too. Called from the reactor or a worker; must not throw. Without
  // it such answers have an empty body.
  struct Refusal {
    std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Length, Connection, Date
    std::string body;
  };
  // The request refused, as far as the engine read it: its method and request-target (views
  // of the bytes received, valid during the call; either may be empty: not HTTP, or not read
  // that far; the target may be cut short), so that a router can answer in the language of
  // the application the request was meant for.
  struct RefusedRequest {
    std::string_view method;
    std::string_view target;
  };
  using RefusalBody =
      std::function<Refusal(int status, std::string_view reason, const RefusedRequest& request, const ConnectionInfo&)>;

  // Binds every listener (so ports are known) and loads TLS material; does not serve yet.
  // Fails with Failure naming the listener and the reason.
  static Result<std::unique_ptr<HttpServer>> create(const std::vector<ListenerOptions>& listeners,
                                                    const EngineOptions& options, Handler handler,
                                                    ErrorLog log = {}, Gate gate = {},
                                                    RefusalBody refusal = {});
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
