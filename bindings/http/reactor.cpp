// The reactor thread of the connection engine (engine.hpp, http_server.hpp): one epoll set
// with the listening sockets and every registered connection. It accepts, holds idle
// connections, reads requests that are not whole yet (request_staging.cpp), writes answers
// left behind (server_session.hpp), drains connections closing, and hands connections with
// a whole request (or a head for the gate) to the workers.
//
// Thread ownership: everything here runs on the reactor thread (TAXII_REQUIRES(reactor_role))
// except conn_event() and drain(), which touch no shared state.
#include "bindings/http/engine.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <Poco/Exception.h>

#include "bindings/http/engine_answer.hpp"
#include "bindings/http/staged_socket.hpp"

namespace taxii::http {

using engine::now_ms;

void HttpServer::Impl::arm(engine::Listener& l, bool on) {
  if (l.closed || l.armed == on) return;
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = engine::kListenerTag + l.index;
  if (::epoll_ctl(ep, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, l.fd, &ev) == 0) l.armed = on;
}

// Connections stay registered (EPOLLONESHOT) and in `parked` from accept to close, also
// while a worker serves them: the event that dispatches one disarms it, and the worker
// re-arms it itself when it answered and keeps the connection, or when its request is not
// whole yet (rearm()), without waking the reactor. Only closing and draining go through
// the reactor.
epoll_event HttpServer::Impl::conn_event(int fd, bool out) {
  epoll_event ev{};
  ev.events = (out ? EPOLLOUT : EPOLLIN) | EPOLLRDHUP | EPOLLONESHOT;
  ev.data.u64 = static_cast<uint64_t>(fd);
  return ev;
}

void HttpServer::Impl::park(const ConnPtr& c, int64_t deadline) {
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

void HttpServer::Impl::unpark(int fd) {
  ::epoll_ctl(ep, EPOLL_CTL_DEL, fd, nullptr);
  parked.erase(fd);
}

void HttpServer::Impl::accept_from(engine::Listener& l) {
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
        std::optional<Poco::Net::StreamSocket> got = engine::accept_plain(l.fd);
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
      if (!l.tls) engine::send_now(s.impl()->sockfd(), 503, engine::reason_for(503));
      try {
        s.close();
      } catch (const Poco::Exception&) {
      }
      continue;
    }
    adopt(l, std::move(s), peer, std::move(ip));
  }
}

// An accepted connection (counted for its address) becomes a Conn, registered idle.
void HttpServer::Impl::adopt(engine::Listener& l, Poco::Net::StreamSocket s, const Poco::Net::SocketAddress& peer,
                             std::string ip) {
  try {
    s.setBlocking(true);
    s.setNoDelay(true);
    s.setSendTimeout(Poco::Timespan(opt.request_timeout.count(), 0));
    if (l.tls) {
      // Staged like a plain connection, read by the worker through OpenSSL.
      s.setReceiveTimeout(Poco::Timespan(opt.request_timeout.count(), 0));
      const Poco::Net::SocketAddress local = s.address();
      auto* staged = new engine::PlainSocketImpl(s);
      staged->set_addresses(local, peer);
      s = Poco::Net::StreamSocket(staged);
    }
    ConnectionInfo info{peer.toString(), l.info.https, {}, {}, {}};
    auto c = std::make_shared<Conn>(s, params, std::move(info), open, l.info.tls, per_ip, std::move(ip));
    c->plain = static_cast<engine::PlainSocketImpl*>(s.impl());
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

// Lingering close: after answering a request whose body we did not read (413, 411, ...),
// the write side is shut down and input is discarded until the client closes or
// kDrainMillis pass, so the client reads our answer instead of a connection reset.
// Returns whether to keep draining.
bool HttpServer::Impl::drain(int fd) {
  char buf[16384];
  while (true) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n > 0) continue;
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR);
  }
}

void HttpServer::Impl::adopt_returns() {
  std::vector<ConnPtr> back, closing;
  {
    MutexLock lock(park_mu);
    back.swap(to_park);
    closing.swap(to_close);
  }
  const int64_t now = now_ms();
  for (auto& c : back)
    if (!stopping) park(c, now + (c->draining ? engine::kDrainMillis : opt.keep_alive_timeout.count() * 1000));
  for (auto& c : closing) {
    auto it = parked.find(c->fd);
    if (it != parked.end() && it->second == c) unpark(c->fd);
  }
}

void HttpServer::Impl::reactor_loop() {
  reactor_role.assume();  // this is the reactor thread
  std::vector<epoll_event> events(256);
  int64_t next_sweep = 0;
  bool listeners_closed = false;
  while (!reactor_exit) {
    const int n = ::epoll_wait(ep, events.data(), static_cast<int>(events.size()), 100);
    if (n < 0 && errno != EINTR) error(std::string("epoll_wait failed: ") + std::strerror(errno));
    for (int i = 0; i < n; ++i) on_event(events[i]);
    adopt_returns();
    if (stopping && !listeners_closed) {
      close_listeners();
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

void HttpServer::Impl::on_event(const epoll_event& e) {
  const uint64_t tag = e.data.u64;
  if (tag == engine::kWakeTag) {
    uint64_t v = 0;
    [[maybe_unused]] ssize_t r = ::read(wake_fd, &v, sizeof v);
  } else if (tag >= engine::kListenerTag) {
    const std::size_t idx = tag - engine::kListenerTag;
    if (idx < listeners.size() && !stopping) accept_from(*listeners[idx]);
  } else {
    on_connection(static_cast<int>(tag), e.events);
  }
}

void HttpServer::Impl::on_connection(int fd, uint32_t events) {
  auto it = parked.find(fd);
  if (it == parked.end()) return;
  ConnPtr c = it->second;
  if (c->in_worker) return;  // cannot happen (one-shot); never serve a connection twice
  if (c->draining && !stopping) {
    if (!drain(fd)) {
      unpark(fd);
    } else {
      epoll_event ev = conn_event(fd);
      if (::epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev) != 0) unpark(fd);
    }
    return;
  }
  if (c->flushing && !stopping) return flushed(c, events);
  if (stopping || !(events & (EPOLLIN | EPOLLRDHUP))) {
    unpark(fd);  // closes it (hang-up or error without data)
    return;
  }
  if (c->receiving && !c->tls) {
    // The rest of a request: read here, a worker only once it is whole.
    if (fill(*c, engine::kReactorBudget) == Fill::Wait) {
      epoll_event ev = conn_event(fd);
      if (::epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev) != 0) unpark(fd);
      return;
    }
  }
  c->in_worker = true;  // stays registered (disarmed) and in `parked`
  dispatch(std::move(c));
}

// Stopping: the listeners close, and so does every connection the reactor holds.
void HttpServer::Impl::close_listeners() {
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
}

// A flushing connection became writable (or failed): writes on; once all is written it
// closes, waits for its next request, or has a worker serve one already staged.
void HttpServer::Impl::flushed(const ConnPtr& c, uint32_t events) {
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
  c->meter.window.clear();
  if (c->close_after_flush) {
    ::shutdown(fd, SHUT_WR);  // lingering close (drain())
    c->draining = true;
    c->idle_deadline = now_ms() + engine::kDrainMillis;
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

}  // namespace taxii::http
