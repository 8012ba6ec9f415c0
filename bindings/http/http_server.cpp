#include "bindings/http/http_server.hpp"

#include "bindings/http/request_head.hpp"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <condition_variable>
#include <cstring>
#include <ctime>
#include <deque>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponseImpl.h>
#include <Poco/Net/HTTPServerSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocketImpl.h>
#include <Poco/Net/X509Certificate.h>
#include <openssl/ssl.h>

namespace taxii::http {
namespace {

using Poco::Net::HTTPServerParams;

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// The HTTP session of a connection, with two additions:
// - whether it holds bytes already read from the socket (a pipelined request);
// - gathering of output. Poco writes an answer through a 4 KiB stream buffer: one send(2)
//   per 4 KiB, ~800 for a 1000-block Poll_Response part (and system calls are what costs
//   most on the VMs we run on). While gathering, writes are collected and sent in pieces of
//   up to kGatherBytes; the rest when the exchange ends (send_gathered). One copy of the
//   bytes, kGatherBytes per connection while it is answered, none when it is idle.
// What the reactor's sweep needs to judge a worker's exchange with a slow peer: whether the
// worker is inside a read or a write on the socket now (since when), and how many bytes have
// moved (min_data_rate, EngineOptions).
struct IoMeter {
  std::atomic<int64_t> since{0};     // ms; 0: not in I/O
  std::atomic<uint64_t> bytes{0};    // moved in either direction since the connection opened
  int64_t window_start = 0;          // reactor (sweep) only
  uint64_t window_bytes = 0;         // reactor (sweep) only
};

// Marks the worker as inside socket I/O (IoMeter::since) for the reactor's rate check;
// nested scopes keep the outermost start.
class Metered {
 public:
  explicit Metered(IoMeter& m) : m_(m), outer_(m.since.load(std::memory_order_relaxed) != 0) {
    if (!outer_) m_.since.store(now_ms(), std::memory_order_relaxed);
  }
  ~Metered() {
    if (!outer_) m_.since.store(0, std::memory_order_relaxed);
  }
  Metered(const Metered&) = delete;
  Metered& operator=(const Metered&) = delete;

 private:
  IoMeter& m_;
  bool outer_;
};

// Bytes of answers left for the reactor to write (all connections): past this, a worker
// writes the rest itself, blocking (metered), rather than hold more memory for slow readers.
std::atomic<std::size_t> g_behind_bytes{0};
constexpr std::size_t kMaxBehindBytes = 512u << 20;

class ServerSession final : public Poco::Net::HTTPServerSession {
 public:
  ServerSession(const Poco::Net::StreamSocket& socket, Poco::Net::HTTPServerParams::Ptr params, IoMeter& meter)
      : HTTPServerSession(socket, params), meter_(meter) {}
  ~ServerSession() override { drop_behind(); }
  bool has_buffered() const { return buffered() > 0; }

  // Plain connections: writes never block. What the socket does not take at once is kept
  // (`behind`) and written by the reactor as the client reads (EPOLLOUT), so a slow reader
  // of a large answer holds memory, not a worker.
  void write_behind(int fd) { fd_ = fd; }
  bool behind() const { return behind_off_ < behind_.size(); }
  // From the reactor: writes what the socket takes now. True when all is written; throws
  // on a closed connection.
  bool flush_behind() {
    while (behind()) {
      const ssize_t w = ::send(fd_, behind_.data() + behind_off_, behind_.size() - behind_off_, MSG_DONTWAIT | MSG_NOSIGNAL);
      if (w < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return false;
        throw Poco::Net::ConnectionResetException("the connection closed while the answer was sent");
      }
      behind_off_ += static_cast<std::size_t>(w);
      meter_.bytes.fetch_add(static_cast<uint64_t>(w), std::memory_order_relaxed);
    }
    drop_behind();
    return true;
  }

  // Reads of the body (TLS connections, whose bytes the reactor cannot stage) are metered.
  int read(char* buffer, std::streamsize length) override {
    if (buffered() > 0) return HTTPServerSession::read(buffer, length);
    Metered m(meter_);
    const int n = HTTPServerSession::read(buffer, length);
    if (n > 0) meter_.bytes.fetch_add(static_cast<uint64_t>(n), std::memory_order_relaxed);
    return n;
  }

  void gather() { gathering_ = true; }

  // Sends what was gathered (the answer's head), then `pieces` straight from where they are,
  // IOV_MAX at a time (ConnectionInfo::send_pieces). fd: the plain socket's descriptor.
  void send_pieces(const std::vector<std::string_view>& pieces, int fd) {
    send_gathered();
    std::vector<iovec> iov;
    iov.reserve(pieces.size());
    for (const auto& p : pieces)
      if (!p.empty()) iov.push_back({const_cast<char*>(p.data()), p.size()});
    Metered metered(meter_);
    std::size_t i = 0;
    while (i < iov.size()) {
      if (behind()) {  // something is already waiting: the rest goes after it
        for (; i < iov.size(); ++i) keep_behind(static_cast<const char*>(iov[i].iov_base), iov[i].iov_len);
        return;
      }
      msghdr m{};
      m.msg_iov = iov.data() + i;
      m.msg_iovlen = std::min<std::size_t>(iov.size() - i, IOV_MAX);
      // Without blocking where the reactor can finish the answer; else the send timeout applies.
      const int flags = MSG_NOSIGNAL | (may_defer() ? MSG_DONTWAIT : 0);
      const ssize_t w = ::sendmsg(fd, &m, flags);
      if (w < 0) {
        if (errno == EINTR) continue;
        if ((errno == EAGAIN || errno == EWOULDBLOCK) && (flags & MSG_DONTWAIT) != 0) {
          for (; i < iov.size(); ++i) keep_behind(static_cast<const char*>(iov[i].iov_base), iov[i].iov_len);
          return;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK) throw Poco::TimeoutException("sending the answer timed out");
        throw Poco::Net::ConnectionResetException("the connection closed while the answer was sent");
      }
      meter_.bytes.fetch_add(static_cast<uint64_t>(w), std::memory_order_relaxed);
      auto left = static_cast<std::size_t>(w);
      while (i < iov.size() && left >= iov[i].iov_len) left -= iov[i++].iov_len;
      if (i < iov.size() && left > 0) {
        iov[i].iov_base = static_cast<char*>(iov[i].iov_base) + left;
        iov[i].iov_len -= left;
      }
    }
  }
  // Sends what was gathered, frees the buffer and stops gathering. Throws what a direct
  // write would.
  void send_gathered() {
    gathering_ = false;
    std::vector<char> out;
    out.swap(gathered_);
    send_all(out.data(), out.size());
  }

 protected:
  int write(const char* buffer, std::streamsize length) override {
    if (!gathering_) {
      send_all(buffer, static_cast<std::size_t>(length));
      return static_cast<int>(length);
    }
    const auto n = static_cast<std::size_t>(length);
    if (gathered_.size() + n > kGatherBytes) {
      send_all(gathered_.data(), gathered_.size());
      gathered_.clear();
    }
    if (n >= kGatherBytes) {
      send_all(buffer, n);
    } else {
      // vector::reserve takes exactly what it is asked for: never more than kGatherBytes.
      if (gathered_.capacity() < gathered_.size() + n)
        gathered_.reserve(std::min(kGatherBytes, std::max({2 * gathered_.capacity(), gathered_.size() + n,
                                                           std::size_t{8192}})));
      gathered_.insert(gathered_.end(), buffer, buffer + n);
    }
    return static_cast<int>(length);
  }

 private:
  // Below taxiid's mmap threshold (server/main.cpp): the buffer comes from the heap, not
  // from pages mapped and faulted in for each answer.
  static constexpr std::size_t kGatherBytes = 128 * 1024;

  bool may_defer() const { return fd_ >= 0 && g_behind_bytes.load(std::memory_order_relaxed) < kMaxBehindBytes; }

  void keep_behind(const char* p, std::size_t n) {
    if (n == 0) return;
    if (behind_off_ > 0 && behind_off_ == behind_.size()) {
      behind_.clear();
      behind_off_ = 0;
    }
    behind_.append(p, n);
    g_behind_bytes.fetch_add(n, std::memory_order_relaxed);
    counted_ += n;
  }
  void drop_behind() {
    if (counted_ > 0) g_behind_bytes.fetch_sub(counted_, std::memory_order_relaxed);
    counted_ = 0;
    std::string().swap(behind_);
    behind_off_ = 0;
  }

  void send_all(const char* p, std::size_t n) {
    if (n == 0) return;
    if (behind()) return keep_behind(p, n);
    Metered m(meter_);
    if (may_defer()) {
      while (n > 0) {
        const ssize_t w = ::send(fd_, p, n, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (w < 0) {
          if (errno == EINTR) continue;
          if (errno == EAGAIN || errno == EWOULDBLOCK) return keep_behind(p, n);
          throw Poco::Net::ConnectionResetException("the connection closed while the answer was sent");
        }
        meter_.bytes.fetch_add(static_cast<uint64_t>(w), std::memory_order_relaxed);
        p += w;
        n -= static_cast<std::size_t>(w);
      }
      return;
    }
    while (n > 0) {
      const int k = HTTPServerSession::write(p, static_cast<std::streamsize>(std::min<std::size_t>(n, 1 << 30)));
      if (k <= 0) throw Poco::Net::ConnectionResetException("the connection closed while the answer was sent");
      meter_.bytes.fetch_add(static_cast<uint64_t>(k), std::memory_order_relaxed);
      p += k;
      n -= static_cast<std::size_t>(k);
    }
  }

  IoMeter& meter_;
  bool gathering_ = false;
  std::vector<char> gathered_;
  int fd_ = -1;              // plain connections: write-behind allowed
  std::string behind_;       // not yet written; the reactor writes it
  std::size_t behind_off_ = 0;
  std::size_t counted_ = 0;  // bytes added to g_behind_bytes
};

// A plain (non-TLS) accepted socket with two savings per request:
// - it knows its two addresses: Poco's request object asks for both on every request
//   (getpeername + getsockname), which a keep-alive connection answers once, at accept;
// - it holds the bytes read so far (`staged`): the engine reads a request, head and body,
//   without blocking (in a worker's first read, then in the reactor) and hands it to a worker
//   only once it is whole; Poco then reads those bytes from here. A slow client holds a
//   buffer, never a thread.
// Offsets into staged_: begin_ (the current request's first byte) <= off_ (what Poco has
// taken) <= limit_ (the end of the current request: Poco never reads the next one, which
// must be scanned first).
// TLS connections: the same staging over an accepted SecureStreamSocket (`tls_`), which
// does the reading and writing (and owns the descriptor); the bytes are read by the worker,
// blocking and metered, since TLS records cannot be read without OpenSSL.
class PlainSocketImpl final : public Poco::Net::StreamSocketImpl {
 public:
  explicit PlainSocketImpl(poco_socket_t fd) : StreamSocketImpl(fd) {}
  explicit PlainSocketImpl(const Poco::Net::StreamSocket& tls) : StreamSocketImpl(tls.impl()->sockfd()), tls_(tls) {}

  bool is_tls() const { return tls_.has_value(); }
  Poco::Net::StreamSocket& tls_socket() { return *tls_; }
  // Blocking (the socket's timeouts); 0 at the end of input.
  int tls_receive(char* buffer, int length) { return tls_->receiveBytes(buffer, length); }
  bool tls_pending() { return tls_ && tls_->available() > 0; }

  int sendBytes(const void* buffer, int length, int flags) override {
    return tls_ ? tls_->sendBytes(buffer, length, flags) : StreamSocketImpl::sendBytes(buffer, length, flags);
  }
  void close() override {
    if (!tls_) return StreamSocketImpl::close();
    tls_->close();
    reset();  // tls_ closed the descriptor
  }
  void shutdown() override {
    if (tls_) tls_->shutdown();
    else StreamSocketImpl::shutdown();
  }
  void shutdownSend() override {
    if (tls_) tls_->shutdownSend();
    else StreamSocketImpl::shutdownSend();
  }
  void set_addresses(const Poco::Net::SocketAddress& local, const Poco::Net::SocketAddress& peer) {
    local_ = local;
    peer_ = peer;
  }
  Poco::Net::SocketAddress address() override { return local_; }
  Poco::Net::SocketAddress peerAddress() override { return peer_; }

  using StreamSocketImpl::receiveBytes;
  int receiveBytes(void* buffer, int length, int flags) override {
    const std::size_t avail = std::min(limit_, staged_.size()) - std::min(off_, std::min(limit_, staged_.size()));
    if (flags != 0 || avail == 0 || length <= 0)
      return tls_ ? tls_->receiveBytes(buffer, length, flags) : StreamSocketImpl::receiveBytes(buffer, length, flags);
    const std::size_t n = std::min(avail, static_cast<std::size_t>(length));
    std::memcpy(buffer, staged_.data() + off_, n);
    off_ += n;
    return static_cast<int>(n);
  }
  int available() override {
    return static_cast<int>(staged_.size() - off_) + (tls_ ? tls_->available() : StreamSocketImpl::available());
  }

  // The current request's bytes, from its first.
  std::string_view request() const { return std::string_view(staged_).substr(begin_); }
  // Poco may read the current request's first `extent` bytes.
  void allow(std::size_t extent) { limit_ = begin_ + extent; }
  // The current request is over: the next begins where Poco stopped. Frees the buffer when
  // nothing is left (an idle connection holds none).
  void next_request() {
    // Body bytes the handler left unread belong to the request that is over.
    begin_ = std::min(std::max(off_, limit_), staged_.size());
    off_ = begin_;
    limit_ = begin_;
    if (begin_ == staged_.size()) {
      std::string().swap(staged_);
      begin_ = off_ = limit_ = 0;
    } else if (begin_ >= 64 * 1024) {
      staged_.erase(0, begin_);
      off_ -= begin_;
      limit_ -= begin_;
      begin_ = 0;
    }
  }
  void reserve_request(std::size_t n) {
    if (staged_.capacity() < begin_ + n) staged_.reserve(begin_ + n);
  }
  void stage(const char* data, std::size_t n) { staged_.append(data, n); }
  // Bytes of the current request Poco has not taken; skip(n): Poco never sees the first n.
  std::size_t unread() const { return staged_.size() - off_; }
  void skip(std::size_t n) { off_ = std::min(begin_ + n, staged_.size()); }

 private:
  ~PlainSocketImpl() override {
    if (tls_) reset();  // the descriptor is tls_'s to close
  }
  std::optional<Poco::Net::StreamSocket> tls_;
  Poco::Net::SocketAddress local_;
  Poco::Net::SocketAddress peer_;
  std::string staged_;  // read from the socket, not yet done with
  std::size_t begin_ = 0;
  std::size_t off_ = 0;
  std::size_t limit_ = 0;
};

// Accepts one connection from a plain, non-blocking listener; nullopt when none is pending.
std::optional<Poco::Net::StreamSocket> accept_plain(int listener_fd) {
  sockaddr_storage peer{};
  socklen_t peer_len = sizeof peer;
  const int fd = ::accept4(listener_fd, reinterpret_cast<sockaddr*>(&peer), &peer_len, SOCK_CLOEXEC);
  if (fd < 0) return std::nullopt;  // EAGAIN, or the client went away
  auto* impl = new PlainSocketImpl(fd);
  Poco::Net::StreamSocket s(impl);  // owns fd from here
  sockaddr_storage local{};
  socklen_t local_len = sizeof local;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len) != 0) return std::nullopt;
  impl->set_addresses(Poco::Net::SocketAddress(reinterpret_cast<const sockaddr*>(&local), local_len),
                      Poco::Net::SocketAddress(reinterpret_cast<const sockaddr*>(&peer), peer_len));
  return s;
}

// The Date header's value (RFC 7231 §7.1.1.2), formatted once per second per thread.
const std::string& http_date() {
  thread_local std::time_t formatted_at = -1;
  thread_local std::string text;
  const std::time_t now = std::time(nullptr);
  if (now != formatted_at) {
    text = Poco::DateTimeFormatter::format(Poco::Timestamp::fromEpochTime(now), Poco::DateTimeFormat::HTTP_FORMAT);
    formatted_at = now;
  }
  return text;
}

// epoll tags: a connection is tagged with its fd; these are above any fd.
constexpr uint64_t kWakeTag = 1ull << 41;
constexpr uint64_t kListenerTag = 1ull << 40;
constexpr int64_t kDrainMillis = 2000;

// Certificate reload: the listener's own SSL_CTX stays (Poco binds it to the socket); a
// ClientHello callback switches each new SSL to the newest context. Contexts are kept until
// the server is destroyed, so a handshake never sees a freed one.
struct TlsSlot {
  TlsOptions options;
  std::atomic<SSL_CTX*> current{nullptr};
  std::mutex mu;                                   // guards contexts
  std::vector<Poco::Net::Context::Ptr> contexts;   // every context loaded, oldest first
};

struct Listener {
  Poco::Net::ServerSocket socket;  // a SecureServerSocket for TLS
  std::unique_ptr<TlsSlot> tls;    // TLS listeners: the contexts for reload_tls()
  BoundListener info;
  int fd = -1;
  std::size_t index = 0;  // in Impl::listeners; the epoll tag is kListenerTag + index
  bool armed = false;
  bool closed = false;
};

// Open connections per client address (EngineOptions::max_connections_per_ip). Taken in
// the reactor at accept, given back by ~Conn in whichever thread drops the last reference.
class AddressCounts {
 public:
  bool take(const std::string& ip, std::size_t cap) {
    std::lock_guard<std::mutex> lock(mu_);
    std::size_t& n = counts_[ip];
    if (cap != 0 && n >= cap) {
      if (n == 0) counts_.erase(ip);
      return false;
    }
    ++n;
    return true;
  }
  void give(const std::string& ip) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = counts_.find(ip);
    if (it != counts_.end() && --it->second == 0) counts_.erase(it);
  }

 private:
  std::mutex mu_;
  std::unordered_map<std::string, std::size_t> counts_;
};

// A request whose head Poco has parsed while its body was still arriving (HttpServer::Gate):
// kept with the connection until the body is staged, then handed to the handler.
struct Pending {
  explicit Pending(Poco::Net::HTTPServerSession& session) : response(session) {}
  Poco::Net::HTTPServerResponseImpl response;
  std::optional<Poco::Net::HTTPServerRequestImpl> request;
};

// One client connection: the socket and the HTTP session (with its read buffer), which
// live as long as the connection, whether a worker serves it or the reactor holds it idle.
struct Conn {
  Conn(const Poco::Net::StreamSocket& s, HTTPServerParams::Ptr params, ConnectionInfo i,
       std::atomic<std::size_t>& open, bool is_tls, AddressCounts& counts, std::string address)
      : socket(s),
        session(socket, params, meter),
        info(std::move(i)),
        fd(socket.impl()->sockfd()),
        tls(is_tls),
        ip(std::move(address)),
        open_(open),
        counts_(counts) {
    open_.fetch_add(1);
  }
  ~Conn() {
    pending.reset();  // before the session it refers to
    open_.fetch_sub(1);
    counts_.give(ip);
  }
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  IoMeter meter;          // before the session, which keeps a reference
  Poco::Net::StreamSocket socket;
  ServerSession session;  // closes the socket when destroyed
  ConnectionInfo info;
  int fd;
  bool tls;
  std::string ip;                             // the client's address, for AddressCounts
  bool identified = false;                    // client certificate looked at (worker)
  bool draining = false;                      // answered and half-closed; input is discarded
  std::atomic<int64_t> idle_deadline{0};      // set by whoever arms it in epoll
  std::atomic<bool> in_worker{false};         // dispatched; the reactor leaves it alone
  PlainSocketImpl* plain = nullptr;           // the socket's impl, for plain connections
  // A plain connection's request as staged so far (whoever holds the connection: reactor
  // or worker, never both).
  RequestHeadScanner head;
  std::optional<ChunkedScanner> chunks;
  bool receiving = false;                     // a request has begun and is not yet whole
  bool flushing = false;                      // the reactor writes the rest of an answer
  bool close_after_flush = false;             //   and then closes (else: keep-alive)
  bool next_waiting = false;                  //   and then serves a request already staged
  int64_t flush_deadline = 0;
  int64_t request_deadline = 0;               // receiving: request_timeout after its first byte
  int64_t window_start = 0;                   // receiving: the rate window (min_data_rate)
  std::size_t window_staged = 0;              //   and the staged bytes at its start
  std::unique_ptr<Pending> pending;           // the head parsed, the body still arriving
  std::atomic<int64_t> busy_deadline{INT64_MAX};
  std::atomic<std::size_t>& open_;
  AddressCounts& counts_;
};

// Writes a whole small answer without blocking (the engine's own 400 / 408 / 503, ...); what
// does not fit in the socket buffer at once is dropped (a fresh connection's buffer holds far
// more than these few hundred bytes).
// The bytes of an answer the engine gives itself: status line, Connection: close, Date, the
// refusal's headers and body.
std::string engine_answer(int status, const char* reason, const HttpServer::Refusal* r) {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\nConnection: close\r\nDate: " + http_date() + "\r\n";
  if (r != nullptr)
    for (const auto& [k, v] : r->headers) out += k + ": " + v + "\r\n";
  out += "Content-Length: " + std::to_string(r != nullptr ? r->body.size() : 0) + "\r\n\r\n";
  if (r != nullptr) out += r->body;
  return out;
}

void send_now(int fd, int status, const char* reason, const HttpServer::Refusal* r = nullptr) {
  const std::string out = engine_answer(status, reason, r);
  [[maybe_unused]] const ssize_t w = ::send(fd, out.data(), out.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
}

const char* reason_for(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 431: return "Request Header Fields Too Large";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Error";
  }
}

void send_plain_error(ServerSession& session, Poco::Net::HTTPResponse::HTTPStatus status) {
  Poco::Net::HTTPServerResponseImpl r(session);
  r.setVersion(Poco::Net::HTTPMessage::HTTP_1_1);
  r.setStatusAndReason(status);
  r.setKeepAlive(false);
  r.setContentLength(0);
  r.send();
  session.setKeepAlive(false);
}

Poco::Net::Context::Ptr make_context(const TlsOptions& t) {
  Poco::Net::Context::Params p;
  p.privateKeyFile = t.key;
  p.certificateFile = t.cert;
  p.caLocation = t.ca;
  switch (t.client_certificates) {
    case ClientCertificates::None: p.verificationMode = Poco::Net::Context::VERIFY_NONE; break;
    case ClientCertificates::Optional: p.verificationMode = Poco::Net::Context::VERIFY_RELAXED; break;
    case ClientCertificates::Required: p.verificationMode = Poco::Net::Context::VERIFY_STRICT; break;
  }
  p.verificationDepth = 9;
  p.loadDefaultCAs = false;
  p.cipherList = t.ciphers;
  Poco::Net::Context::Ptr ctx = new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, p);
  ctx->requireMinimumProtocol(t.min_version == "1.3" ? Poco::Net::Context::PROTO_TLSV1_3
                                                     : Poco::Net::Context::PROTO_TLSV1_2);
  // Poco's "extended verification" matches the peer certificate's names against the peer's
  // host: right for a client checking a server, wrong for client certificates (it would
  // demand a client certificate naming the client's IP). OpenSSL still verifies the chain.
  ctx->enableExtendedCertificateVerification(false);
  // A session id context is needed for resumption when client certificates are verified.
  ctx->enableSessionCache(true, "taxiid");
  return ctx;
}

int on_client_hello(SSL* ssl, int* /*alert*/, void* arg) {
  auto* slot = static_cast<TlsSlot*>(arg);
  SSL_CTX* want = slot->current.load();
  if (want != nullptr && SSL_get_SSL_CTX(ssl) != want) SSL_set_SSL_CTX(ssl, want);
  return SSL_CLIENT_HELLO_SUCCESS;
}

}  // namespace

struct HttpServer::Impl {
  EngineOptions opt;
  Handler handler;
  Gate gate;
  RefusalBody refusal;
  ErrorLog log;
  HTTPServerParams::Ptr params;
  HeadLimits head_limits;
  std::vector<std::unique_ptr<Listener>> listeners;
  std::vector<BoundListener> bound;
  int ep = -1;
  int wake_fd = -1;
  std::thread reactor;
  std::vector<std::thread> workers;
  std::atomic<bool> stopping{false};
  std::atomic<bool> reactor_exit{false};
  bool started = false;
  bool stopped = false;
  std::atomic<std::size_t> open{0};
  AddressCounts per_ip;

  std::unordered_map<int, std::shared_ptr<Conn>> parked;  // reactor thread only

  std::mutex work_mu;
  std::condition_variable work_cv;
  std::deque<std::shared_ptr<Conn>> work;
  bool workers_exit = false;

  std::mutex park_mu;
  std::vector<std::shared_ptr<Conn>> to_park;
  std::vector<std::shared_ptr<Conn>> to_close;              // guarded by park_mu

  std::mutex busy_mu;
  std::unordered_set<Conn*> busy;

  ~Impl() {
    if (ep >= 0) ::close(ep);
    if (wake_fd >= 0) ::close(wake_fd);
  }

  void error(const std::string& m) const {
    if (log) log(m);
  }

  void wake() const {
    const uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(wake_fd, &one, sizeof one);
  }

  void arm(Listener& l, bool on) {
    if (l.closed || l.armed == on) return;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = kListenerTag + l.index;
    if (::epoll_ctl(ep, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, l.fd, &ev) == 0) l.armed = on;
  }

  // Connections stay registered (EPOLLONESHOT) and in `parked` from accept to close, also
  // while a worker serves them: the event that dispatches one disarms it, and the worker
  // re-arms it itself when it answered and keeps the connection, or when its request is not
  // whole yet (rearm()), without waking the reactor. Only closing and draining go through
  // the reactor.
  static epoll_event conn_event(int fd, bool out = false) {
    epoll_event ev{};
    ev.events = (out ? EPOLLOUT : EPOLLIN) | EPOLLRDHUP | EPOLLONESHOT;
    ev.data.u64 = static_cast<uint64_t>(fd);
    return ev;
  }

  void park(const std::shared_ptr<Conn>& c, int64_t deadline) {
    c->idle_deadline = deadline;
    c->in_worker = false;
    auto it = parked.find(c->fd);
    if (it != parked.end() && it->second == c) {  // still registered (disarmed): re-arm
      epoll_event ev = conn_event(c->fd, c->flushing);
      if (::epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev) != 0) unpark(c->fd);
      return;
    }
    epoll_event ev = conn_event(c->fd, c->flushing);
    if (::epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev) != 0) {
      error(std::string("epoll_ctl(ADD) failed: ") + std::strerror(errno));
      return;  // the connection closes
    }
    parked[c->fd] = c;
  }

  // From a worker: arm the connection for its next bytes (the next request, or the rest of
  // this one). False if it is no longer registered (the caller hands it to the reactor).
  bool rearm(Conn& c) {
    c.idle_deadline = now_ms() + opt.keep_alive_timeout.count() * 1000;
    c.in_worker = false;
    epoll_event ev = conn_event(c.fd, c.flushing);
    if (::epoll_ctl(ep, EPOLL_CTL_MOD, c.fd, &ev) == 0) return true;
    c.in_worker = true;
    return false;
  }

  void unpark(int fd) {
    ::epoll_ctl(ep, EPOLL_CTL_DEL, fd, nullptr);
    parked.erase(fd);
  }

  void accept_from(Listener& l) {
    for (int k = 0; k < 64; ++k) {
      if (open.load() >= opt.max_connections) {
        arm(l, false);  // the kernel backlog queues further clients
        return;
      }
      Poco::Net::SocketAddress peer;
      Poco::Net::StreamSocket s;
      try {
        if (l.tls) {
          s = l.socket.acceptConnection(peer);
        } else {
          std::optional<Poco::Net::StreamSocket> got = accept_plain(l.fd);
          if (!got) return;
          s = *got;
          peer = s.peerAddress();
        }
      } catch (const Poco::Exception&) {
        return;  // nothing more to accept (EAGAIN), or the client went away
      }
      std::string ip = peer.host().toString();
      if (!per_ip.take(ip, opt.max_connections_per_ip)) {
        // Over the per-address cap: refused at once (a TLS client gets no plain-text answer).
        if (!l.tls) send_now(s.impl()->sockfd(), 503, reason_for(503));
        try {
          s.close();
        } catch (const Poco::Exception&) {
        }
        continue;
      }
      try {
        s.setBlocking(true);
        s.setNoDelay(true);
        s.setSendTimeout(Poco::Timespan(opt.request_timeout.count(), 0));
        if (l.tls) {
          // Staged like a plain connection, read by the worker through OpenSSL.
          s.setReceiveTimeout(Poco::Timespan(opt.request_timeout.count(), 0));
          const Poco::Net::SocketAddress local = s.address();
          auto* staged = new PlainSocketImpl(s);
          staged->set_addresses(local, peer);
          s = Poco::Net::StreamSocket(staged);
        }
        ConnectionInfo info{peer.toString(), l.info.https, {}, {}, {}};
        auto c = std::make_shared<Conn>(s, params, std::move(info), open, l.info.tls, per_ip, std::move(ip));
        c->plain = static_cast<PlainSocketImpl*>(s.impl());
        if (!l.tls) {
          c->session.write_behind(c->fd);
          c->info.send_pieces = [conn = c.get()](const std::vector<std::string_view>& pieces) {
            conn->session.send_pieces(pieces, conn->fd);
          };
        }
        park(c, now_ms() + opt.keep_alive_timeout.count() * 1000);
      } catch (const std::exception& e) {
        error(std::string("accept: ") + e.what());
      }
    }
  }

  // Lingering close: after answering a request whose body we did not read (413, 411, ...),
  // the write side is shut down and input is discarded until the client closes or
  // kDrainMillis pass, so the client reads our answer instead of a connection reset.
  // Returns whether to keep draining.
  static bool drain(int fd) {
    char buf[16384];
    while (true) {
      const ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
      if (n > 0) continue;
      return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR);
    }
  }

  void dispatch(std::shared_ptr<Conn> c) {
    {
      std::lock_guard<std::mutex> lock(work_mu);
      work.push_back(std::move(c));
    }
    work_cv.notify_one();
  }

  void adopt_returns() {
    std::vector<std::shared_ptr<Conn>> back, closing;
    {
      std::lock_guard<std::mutex> lock(park_mu);
      back.swap(to_park);
      closing.swap(to_close);
    }
    const int64_t now = now_ms();
    for (auto& c : back)
      if (!stopping) park(c, now + (c->draining ? kDrainMillis : opt.keep_alive_timeout.count() * 1000));
    for (auto& c : closing) {
      auto it = parked.find(c->fd);
      if (it != parked.end() && it->second == c) unpark(c->fd);
    }
  }

  // ---- Requests read without a worker (plain connections) ----

  enum class Fill {
    Wait,     // not whole yet: the reactor reads on
    Gate,     // the head is whole, the body is not: a worker runs the gate once
    Ready,    // whole (or the client ended it): a worker serves it
    Invalid,  // not HTTP, or framing refused (RFC 9112): answered by the engine, closed
    Closed,   // the client went away before sending anything of a request
  };

  // Reads what the socket holds, without blocking, into the connection's staging buffer (at
  // most `budget` bytes, and never past the current request's declared end) and judges the
  // request so far. A request is whole when its head and its body (Content-Length, or a
  // chunked body through its trailer) are staged; a declared length over max_body_bytes is
  // "whole" at its head (the handler refuses it without reading).
  Fill fill(Conn& c, std::size_t budget) {
    if (c.tls) return fill_tls(c);
    PlainSocketImpl& s = *c.plain;
    thread_local std::unique_ptr<char[]> buf(new char[kReadChunk]);
    bool eof = false;
    Fill f = judge(c, false);
    while (f == Fill::Wait || f == Fill::Gate) {
      const std::size_t want = std::min({wanted(c), budget, kReadChunk});
      if (want == 0) break;
      const ssize_t n = ::recv(c.fd, buf.get(), want, MSG_DONTWAIT);
      if (n == 0) {
        eof = true;
      } else if (n < 0) {
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) eof = true;
      }
      if (n <= 0) break;
      s.stage(buf.get(), static_cast<std::size_t>(n));
      budget -= static_cast<std::size_t>(n);
      f = judge(c, false);
      if (static_cast<std::size_t>(n) < want) break;  // the socket is drained
    }
    if (eof) f = judge(c, true);
    if (!c.receiving && (f == Fill::Wait || f == Fill::Gate)) {
      c.receiving = true;  // a request has begun: its deadline and rate window start now
      const int64_t now = now_ms();
      c.request_deadline = now + opt.request_timeout.count() * 1000;
      c.window_start = now;
      c.window_staged = 0;
    }
    return f;
  }

  static constexpr std::size_t kReadChunk = 64 * 1024;

  // TLS connections (worker only): reads through OpenSSL, blocking and metered (the rate
  // check cuts a slow peer), until the request is whole, refused, or its head is whole and
  // the gate has not seen it yet.
  Fill fill_tls(Conn& c) {
    thread_local std::unique_ptr<char[]> buf(new char[kReadChunk]);
    Metered metered(c.meter);
    Fill f = judge(c, false);
    while (f == Fill::Wait) {
      const std::size_t want = std::min(wanted(c), kReadChunk);
      if (want == 0) break;
      int n = 0;
      try {
        n = c.plain->tls_receive(buf.get(), static_cast<int>(want));
      } catch (const Poco::Net::SSLException& e) {
        error("tls: " + c.info.remote + ": " + e.displayText());
        return Fill::Closed;  // a failed handshake (no or untrusted client certificate, old TLS, ...)
      } catch (const Poco::Exception&) {
        n = 0;  // reset, timeout, cut: the end of input
      }
      if (n <= 0) return c.plain->request().empty() ? Fill::Closed : judge(c, true);
      c.plain->stage(buf.get(), static_cast<std::size_t>(n));
      c.meter.bytes.fetch_add(static_cast<uint64_t>(n), std::memory_order_relaxed);
      f = judge(c, false);
    }
    return f;
  }

  // How many more bytes the current request may still need.
  std::size_t wanted(const Conn& c) const {
    const std::size_t have = c.plain->request().size();
    const HeadVerdict& v = c.head.verdict();
    if (v.kind != HeadVerdict::Complete) return head_limits.max_head + 1 > have ? head_limits.max_head + 1 - have : 0;
    if (v.chunked) return kReadChunk;
    const std::size_t end = v.head_len + static_cast<std::size_t>(v.content_length.value_or(0));
    return end > have ? end - have : 0;
  }

  Fill judge(Conn& c, bool eof) {
    PlainSocketImpl& s = *c.plain;
    const std::string_view all = s.request();
    if (all.empty()) return eof ? Fill::Closed : Fill::Wait;
    const HeadVerdict& v = c.head.feed(all);
    if (v.kind == HeadVerdict::Invalid) return Fill::Invalid;
    if (v.kind == HeadVerdict::Incomplete) {
      if (!eof) return Fill::Wait;
      s.allow(all.size());  // Poco reads the partial head, then the end: it answers or drops
      return Fill::Ready;
    }
    if (s.unread() == all.size()) s.skip(v.start);  // empty lines before the request line (RFC 9112 §2.2)
    std::size_t extent = v.head_len;
    bool whole = true;
    if (v.chunked) {
      if (!c.chunks) {
        ChunkedLimits cl;
        cl.max_body = opt.max_body_bytes;
        c.chunks.emplace(cl);
      }
      const ChunkedVerdict& cv = c.chunks->feed(all.substr(v.head_len));
      if (cv.kind == ChunkedVerdict::Invalid) return Fill::Invalid;
      whole = cv.kind == ChunkedVerdict::Complete;
      extent += cv.wire_len;
    } else if (v.content_length && *v.content_length > 0 && *v.content_length <= opt.max_body_bytes) {
      extent += static_cast<std::size_t>(*v.content_length);
      whole = all.size() >= extent;
      if (!whole) s.reserve_request(std::min<std::size_t>(extent, 1u << 20));
    }
    if (whole) {
      s.allow(extent);
      return Fill::Ready;
    }
    if (eof) {
      s.allow(all.size());  // the handler finds the body short of its length: 400
      return Fill::Ready;
    }
    s.allow(v.head_len);  // the gate may parse the head now
    // Once per request, a worker parses the head: the gate's checks, and "100 Continue" for a
    // client that waits for it before sending the body.
    return c.pending || (!gate && !v.expect_continue) ? Fill::Wait : Fill::Gate;
  }

  // The status (and reason) a refused head or chunked body is answered with.
  static std::pair<int, std::string_view> invalid_status(const Conn& c) {
    const HeadVerdict& v = c.head.verdict();
    if (v.kind == HeadVerdict::Invalid) return {v.status, v.reason};
    if (c.chunks && c.chunks->verdict().kind == ChunkedVerdict::Invalid)
      return {c.chunks->verdict().status, c.chunks->verdict().reason};
    return {400, "malformed request"};
  }

  // A request answered by the engine itself (refused framing, too slow): the answer, the
  // write side shut, input drained for kDrainMillis, then closed.
  void refuse(Conn& c, int status, std::string_view why) {
    std::optional<Refusal> r;
    if (refusal) {
      try {
        r = refusal(status, why, c.info);
      } catch (...) {
      }
    }
    if (c.tls) {
      // Through OpenSSL, from the worker that holds the connection.
      const std::string out = engine_answer(status, reason_for(status), r ? &*r : nullptr);
      try {
        c.socket.sendBytes(out.data(), static_cast<int>(out.size()));
        // close_notify before the FIN: a client that sees the TCP end without it reports a
        // truncated connection (openssl s_client exits 1) instead of reading the answer.
        c.plain->shutdownSend();
      } catch (const Poco::Exception&) {
      }
      ::shutdown(c.fd, SHUT_WR);
    } else {
      send_now(c.fd, status, reason_for(status), r ? &*r : nullptr);
      ::shutdown(c.fd, SHUT_WR);
    }
    c.draining = true;
    c.receiving = false;
  }

  void sweep(int64_t now) {
    const int64_t grace_ms = opt.min_rate_grace.count() * 1000;
    const uint64_t need = static_cast<uint64_t>(opt.min_data_rate) * static_cast<uint64_t>(opt.min_rate_grace.count());
    for (auto it = parked.begin(); it != parked.end();) {
      Conn& c = *it->second;
      if (c.in_worker.load()) {
        ++it;
        continue;
      }
      if (c.flushing) {
        // An answer the reactor writes: its deadline and its data rate; a slow reader is cut.
        IoMeter& m = c.meter;
        const uint64_t moved = m.bytes.load(std::memory_order_relaxed);
        bool slow = now >= c.flush_deadline;
        if (m.window_start == 0) {
          m.window_start = now;
          m.window_bytes = moved;
        } else if (!slow && need > 0 && now - m.window_start >= grace_ms) {
          slow = moved - m.window_bytes < need;
          m.window_start = now;
          m.window_bytes = moved;
        }
        if (slow) {
          error("slow client " + c.info.remote + ": answer cut (read under " + std::to_string(opt.min_data_rate) +
                " bytes/s, or past request_timeout)");
          ::epoll_ctl(ep, EPOLL_CTL_DEL, it->first, nullptr);
          it = parked.erase(it);  // closes it
          continue;
        }
        ++it;
        continue;
      }
      if (c.receiving && !c.draining) {
        // A request arriving in the reactor: its whole deadline and its data rate.
        const std::size_t have = c.plain->request().size();
        bool slow = now >= c.request_deadline;
        if (!slow && need > 0 && now - c.window_start >= grace_ms) {
          slow = have - c.window_staged < need;
          c.window_start = now;
          c.window_staged = have;
        }
        if (slow && c.tls) {
          error("slow client " + c.info.remote + ": TLS request cut after " + std::to_string(have) + " bytes");
          ::epoll_ctl(ep, EPOLL_CTL_DEL, it->first, nullptr);
          it = parked.erase(it);  // closes it (no plain-text answer on a TLS connection)
          continue;
        }
        if (slow) {
          error("slow client " + c.info.remote + ": request cut with 408 after " + std::to_string(have) + " bytes");
          refuse(c, 408, "the request was not received in time (too slow, or incomplete)");
          c.idle_deadline = now + kDrainMillis;
          epoll_event ev = conn_event(c.fd);
          if (::epoll_ctl(ep, EPOLL_CTL_MOD, c.fd, &ev) != 0) {
            ::epoll_ctl(ep, EPOLL_CTL_DEL, it->first, nullptr);
            it = parked.erase(it);
            continue;
          }
        }
        ++it;
        continue;
      }
      if (c.idle_deadline.load() <= now) {
        ::epoll_ctl(ep, EPOLL_CTL_DEL, it->first, nullptr);
        it = parked.erase(it);  // closes the idle connection
      } else {
        ++it;
      }
    }
    std::lock_guard<std::mutex> lock(busy_mu);
    for (Conn* c : busy) {
      if (c->busy_deadline.load() <= now) {
        // The exchange ran past request_timeout: unblock the worker; it then drops the connection.
        ::shutdown(c->fd, SHUT_RDWR);
        c->busy_deadline = INT64_MAX;
        continue;
      }
      // A worker blocked on a slow peer (an answer read slowly, a TLS request sent slowly):
      // below min_data_rate over a whole window, the connection is cut.
      IoMeter& m = c->meter;
      if (need == 0 || m.since.load(std::memory_order_relaxed) == 0) {
        m.window_start = 0;
        continue;
      }
      const uint64_t moved = m.bytes.load(std::memory_order_relaxed);
      if (m.window_start == 0) {
        m.window_start = now;
        m.window_bytes = moved;
      } else if (now - m.window_start >= grace_ms) {
        if (moved - m.window_bytes < need) {
          error("slow client " + c->info.remote + ": connection cut (under " + std::to_string(opt.min_data_rate) +
                " bytes/s)");
          ::shutdown(c->fd, SHUT_RDWR);
          c->busy_deadline = INT64_MAX;
        }
        m.window_start = now;
        m.window_bytes = moved;
      }
    }
  }

  void reactor_loop() {
    std::vector<epoll_event> events(256);
    int64_t next_sweep = 0;
    bool listeners_closed = false;
    while (!reactor_exit) {
      const int n = ::epoll_wait(ep, events.data(), static_cast<int>(events.size()), 100);
      if (n < 0 && errno != EINTR) error(std::string("epoll_wait failed: ") + std::strerror(errno));
      for (int i = 0; i < n; ++i) {
        const uint64_t tag = events[i].data.u64;
        if (tag == kWakeTag) {
          uint64_t v = 0;
          [[maybe_unused]] ssize_t r = ::read(wake_fd, &v, sizeof v);
        } else if (tag >= kListenerTag) {
          const std::size_t idx = tag - kListenerTag;
          if (idx < listeners.size() && !stopping) accept_from(*listeners[idx]);
        } else {
          const int fd = static_cast<int>(tag);
          auto it = parked.find(fd);
          if (it == parked.end()) continue;
          std::shared_ptr<Conn> c = it->second;
          if (c->in_worker) continue;  // cannot happen (one-shot); never serve a connection twice
          if (c->draining && !stopping) {
            if (!drain(fd)) {
              unpark(fd);
            } else {
              epoll_event ev = conn_event(fd);
              if (::epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev) != 0) unpark(fd);
            }
            continue;
          }
          if (c->flushing && !stopping) {
            flushed(c, events[i].events);
            continue;
          }
          if (stopping || !(events[i].events & (EPOLLIN | EPOLLRDHUP))) {
            unpark(fd);  // closes it (hang-up or error without data)
            continue;
          }
          if (c->receiving && !c->tls) {
            // The rest of a request: read here, a worker only once it is whole.
            if (fill(*c, kReactorBudget) == Fill::Wait) {
              epoll_event ev = conn_event(fd);
              if (::epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev) != 0) unpark(fd);
              continue;
            }
          }
          c->in_worker = true;  // stays registered (disarmed) and in `parked`
          dispatch(std::move(c));
        }
      }
      adopt_returns();
      if (stopping && !listeners_closed) {
        for (auto& l : listeners) {
          arm(*l, false);
          l->closed = true;
          try {
            l->socket.close();
          } catch (const Poco::Exception&) {
          }
        }
        for (auto& [fd, c] : parked) ::epoll_ctl(ep, EPOLL_CTL_DEL, fd, nullptr);
        parked.clear();
        listeners_closed = true;
      }
      const int64_t now = now_ms();
      if (now >= next_sweep) {
        sweep(now);
        next_sweep = now + 100;
      }
      if (!stopping && open.load() < opt.max_connections)
        for (auto& l : listeners) arm(*l, true);
    }
  }

  // A flushing connection became writable (or failed): writes on; once all is written it
  // closes, waits for its next request, or has a worker serve one already staged.
  void flushed(const std::shared_ptr<Conn>& c, uint32_t events) {
    const int fd = c->fd;
    bool done = false;
    if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) {
      try {
        done = c->session.flush_behind();
      } catch (const std::exception&) {
        unpark(fd);  // the client went away: closed
        return;
      }
    }
    if (!done) {
      epoll_event ev = conn_event(fd, true);
      if (::epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev) != 0) unpark(fd);
      return;
    }
    c->flushing = false;
    c->meter.window_start = 0;
    if (c->close_after_flush) {
      ::shutdown(fd, SHUT_WR);  // lingering close (drain())
      c->draining = true;
      c->idle_deadline = now_ms() + kDrainMillis;
    } else if (c->next_waiting) {
      c->next_waiting = false;
      c->in_worker = true;
      dispatch(c);
      return;
    } else {
      c->idle_deadline = now_ms() + opt.keep_alive_timeout.count() * 1000;
    }
    epoll_event ev = conn_event(fd);
    if (::epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev) != 0) unpark(fd);
  }

  // The reactor reads at most this much of one connection per event (fairness: a fast
  // uploader does not hold the reactor); epoll reports the rest at once.
  static constexpr std::size_t kReactorBudget = 256 * 1024;

  // ---- Exchanges (worker threads) ----

  enum class Outcome { KeepAlive, Close, Drop, Wait };
  enum class Step { Whole, Gate };

  // One request/response exchange: KeepAlive (wait for the next request), Close (answered;
  // close gracefully), Drop (nothing to answer: close now) or Wait (the gate passed the head:
  // the body is read by the reactor). The answer's bytes are gathered (ServerSession) and
  // sent once the response object, whose stream holds the last of them, is gone.
  Outcome exchange(Conn& c, Step step) {
    c.session.gather();
    Outcome o = Outcome::Drop;
    try {
      o = answer(c, step);
    } catch (...) {
      c.pending.reset();
      try {
        c.session.send_gathered();  // what direct writes would have sent already
      } catch (...) {
      }
      throw;
    }
    c.session.send_gathered();
    return o;
  }

  // Parses the head into c.pending. Returns an outcome when the exchange ends there.
  std::optional<Outcome> begin_request(Conn& c, Step step) {
    auto p = std::make_unique<Pending>(c.session);
    try {
      // A TLS head is read from the socket here (with the handshake, the first time):
      // metered like any other read of a slow peer.
      Metered m(c.meter);
      p->request.emplace(p->response, c.session, params.get());
    } catch (const Poco::Net::NoMessageException&) {
      return Outcome::Drop;  // the client closed the connection between requests
    } catch (const Poco::Net::MessageException&) {
      // Malformed request line or headers, or over Poco's limits (fields, lengths).
      p.reset();
      send_plain_error(c.session, Poco::Net::HTTPResponse::HTTP_BAD_REQUEST);
      return Outcome::Close;
    } catch (const Poco::SyntaxException&) {
      // E.g. a Content-Length that is not a number.
      p.reset();
      send_plain_error(c.session, Poco::Net::HTTPResponse::HTTP_BAD_REQUEST);
      return Outcome::Close;
    }
    Poco::Net::HTTPServerRequestImpl& request = *p->request;
    // "100 Continue" (sent by the handler when it wants the body) must reach the client at
    // once: such exchanges are not gathered.
    if (step == Step::Whole && request.getExpectContinue()) c.session.send_gathered();
    const std::string& version = request.getVersion();
    if (version != Poco::Net::HTTPMessage::HTTP_1_1 && version != Poco::Net::HTTPMessage::HTTP_1_0) {
      p.reset();
      send_plain_error(c.session, Poco::Net::HTTPResponse::HTTP_BAD_REQUEST);
      return Outcome::Close;
    }
    if (c.tls && !c.identified) {
      c.identified = true;
      try {
        Poco::Net::SecureStreamSocket ss(c.plain->tls_socket());
        if (ss.havePeerCertificate()) {
          const Poco::Net::X509Certificate cert = ss.peerCertificate();
          c.info.client_subject = cert.subjectName();
          std::string cn;
          std::set<std::string> names;
          cert.extractNames(cn, names);
          c.info.client_names.assign(names.begin(), names.end());
        }
      } catch (const Poco::Exception&) {
      }
    }
    p->response.set("Date", http_date());
    p->response.setVersion(version);
    p->response.setKeepAlive(request.getKeepAlive() && !stopping);
    c.pending = std::move(p);
    return std::nullopt;
  }

  Outcome answer(Conn& c, Step step) {
    if (!c.pending)
      if (std::optional<Outcome> done = begin_request(c, step)) return *done;
    Pending& p = *c.pending;
    if (step == Step::Gate) {
      bool answered = false;
      try {
        answered = gate && gate(*p.request, p.response, c.info);
      } catch (const std::exception& e) {
        error(std::string("request gate threw: ") + e.what());
      }
      if (!answered) {
        if (p.request->getExpectContinue()) {
          p.response.sendContinue();  // RFC 9110 §10.1.1: the body may come now
          c.info.continue_sent = true;
        }
        return Outcome::Wait;
      }
    } else {
      try {
        handler(*p.request, p.response, c.info);
      } catch (const std::exception& e) {
        error(std::string("request handler threw: ") + e.what());
        const bool sent = p.response.sent();
        c.pending.reset();
        c.info.continue_sent = false;
        if (sent) return Outcome::Drop;
        send_plain_error(c.session, Poco::Net::HTTPResponse::HTTP_INTERNAL_SERVER_ERROR);
        return Outcome::Close;
      }
    }
    const bool sent = p.response.sent();
    const bool keep = p.response.getKeepAlive();
    c.pending.reset();
    c.info.continue_sent = false;
    if (!sent) {
      send_plain_error(c.session, Poco::Net::HTTPResponse::HTTP_INTERNAL_SERVER_ERROR);
      return Outcome::Close;
    }
    return keep && !stopping ? Outcome::KeepAlive : Outcome::Close;
  }

  // After an answered request on a plain connection: forget it, and judge what is staged of
  // the next (pipelined) one. Ready: serve it now.
  Fill next_request(Conn& c) {
    c.plain->next_request();
    c.head.reset();
    c.chunks.reset();
    c.receiving = false;
    if (c.plain->request().empty()) return Fill::Wait;
    const Fill f = judge(c, false);
    if (f == Fill::Wait || f == Fill::Gate) {
      c.receiving = true;
      const int64_t now = now_ms();
      c.request_deadline = now + opt.request_timeout.count() * 1000;
      c.window_start = now;
      c.window_staged = c.plain->request().size();
    }
    return f;
  }

  // A worker's connection is in `busy` (deadline and rate checks of the sweep) while the
  // worker holds it.
  struct Busy {
    Busy(Impl& m, Conn* c) : m_(m), c_(c) {
      c_->busy_deadline = now_ms() + m_.opt.request_timeout.count() * 1000;
      std::lock_guard<std::mutex> lock(m_.busy_mu);
      m_.busy.insert(c_);
    }
    ~Busy() {
      std::lock_guard<std::mutex> lock(m_.busy_mu);
      m_.busy.erase(c_);
    }
    Busy(const Busy&) = delete;
    Busy& operator=(const Busy&) = delete;
    Impl& m_;
    Conn* c_;
  };

  void serve(std::shared_ptr<Conn> c) {
    Outcome o = Outcome::Drop;
    Step step = Step::Whole;
    std::optional<Busy> held(std::in_place, *this, c.get());
    if (c->plain != nullptr) {
      const Fill f = fill(*c, SIZE_MAX);
      if (f == Fill::Wait) {
        held.reset();
        return wait_for_more(std::move(c));
      }
      if (f == Fill::Closed) {
        held.reset();
        return finish(std::move(c), Outcome::Drop);
      }
      if (f == Fill::Invalid) {
        const auto [status, why] = invalid_status(*c);
        refuse(*c, status, why);
        held.reset();
        return finish(std::move(c), Outcome::Close);
      }
      if (f == Fill::Gate) step = Step::Gate;
      c->receiving = false;
    }
    try {
      while (true) {
        c->busy_deadline = now_ms() + opt.request_timeout.count() * 1000;
        o = exchange(*c, step);
        if (o == Outcome::Wait && c->tls) {
          // TLS: the gate let the head through; this worker reads the body (metered).
          const Fill f = fill(*c, SIZE_MAX);
          if (f == Fill::Ready) {
            step = Step::Whole;
            continue;
          }
          o = Outcome::Drop;
          if (f == Fill::Invalid) {
            const auto [status, why] = invalid_status(*c);
            refuse(*c, status, why);
            o = Outcome::Close;
          }
          break;
        }
        if (o != Outcome::KeepAlive || stopping) break;
        // A pipelined request already here is served now; bytes still in the socket make
        // the re-armed epoll registration fire at once.
        if (c->plain != nullptr) {
          const Fill f = next_request(*c);
          if (c->session.behind()) {
            // The answer is not all written: the reactor finishes it before the next one.
            c->next_waiting = f == Fill::Ready || f == Fill::Gate || f == Fill::Invalid;
            break;
          }
          if (f == Fill::Ready) {
            step = Step::Whole;
            continue;
          }
          if (f == Fill::Gate) {
            step = Step::Gate;
            continue;
          }
          if (f == Fill::Invalid) {
            const auto [status, why] = invalid_status(*c);
            refuse(*c, status, why);
            o = Outcome::Close;
            break;
          }
          // TLS: bytes OpenSSL has decrypted already never wake epoll: read them now.
          if (c->tls && (c->receiving || c->plain->tls_pending())) {
            const Fill g = fill(*c, SIZE_MAX);
            if (g == Fill::Ready || g == Fill::Gate) {
              step = g == Fill::Gate ? Step::Gate : Step::Whole;
              c->receiving = false;
              continue;
            }
            if (g == Fill::Invalid) {
              const auto [status, why] = invalid_status(*c);
              refuse(*c, status, why);
              o = Outcome::Close;
            } else {
              o = Outcome::Drop;
            }
          }
          break;
        }
        if (!c->session.has_buffered()) break;
        step = Step::Whole;
      }
    } catch (const Poco::Net::SSLException& e) {
      o = Outcome::Drop;  // a failed handshake (no or untrusted client certificate, old TLS, ...)
      error("tls: " + c->info.remote + ": " + e.displayText());
    } catch (const Poco::Exception&) {
      o = Outcome::Drop;  // reset, timeout: nothing to answer
    } catch (const std::exception& e) {
      o = Outcome::Drop;
      error(std::string("connection: ") + e.what());
    } catch (...) {
      o = Outcome::Drop;
    }
    held.reset();
    if (o == Outcome::Wait) {
      // The gate let the head through: the reactor reads the body.
      c->receiving = true;
      return wait_for_more(std::move(c));
    }
    if ((o == Outcome::KeepAlive || o == Outcome::Close) && c->session.behind() && !stopping) {
      // A slow (or merely not yet reading) client: the reactor writes the rest of the answer.
      c->flushing = true;
      c->close_after_flush = o == Outcome::Close;
      c->flush_deadline = now_ms() + opt.request_timeout.count() * 1000;
      c->meter.window_start = 0;
      return wait_for_more(std::move(c));
    }
    finish(std::move(c), o);
  }

  // A request not whole yet: the connection is armed for its next bytes, which the reactor
  // reads (fill()); a worker sees it again only once it is whole.
  void wait_for_more(std::shared_ptr<Conn> c) {
    if (!stopping && rearm(*c)) return;
    std::lock_guard<std::mutex> lock(park_mu);
    if (stopping) to_close.push_back(std::move(c));
    else to_park.push_back(std::move(c));
    wake();
  }

  void finish(std::shared_ptr<Conn> c, Outcome o) {
    if (o == Outcome::Close && !stopping && !c->draining && c->busy_deadline.load() != INT64_MAX) {
      ::shutdown(c->fd, SHUT_WR);  // lingering close (drain())
      c->draining = true;
    }
    if (o == Outcome::KeepAlive && !c->draining && !stopping && rearm(*c)) return;  // no reactor round trip
    {
      std::lock_guard<std::mutex> lock(park_mu);
      if ((o == Outcome::KeepAlive || c->draining) && !stopping) to_park.push_back(std::move(c));
      else to_close.push_back(std::move(c));  // the reactor drops its reference: closed
    }
    wake();
  }

  void worker_loop() {
    while (true) {
      std::shared_ptr<Conn> c;
      {
        std::unique_lock<std::mutex> lock(work_mu);
        work_cv.wait(lock, [&] { return !work.empty() || workers_exit; });
        if (work.empty()) return;
        c = std::move(work.front());
        work.pop_front();
      }
      serve(std::move(c));
    }
  }
};

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { stop(); }

Result<std::unique_ptr<HttpServer>> HttpServer::create(const std::vector<ListenerOptions>& listeners,
                                                       const EngineOptions& options, Handler handler,
                                                       ErrorLog log, Gate gate, RefusalBody refusal) {
  auto impl = std::make_unique<Impl>();
  impl->opt = options;
  if (impl->opt.threads == 0) impl->opt.threads = 1;
  if (impl->opt.max_connections == 0) impl->opt.max_connections = 1;
  impl->handler = std::move(handler);
  impl->log = std::move(log);
  impl->gate = std::move(gate);
  impl->refusal = std::move(refusal);
  impl->params = new HTTPServerParams;
  impl->params->setKeepAlive(true);
  impl->params->setTimeout(Poco::Timespan(options.request_timeout.count(), 0));
  impl->params->setKeepAliveTimeout(Poco::Timespan(options.keep_alive_timeout.count(), 0));
  impl->params->setServerName("taxiid");

  for (const ListenerOptions& lo : listeners) {
    const std::string where = lo.address + ":" + std::to_string(lo.port);
    try {
      auto l = std::make_unique<Listener>();
      const Poco::Net::SocketAddress addr(lo.address, lo.port);
      if (lo.tls) {
        Poco::Net::initializeSSL();
        l->tls = std::make_unique<TlsSlot>();
        l->tls->options = *lo.tls;
        Poco::Net::Context::Ptr ctx = make_context(*lo.tls);
        l->tls->contexts.push_back(ctx);
        l->tls->current = ctx->sslContext();
        SSL_CTX_set_client_hello_cb(ctx->sslContext(), on_client_hello, l->tls.get());
        Poco::Net::SecureServerSocket s(ctx);
        s.bind(addr, /*reuseAddress=*/true, /*reusePort=*/false);
        s.listen(options.backlog);
        l->socket = s;
      } else {
        Poco::Net::ServerSocket s;
        // SO_REUSEADDR (restart while old connections linger in TIME_WAIT), never
        // SO_REUSEPORT: with it a second taxiid on the same port would start and take half
        // the connections (Poco's two-argument bind() sets both).
        s.bind(addr, /*reuseAddress=*/true, /*reusePort=*/false);
        s.listen(options.backlog);
        l->socket = s;
      }
      l->socket.setBlocking(false);
      l->fd = l->socket.impl()->sockfd();
      l->index = impl->listeners.size();
      l->info.address = lo.address;
      l->info.port = l->socket.address().port();
      l->info.tls = lo.tls.has_value();
      l->info.https = lo.tls.has_value() || lo.behind_tls_proxy;
      impl->bound.push_back(l->info);
      impl->listeners.push_back(std::move(l));
    } catch (const Poco::Exception& e) {
      return Error::failure("listener " + where + ": " + e.displayText());
    }
  }
  impl->ep = ::epoll_create1(EPOLL_CLOEXEC);
  impl->wake_fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (impl->ep < 0 || impl->wake_fd < 0) return Error::failure(std::string("epoll: ") + std::strerror(errno));
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kWakeTag;
  if (::epoll_ctl(impl->ep, EPOLL_CTL_ADD, impl->wake_fd, &ev) != 0)
    return Error::failure(std::string("epoll: ") + std::strerror(errno));
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

const std::vector<BoundListener>& HttpServer::bound() const { return impl_->bound; }

Status HttpServer::reload_tls() {
  std::vector<std::pair<TlsSlot*, Poco::Net::Context::Ptr>> fresh;
  for (const auto& l : impl_->listeners) {
    if (!l->tls) continue;
    try {
      fresh.emplace_back(l->tls.get(), make_context(l->tls->options));
    } catch (const Poco::Exception& e) {
      return Error::failure("listener " + l->info.address + ":" + std::to_string(l->info.port) +
                            ": cannot reload TLS files: " + e.displayText());
    }
  }
  for (auto& [slot, ctx] : fresh) {
    std::lock_guard<std::mutex> lock(slot->mu);
    slot->contexts.push_back(ctx);
    slot->current = ctx->sslContext();
  }
  return Ok{};
}

void HttpServer::start() {
  Impl& m = *impl_;
  if (m.started) return;
  m.started = true;
  for (auto& l : m.listeners) m.arm(*l, true);
  for (std::size_t i = 0; i < m.opt.threads; ++i) m.workers.emplace_back([&m] { m.worker_loop(); });
  m.reactor = std::thread([&m] { m.reactor_loop(); });
}

void HttpServer::stop() {
  Impl& m = *impl_;
  if (!m.started || m.stopped) return;
  m.stopped = true;
  m.stopping = true;
  m.wake();  // the reactor closes the listeners and the idle connections
  {
    std::lock_guard<std::mutex> lock(m.work_mu);
    m.workers_exit = true;
  }
  m.work_cv.notify_all();
  for (auto& t : m.workers) t.join();  // in-flight exchanges finish first
  m.reactor_exit = true;
  m.wake();
  m.reactor.join();
  m.work.clear();
  m.to_park.clear();
  m.to_close.clear();
  m.parked.clear();
}

}  // namespace taxii::http
