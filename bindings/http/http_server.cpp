#include "bindings/http/http_server.hpp"

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
class ServerSession final : public Poco::Net::HTTPServerSession {
 public:
  using HTTPServerSession::HTTPServerSession;
  bool has_buffered() const { return buffered() > 0; }

  void gather() { gathering_ = true; }

  // Sends what was gathered (the answer's head), then `pieces` straight from where they are,
  // IOV_MAX at a time (ConnectionInfo::send_pieces). fd: the plain socket's descriptor.
  void send_pieces(const std::vector<std::string_view>& pieces, int fd) {
    send_gathered();
    std::vector<iovec> iov;
    iov.reserve(pieces.size());
    for (const auto& p : pieces)
      if (!p.empty()) iov.push_back({const_cast<char*>(p.data()), p.size()});
    std::size_t i = 0;
    while (i < iov.size()) {
      msghdr m{};
      m.msg_iov = iov.data() + i;
      m.msg_iovlen = std::min<std::size_t>(iov.size() - i, IOV_MAX);
      const ssize_t w = ::sendmsg(fd, &m, MSG_NOSIGNAL);  // the send timeout applies (SO_SNDTIMEO)
      if (w < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) throw Poco::TimeoutException("sending the answer timed out");
        throw Poco::Net::ConnectionResetException("the connection closed while the answer was sent");
      }
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
    if (!gathering_) return HTTPServerSession::write(buffer, length);
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

  void send_all(const char* p, std::size_t n) {
    while (n > 0) {
      const int k = HTTPServerSession::write(p, static_cast<std::streamsize>(std::min<std::size_t>(n, 1 << 30)));
      if (k <= 0) throw Poco::Net::ConnectionResetException("the connection closed while the answer was sent");
      p += k;
      n -= static_cast<std::size_t>(k);
    }
  }

  bool gathering_ = false;
  std::vector<char> gathered_;
};

// The most a request head may take (Poco refuses longer fields itself, with a 400).
constexpr std::size_t kMaxHead = 64 * 1024;

// A plain (non-TLS) accepted socket with two savings per request:
// - it knows its two addresses: Poco's request object asks for both on every request
//   (getpeername + getsockname), which a keep-alive connection answers once, at accept;
// - it can hold bytes already read (`stage`): the engine reads what has arrived to see
//   whether a whole request head is there before a worker commits to the exchange, and
//   Poco then reads those bytes from here, so a request costs one recv(2), not a peek
//   and a read.
class PlainSocketImpl final : public Poco::Net::StreamSocketImpl {
 public:
  explicit PlainSocketImpl(poco_socket_t fd) : StreamSocketImpl(fd) {}
  void set_addresses(const Poco::Net::SocketAddress& local, const Poco::Net::SocketAddress& peer) {
    local_ = local;
    peer_ = peer;
  }
  Poco::Net::SocketAddress address() override { return local_; }
  Poco::Net::SocketAddress peerAddress() override { return peer_; }

  using StreamSocketImpl::receiveBytes;
  int receiveBytes(void* buffer, int length, int flags) override {
    if (flags != 0 || staged() == 0 || length <= 0) return StreamSocketImpl::receiveBytes(buffer, length, flags);
    const std::size_t n = std::min(staged(), static_cast<std::size_t>(length));
    std::memcpy(buffer, staged_.data() + staged_off_, n);
    staged_off_ += n;
    if (staged_off_ == staged_.size()) {
      std::string().swap(staged_);  // an idle connection holds no buffer
      staged_off_ = 0;
    }
    return static_cast<int>(n);
  }
  int available() override { return static_cast<int>(staged()) + StreamSocketImpl::available(); }

  std::size_t staged() const { return staged_.size() - staged_off_; }
  std::string_view staged_view() const { return std::string_view(staged_).substr(staged_off_); }
  void stage(const char* data, std::size_t n) {
    if (staged_off_ > 0) {
      staged_.erase(0, staged_off_);
      staged_off_ = 0;
    }
    staged_.append(data, n);
  }

 private:
  ~PlainSocketImpl() override = default;
  Poco::Net::SocketAddress local_;
  Poco::Net::SocketAddress peer_;
  std::string staged_;  // read from the socket, not yet taken by Poco
  std::size_t staged_off_ = 0;
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

// One client connection: the socket and the HTTP session (with its read buffer), which
// live as long as the connection, whether a worker serves it or the reactor holds it idle.
struct Conn {
  Conn(const Poco::Net::StreamSocket& s, HTTPServerParams::Ptr params, ConnectionInfo i,
       std::atomic<std::size_t>& open, bool is_tls)
      : socket(s),
        session(socket, params),
        info(std::move(i)),
        fd(socket.impl()->sockfd()),
        tls(is_tls),
        open_(open) {
    open_.fetch_add(1);
  }
  ~Conn() { open_.fetch_sub(1); }
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  Poco::Net::StreamSocket socket;
  ServerSession session;  // closes the socket when destroyed
  ConnectionInfo info;
  int fd;
  bool tls;
  bool identified = false;                    // client certificate looked at (worker)
  bool draining = false;                      // answered and half-closed; input is discarded
  std::atomic<int64_t> idle_deadline{0};      // set by whoever arms it in epoll
  std::atomic<bool> in_worker{false};         // dispatched; the reactor leaves it alone
  PlainSocketImpl* plain = nullptr;           // the socket's impl, for plain connections
  int64_t head_deadline = 0;                  // a partial request head must complete by then
  std::atomic<int64_t> busy_deadline{INT64_MAX};
  std::atomic<std::size_t>& open_;
};

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
  ErrorLog log;
  HTTPServerParams::Ptr params;
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

  std::unordered_map<int, std::shared_ptr<Conn>> parked;  // reactor thread only

  std::mutex work_mu;
  std::condition_variable work_cv;
  std::deque<std::shared_ptr<Conn>> work;
  bool workers_exit = false;

  std::mutex park_mu;
  std::vector<std::shared_ptr<Conn>> to_park;
  std::vector<std::shared_ptr<Conn>> to_close;              // guarded by park_mu
  std::vector<std::shared_ptr<Conn>> to_wait;               // guarded by park_mu
  std::vector<std::shared_ptr<Conn>> waiting;               // reactor thread only: partial heads

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
  // re-arms it itself when it answered and keeps the connection (rearm()), without waking
  // the reactor. Only closing, draining and partial heads go through the reactor.
  static epoll_event conn_event(int fd) {
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;
    ev.data.u64 = static_cast<uint64_t>(fd);
    return ev;
  }

  void park(const std::shared_ptr<Conn>& c, int64_t deadline) {
    c->idle_deadline = deadline;
    c->in_worker = false;
    auto it = parked.find(c->fd);
    if (it != parked.end() && it->second == c) {  // still registered (disarmed): re-arm
      epoll_event ev = conn_event(c->fd);
      if (::epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev) != 0) unpark(c->fd);
      return;
    }
    epoll_event ev = conn_event(c->fd);
    if (::epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev) != 0) {
      error(std::string("epoll_ctl(ADD) failed: ") + std::strerror(errno));
      return;  // the connection closes
    }
    parked[c->fd] = c;
  }

  // From a worker: the exchange is over and the connection stays open; arm it for the next
  // request. False if it is no longer registered (the caller hands it to the reactor).
  bool rearm(Conn& c) {
    c.idle_deadline = now_ms() + opt.keep_alive_timeout.count() * 1000;
    c.in_worker = false;
    epoll_event ev = conn_event(c.fd);
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
      try {
        s.setBlocking(true);
        s.setNoDelay(true);
        s.setSendTimeout(Poco::Timespan(opt.request_timeout.count(), 0));
        ConnectionInfo info{peer.toString(), l.info.https, {}, {}, {}};
        auto c = std::make_shared<Conn>(s, params, std::move(info), open, l.info.tls);
        if (!l.tls) {
          c->plain = static_cast<PlainSocketImpl*>(s.impl());
          c->info.send_pieces = [conn = c.get()](const std::vector<std::string_view>& pieces) {
            conn->session.send_pieces(pieces, conn->fd);
          };
        }
        park(c, now_ms() + opt.keep_alive_timeout.count() * 1000);
      } catch (const Poco::Exception& e) {
        error("accept: " + e.displayText());
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
    std::vector<std::shared_ptr<Conn>> back;
    {
      std::lock_guard<std::mutex> lock(park_mu);
      back.swap(to_park);
    }
    const int64_t now = now_ms();
    for (auto& c : back)
      if (!stopping) park(c, now + (c->draining ? kDrainMillis : opt.keep_alive_timeout.count() * 1000));
    std::vector<std::shared_ptr<Conn>> partial, closing;
    {
      std::lock_guard<std::mutex> lock(park_mu);
      partial.swap(to_wait);
      closing.swap(to_close);
    }
    for (auto& c : closing) {
      auto it = parked.find(c->fd);
      if (it != parked.end() && it->second == c) unpark(c->fd);
    }
    for (auto& c : partial) {  // polled by sweep() from now on, not by epoll
      auto it = parked.find(c->fd);
      if (it != parked.end() && it->second == c) unpark(c->fd);
    }
    if (!stopping) waiting.insert(waiting.end(), partial.begin(), partial.end());
  }

  void sweep(int64_t now) {
    // Partial request heads: served once complete, closed at their deadline.
    for (auto it = waiting.begin(); it != waiting.end();) {
      if ((*it)->head_deadline <= now) {
        it = waiting.erase(it);  // closes the connection
      } else if (fill_head(**it) == Head::Ready) {
        dispatch(std::move(*it));
        it = waiting.erase(it);
      } else {
        ++it;
      }
    }
    for (auto it = parked.begin(); it != parked.end();) {
      if (!it->second->in_worker.load() && it->second->idle_deadline.load() <= now) {
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
          if (stopping || !(events[i].events & EPOLLIN)) {
            unpark(fd);  // closes it (hang-up or error without data)
            continue;
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

  enum class Outcome { KeepAlive, Close, Drop };

  // One request/response exchange: KeepAlive (wait for the next request), Close (answered;
  // close gracefully) or Drop (nothing to answer: close now). The answer's bytes are gathered
  // (ServerSession) and sent once the response object, whose stream holds the last of them,
  // is gone.
  Outcome exchange(Conn& c) {
    c.session.gather();
    Outcome o = Outcome::Drop;
    try {
      o = answer(c);
    } catch (...) {
      try {
        c.session.send_gathered();  // what direct writes would have sent already
      } catch (...) {
      }
      throw;
    }
    c.session.send_gathered();
    return o;
  }

  Outcome answer(Conn& c) {
    Poco::Net::HTTPServerResponseImpl response(c.session);
    std::optional<Poco::Net::HTTPServerRequestImpl> req;
    try {
      req.emplace(response, c.session, params.get());
    } catch (const Poco::Net::NoMessageException&) {
      return Outcome::Drop;  // the client closed the connection between requests
    } catch (const Poco::Net::MessageException&) {
      // Malformed request line or headers, or over Poco's limits (fields, lengths).
      send_plain_error(c.session, Poco::Net::HTTPResponse::HTTP_BAD_REQUEST);
      return Outcome::Close;
    } catch (const Poco::SyntaxException&) {
      // E.g. a Content-Length that is not a number.
      send_plain_error(c.session, Poco::Net::HTTPResponse::HTTP_BAD_REQUEST);
      return Outcome::Close;
    }
    Poco::Net::HTTPServerRequestImpl& request = *req;
    // "100 Continue" (sent by the handler when it wants the body) must reach the client at
    // once: such exchanges are not gathered.
    if (request.getExpectContinue()) c.session.send_gathered();
    const std::string& version = request.getVersion();
    if (version != Poco::Net::HTTPMessage::HTTP_1_1 && version != Poco::Net::HTTPMessage::HTTP_1_0) {
      send_plain_error(c.session, Poco::Net::HTTPResponse::HTTP_BAD_REQUEST);
      return Outcome::Close;
    }
    if (c.tls && !c.identified) {
      c.identified = true;
      try {
        Poco::Net::SecureStreamSocket ss(c.socket);
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
    response.set("Date", http_date());
    response.setVersion(version);
    response.setKeepAlive(request.getKeepAlive() && !stopping);
    try {
      handler(request, response, c.info);
    } catch (const std::exception& e) {
      error(std::string("request handler threw: ") + e.what());
      if (response.sent()) return Outcome::Drop;
      send_plain_error(c.session, Poco::Net::HTTPResponse::HTTP_INTERNAL_SERVER_ERROR);
      return Outcome::Close;
    }
    if (!response.sent()) {
      send_plain_error(c.session, Poco::Net::HTTPResponse::HTTP_INTERNAL_SERVER_ERROR);
      return Outcome::Close;
    }
    return response.getKeepAlive() && !stopping ? Outcome::KeepAlive : Outcome::Close;
  }

  enum class Head { Ready, Wait };

  // Plain connections: whether a whole request head has arrived (or it is too long, or the
  // client half-closed or failed: Poco then answers or drops). Reads what the socket holds,
  // without blocking, into the connection's staging buffer, where Poco finds it. A partial
  // head waits in `waiting` (checked every sweep), never in a worker: a slowloris client
  // holds a descriptor and at most kMaxHead bytes, not a thread, and is closed at
  // head_deadline (request_timeout after it was first seen partial). TLS records cannot be
  // inspected here; TLS connections go straight to a worker.
  static Head fill_head(Conn& c) {
    PlainSocketImpl& s = *c.plain;
    if (s.staged() < kMaxHead) {
      thread_local std::string buf(kMaxHead, '\0');
      const ssize_t n = ::recv(c.fd, buf.data(), kMaxHead - s.staged(), MSG_DONTWAIT);
      if (n == 0) return Head::Ready;  // end of input: Poco reads what is staged, then the end
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return Head::Ready;
      if (n > 0) s.stage(buf.data(), static_cast<std::size_t>(n));
    }
    if (s.staged() >= kMaxHead) return Head::Ready;
    return s.staged_view().find("\r\n\r\n") != std::string_view::npos ? Head::Ready : Head::Wait;
  }

  // Whether the next request can be served at once without waiting on the socket: it is
  // in Poco's buffer, or its whole head is staged.
  static bool next_is_here(Conn& c) {
    if (c.session.has_buffered()) return true;
    return c.plain != nullptr && c.plain->staged() > 0 &&
           c.plain->staged_view().find("\r\n\r\n") != std::string_view::npos;
  }

  void serve(std::shared_ptr<Conn> c) {
    Outcome o = Outcome::Drop;
    if (c->plain != nullptr && !c->session.has_buffered()) {
      if (fill_head(*c) == Head::Wait) {
        if (c->head_deadline == 0) c->head_deadline = now_ms() + opt.request_timeout.count() * 1000;
        {
          std::lock_guard<std::mutex> lock(park_mu);
          if (stopping) to_close.push_back(std::move(c));
          else to_wait.push_back(std::move(c));
        }
        wake();
        return;
      }
      c->head_deadline = 0;
    }
    {
      std::lock_guard<std::mutex> lock(busy_mu);
      busy.insert(c.get());
    }
    try {
      do {
        c->busy_deadline = now_ms() + opt.request_timeout.count() * 1000;
        o = exchange(*c);
        // A pipelined request already read (Poco's buffer, or a whole head staged) is served
        // now; bytes still in the socket make the re-armed epoll registration fire at once.
        // A partial head left staged waits for the rest of it like a new request: its
        // bytes fire the registration, fill_head() completes it.
      } while (o == Outcome::KeepAlive && !stopping && next_is_here(*c));
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
    {
      std::lock_guard<std::mutex> lock(busy_mu);
      busy.erase(c.get());
    }
    if (o == Outcome::Close && !stopping && c->busy_deadline.load() != INT64_MAX) {
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
                                                       ErrorLog log) {
  auto impl = std::make_unique<Impl>();
  impl->opt = options;
  if (impl->opt.threads == 0) impl->opt.threads = 1;
  if (impl->opt.max_connections == 0) impl->opt.max_connections = 1;
  impl->handler = std::move(handler);
  impl->log = std::move(log);
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
  m.to_wait.clear();
  m.to_close.clear();
  m.waiting.clear();
  m.parked.clear();
}

}  // namespace taxii::http
