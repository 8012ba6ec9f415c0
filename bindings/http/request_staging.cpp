// Reading a request without blocking, and judging it as it arrives (engine.hpp): a plain
// connection's bytes are staged by the reactor and by the worker's first read, a TLS
// connection's by its worker through OpenSSL (blocking, metered). The head and chunked
// scanners (request_head.hpp) say when a request is whole, when its head alone is (the gate),
// and when it must be refused; refuse() answers it (the body from HttpServer::RefusalBody).
//
// Thread ownership: every function here runs on whichever thread holds the connection (the
// reactor or one worker; connection.hpp) and touches only that connection and the
// read-only configuration.
#include "bindings/http/engine.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

#include <Poco/Exception.h>
#include <Poco/Net/SSLException.h>

#include "bindings/http/engine_answer.hpp"

namespace taxii::http {

using engine::now_ms;

// Reads what the socket holds, without blocking, into the connection's staging buffer (at
// most `budget` bytes, and never past the current request's declared end) and judges the
// request so far. A request is whole when its head and its body (Content-Length, or a
// chunked body through its trailer) are staged; a declared length over max_body_bytes is
// "whole" at its head (the handler refuses it without reading).
HttpServer::Impl::Fill HttpServer::Impl::fill(Conn& c, std::size_t budget) {
  if (c.tls) return fill_tls(c);
  engine::PlainSocketImpl& s = *c.plain;
  thread_local std::unique_ptr<char[]> buf(new char[engine::kReadChunk]);
  bool eof = false;
  Fill f = judge(c, false);
  while (f == Fill::Wait || f == Fill::Gate) {
    const std::size_t want = std::min({wanted(c), budget, engine::kReadChunk});
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
    c.recv_window.begin(now, 0);
  }
  return f;
}

// TLS connections (worker only): reads through OpenSSL, blocking and metered (the rate
// check cuts a slow peer), until the request is whole, refused, or its head is whole and
// the gate has not seen it yet.
HttpServer::Impl::Fill HttpServer::Impl::fill_tls(Conn& c) {
  thread_local std::unique_ptr<char[]> buf(new char[engine::kReadChunk]);
  engine::Metered metered(c.meter);
  Fill f = judge(c, false);
  while (f == Fill::Wait) {
    const std::size_t want = std::min(wanted(c), engine::kReadChunk);
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
std::size_t HttpServer::Impl::wanted(const Conn& c) const {
  const std::size_t have = c.plain->request().size();
  const HeadVerdict& v = c.head.verdict();
  if (v.kind != HeadVerdict::Complete) return head_limits.max_head + 1 > have ? head_limits.max_head + 1 - have : 0;
  if (v.chunked) return engine::kReadChunk;
  const std::size_t end = v.head_len + static_cast<std::size_t>(v.content_length.value_or(0));
  return end > have ? end - have : 0;
}

HttpServer::Impl::Fill HttpServer::Impl::judge(Conn& c, bool eof) {
  engine::PlainSocketImpl& s = *c.plain;
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
std::pair<int, std::string_view> HttpServer::Impl::invalid_status(const Conn& c) {
  const HeadVerdict& v = c.head.verdict();
  if (v.kind == HeadVerdict::Invalid) return {v.status, v.reason};
  if (c.chunks && c.chunks->verdict().kind == ChunkedVerdict::Invalid)
    return {c.chunks->verdict().status, c.chunks->verdict().reason};
  return {400, "malformed request"};
}

// A request answered by the engine itself (refused framing, too slow): the answer, the
// write side shut, input drained for kDrainMillis, then closed.
void HttpServer::Impl::refuse(Conn& c, int status, std::string_view why) {
  std::optional<Refusal> r;
  if (refusal) {
    try {
      r = refusal(status, why, engine::refused_request(c.plain->request()), c.info);
    } catch (...) {
    }
  }
  if (c.tls) {
    // Through OpenSSL, from the worker that holds the connection.
    const std::string out = engine::engine_answer(status, engine::reason_for(status), r ? &*r : nullptr);
    try {
      c.socket.sendBytes(out.data(), static_cast<int>(out.size()));
      // close_notify before the FIN: a client that sees the TCP end without it reports a
      // truncated connection (openssl s_client exits 1) instead of reading the answer.
      c.plain->shutdownSend();
    } catch (const Poco::Exception&) {
    }
    ::shutdown(c.fd, SHUT_WR);
  } else {
    engine::send_now(c.fd, status, engine::reason_for(status), r ? &*r : nullptr);
    ::shutdown(c.fd, SHUT_WR);
  }
  c.draining = true;
  c.receiving = false;
}

void HttpServer::Impl::refuse_invalid(Conn& c) {
  const auto [status, why] = invalid_status(c);
  refuse(c, status, why);
}

// After an answered request on a plain connection: forget it, and judge what is staged of
// the next (pipelined) one. Ready: serve it now.
HttpServer::Impl::Fill HttpServer::Impl::next_request(Conn& c) {
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
    c.recv_window.begin(now, c.plain->request().size());
  }
  return f;
}

}  // namespace taxii::http
