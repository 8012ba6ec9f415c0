// The worker threads of the connection engine (engine.hpp, http_server.hpp): a fixed pool
// that takes connections from the work queue, finishes reading what the reactor could not
// (the first bytes; TLS), runs the exchange through Poco and the handler (or the gate on a
// head whose body is still arriving), serves pipelined requests already here, and gives the
// connection back: re-armed in epoll for its next request (no reactor round trip), or to the
// reactor (the return lists) to write the rest of an answer, drain, or close.
//
// Thread ownership: runs on the worker threads; a worker touches only the connection it holds
// (connection.hpp), the work queue (work_mu), the return lists (park_mu) and the busy set
// (busy_mu). It never touches the reactor's table of connections (reactor_role).
#include "bindings/http/engine.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <climits>
#include <cstdint>
#include <exception>

#include <Poco/Exception.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>

#include "bindings/http/engine_answer.hpp"

namespace taxii::http {

using engine::now_ms;

namespace {

// A worker's connection is in `busy` (deadline and rate checks of the sweep) while the
// worker holds it.
class Busy {
 public:
  Busy(HttpServer::Impl& m, engine::Conn* c) TAXII_EXCLUDES(m.busy_mu) : m_(m), c_(c) {
    c_->busy_deadline = now_ms() + m_.opt.request_timeout.count() * 1000;
    MutexLock lock(m_.busy_mu);
    m_.busy.insert(c_);
  }
  ~Busy() {
    MutexLock lock(m_.busy_mu);
    m_.busy.erase(c_);
  }
  Busy(const Busy&) = delete;
  Busy& operator=(const Busy&) = delete;

 private:
  HttpServer::Impl& m_;
  engine::Conn* c_;
};

}  // namespace

void HttpServer::Impl::dispatch(ConnPtr c) {
  {
    MutexLock lock(work_mu);
    work.push_back(std::move(c));
  }
  work_cv.notify_one();
}

// From a worker: arm the connection for its next bytes (the next request, or the rest of
// this one). False if it is no longer registered (the caller hands it to the reactor).
bool HttpServer::Impl::rearm(Conn& c) {
  c.idle_deadline = now_ms() + opt.keep_alive_timeout.count() * 1000;
  c.in_worker = false;
  epoll_event ev = conn_event(c.fd, c.flushing);
  if (::epoll_ctl(ep, EPOLL_CTL_MOD, c.fd, &ev) == 0) return true;
  c.in_worker = true;
  return false;
}

// One request/response exchange (engine::Outcome). The answer's bytes are gathered
// (ServerSession) and sent once the response object, whose stream holds the last of them, is
// gone.
HttpServer::Impl::Outcome HttpServer::Impl::exchange(Conn& c, Step step) {
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
std::optional<HttpServer::Impl::Outcome> HttpServer::Impl::begin_request(Conn& c, Step step) {
  auto p = std::make_unique<engine::Pending>(c.session);
  try {
    // A TLS head is read from the socket here (with the handshake, the first time):
    // metered like any other read of a slow peer.
    engine::Metered m(c.meter);
    p->request.emplace(p->response, c.session, params.get());
  } catch (const Poco::Net::NoMessageException&) {
    return Outcome::Drop;  // the client closed the connection between requests
  } catch (const Poco::Net::MessageException&) {
    // Malformed request line or headers, or over Poco's limits (fields, lengths).
    p.reset();
    engine::send_plain_error(c.session, Poco::Net::HTTPResponse::HTTP_BAD_REQUEST);
    return Outcome::Close;
  } catch (const Poco::SyntaxException&) {
    // E.g. a Content-Length that is not a number.
    p.reset();
    engine::send_plain_error(c.session, Poco::Net::HTTPResponse::HTTP_BAD_REQUEST);
    return Outcome::Close;
  }
  Poco::Net::HTTPServerRequestImpl& request = *p->request;
  // "100 Continue" (sent by the handler when it wants the body) must reach the client at
  // once: such exchanges are not gathered.
  if (step == Step::Whole && request.getExpectContinue()) c.session.send_gathered();
  const std::string& version = request.getVersion();
  if (version != Poco::Net::HTTPMessage::HTTP_1_1 && version != Poco::Net::HTTPMessage::HTTP_1_0) {
    p.reset();
    engine::send_plain_error(c.session, Poco::Net::HTTPResponse::HTTP_BAD_REQUEST);
    return Outcome::Close;
  }
  if (c.tls && !c.identified) {
    c.identified = true;
    engine::identify_peer(c.plain->tls_socket(), c.info);
  }
  p->response.set("Date", engine::http_date());
  p->response.setVersion(version);
  p->response.setKeepAlive(request.getKeepAlive() && !stopping);
  c.pending = std::move(p);
  return std::nullopt;
}

HttpServer::Impl::Outcome HttpServer::Impl::answer(Conn& c, Step step) {
  if (!c.pending)
    if (std::optional<Outcome> done = begin_request(c, step)) return *done;
  engine::Pending& p = *c.pending;
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
      engine::send_plain_error(c.session, Poco::Net::HTTPResponse::HTTP_INTERNAL_SERVER_ERROR);
      return Outcome::Close;
    }
  }
  const bool sent = p.response.sent();
  const bool keep = p.response.getKeepAlive();
  c.pending.reset();
  c.info.continue_sent = false;
  if (!sent) {
    engine::send_plain_error(c.session, Poco::Net::HTTPResponse::HTTP_INTERNAL_SERVER_ERROR);
    return Outcome::Close;
  }
  return keep && !stopping ? Outcome::KeepAlive : Outcome::Close;
}

void HttpServer::Impl::serve(ConnPtr c) {
  Step step = Step::Whole;
  std::optional<Busy> held(std::in_place, *this, c.get());
  if (c->plain != nullptr) {
    const Fill f = fill(*c, SIZE_MAX);
    if (f != Fill::Ready && f != Fill::Gate) {
      held.reset();
      return not_served(std::move(c), f);
    }
    if (f == Fill::Gate) step = Step::Gate;
    c->receiving = false;
  }
  Outcome o = exchanges(*c, step);
  if (o == Outcome::Wait && !c->tls) o = follow_body(*c);
  held.reset();
  served(std::move(c), o);
}

// The gate let a plain request's head through and its body is still arriving. While it
// arrives fast (at least kFollowBytes within each kFollowMillis), this worker reads on and
// serves it: handing a 300 KB Inbox message to the reactor and back cost two thread hand-overs
// and an epoll round (bench/RESULTS.md, #20). A body that slows down goes to the reactor,
// which holds no worker for it (docs/security.md, "Slow clients"): a slow client keeps a
// worker for at most kFollowMillis after its head.
HttpServer::Impl::Outcome HttpServer::Impl::follow_body(Conn& c) {
  constexpr int kFollowMillis = 5;
  constexpr std::size_t kFollowBytes = 16 * 1024;
  while (!stopping) {
    pollfd pfd{c.fd, POLLIN, 0};
    if (::poll(&pfd, 1, kFollowMillis) <= 0) return Outcome::Wait;
    const std::size_t before = c.plain->request().size();
    const Fill f = fill(c, SIZE_MAX);
    if (f == Fill::Ready) {
      c.receiving = false;
      return exchanges(c, Step::Whole);
    }
    if (f == Fill::Invalid) {
      refuse_invalid(c);
      return Outcome::Close;
    }
    if (f == Fill::Closed) return Outcome::Drop;
    if (c.plain->request().size() - before < kFollowBytes) return Outcome::Wait;
  }
  return Outcome::Wait;
}

// The worker's first read did not make a request to serve: the reactor reads on (Wait), the
// client went away (Closed), or the engine refuses it (Invalid).
void HttpServer::Impl::not_served(ConnPtr c, Fill f) {
  if (f == Fill::Wait) return wait_for_more(std::move(c));
  if (f == Fill::Closed) return finish(std::move(c), Outcome::Drop);
  refuse_invalid(*c);
  finish(std::move(c), Outcome::Close);
}

// Exchanges on one connection while there is something to serve at once: the request that
// came, the body of a TLS request the gate let through, pipelined requests already here.
HttpServer::Impl::Outcome HttpServer::Impl::exchanges(Conn& c, Step step) {
  Outcome o = Outcome::Drop;
  try {
    while (true) {
      c.busy_deadline = now_ms() + opt.request_timeout.count() * 1000;
      o = exchange(c, step);
      const std::optional<Step> again = o == Outcome::Wait && c.tls ? tls_body(c, o) : next_exchange(c, o);
      if (!again) break;
      step = *again;
    }
  } catch (const Poco::Net::SSLException& e) {
    o = Outcome::Drop;  // a failed handshake (no or untrusted client certificate, old TLS, ...)
    error("tls: " + c.info.remote + ": " + e.displayText());
  } catch (const Poco::Exception&) {
    o = Outcome::Drop;  // reset, timeout: nothing to answer
  } catch (const std::exception& e) {
    o = Outcome::Drop;
    error(std::string("connection: ") + e.what());
  } catch (...) {
    o = Outcome::Drop;
  }
  return o;
}

// TLS: the gate let the head through; this worker reads the body (metered). The step to run
// when it is whole; else nothing more, and o says how the connection ends.
std::optional<HttpServer::Impl::Step> HttpServer::Impl::tls_body(Conn& c, Outcome& o) {
  const Fill f = fill(c, SIZE_MAX);
  if (f == Fill::Ready) return Step::Whole;
  o = Outcome::Drop;
  if (f == Fill::Invalid) {
    refuse_invalid(c);
    o = Outcome::Close;
  }
  return std::nullopt;
}

// After an exchange that ended with o: the step of a request to serve at once (pipelined:
// already staged or buffered), or nothing (and o says how the connection goes on). Bytes
// still in the socket make the re-armed epoll registration fire at once.
std::optional<HttpServer::Impl::Step> HttpServer::Impl::next_exchange(Conn& c, Outcome& o) {
  if (o != Outcome::KeepAlive || stopping) return std::nullopt;
  if (c.plain == nullptr) return c.session.has_buffered() ? std::optional<Step>(Step::Whole) : std::nullopt;
  const Fill f = next_request(c);
  if (c.session.behind()) {
    // The answer is not all written: the reactor finishes it before the next one.
    c.next_waiting = f == Fill::Ready || f == Fill::Gate || f == Fill::Invalid;
    return std::nullopt;
  }
  if (f == Fill::Ready) return Step::Whole;
  if (f == Fill::Gate) return Step::Gate;
  if (f == Fill::Invalid) {
    refuse_invalid(c);
    o = Outcome::Close;
    return std::nullopt;
  }
  // TLS: bytes OpenSSL has decrypted already never wake epoll: read them now.
  if (c.tls && (c.receiving || c.plain->tls_pending())) {
    const Fill g = fill(c, SIZE_MAX);
    if (g == Fill::Ready || g == Fill::Gate) {
      c.receiving = false;
      return g == Fill::Gate ? Step::Gate : Step::Whole;
    }
    if (g == Fill::Invalid) {
      refuse_invalid(c);
      o = Outcome::Close;
    } else {
      o = Outcome::Drop;
    }
  }
  return std::nullopt;
}

// The worker is done with the connection: the reactor reads the body the gate let through,
// writes the rest of an answer to a slow (or merely not yet reading) client, or the
// connection waits for its next request or closes (finish()).
void HttpServer::Impl::served(ConnPtr c, Outcome o) {
  if (o == Outcome::Wait) {
    c->receiving = true;
    return wait_for_more(std::move(c));
  }
  if ((o == Outcome::KeepAlive || o == Outcome::Close) && c->session.behind() && !stopping) {
    c->flushing = true;
    c->close_after_flush = o == Outcome::Close;
    c->flush_deadline = now_ms() + opt.request_timeout.count() * 1000;
    c->meter.window.clear();
    return wait_for_more(std::move(c));
  }
  finish(std::move(c), o);
}

// A request not whole yet (or an answer to finish): the connection is armed for its next
// bytes, which the reactor handles; a worker sees it again only once a request is whole.
void HttpServer::Impl::wait_for_more(ConnPtr c) {
  if (!stopping && rearm(*c)) return;
  MutexLock lock(park_mu);
  if (stopping) to_close.push_back(std::move(c));
  else to_park.push_back(std::move(c));
  wake();
}

void HttpServer::Impl::finish(ConnPtr c, Outcome o) {
  if (o == Outcome::Close && !stopping && !c->draining && c->busy_deadline.load() != INT64_MAX) {
    ::shutdown(c->fd, SHUT_WR);  // lingering close (drain())
    c->draining = true;
  }
  if (o == Outcome::KeepAlive && !c->draining && !stopping && rearm(*c)) return;  // no reactor round trip
  {
    MutexLock lock(park_mu);
    if ((o == Outcome::KeepAlive || c->draining) && !stopping) to_park.push_back(std::move(c));
    else to_close.push_back(std::move(c));  // the reactor drops its reference: closed
  }
  wake();
}

void HttpServer::Impl::worker_loop() {
  while (true) {
    ConnPtr c;
    {
      MutexLock lock(work_mu);
      while (work.empty() && !workers_exit) lock.wait(work_cv);
      if (work.empty()) return;
      c = std::move(work.front());
      work.pop_front();
    }
    serve(std::move(c));
  }
}

}  // namespace taxii::http
