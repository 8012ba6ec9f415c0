// The reactor's sweep (every 100 ms): deadlines and minimum data rates of every connection
// (rate_meter.hpp; EngineOptions; docs/security.md "Slow clients").
//
// Thread ownership: the reactor thread. The connections it holds are judged on their own
// fields; those a worker holds (the `busy` set, under busy_mu) only through their atomics
// (busy_deadline, the meter's since and bytes) and their meter's window, which only the sweep
// uses while a worker holds the connection; a slow one is shut down, which makes the worker's
// blocked call fail.
#include "bindings/http/engine.hpp"

#include <sys/socket.h>

namespace taxii::http {

void HttpServer::Impl::sweep(int64_t now) {
  const engine::RateRule rule{opt.min_rate_grace.count() * 1000,
                              static_cast<uint64_t>(opt.min_data_rate) * static_cast<uint64_t>(opt.min_rate_grace.count())};
  for (auto it = parked.begin(); it != parked.end();) {
    Conn& c = *it->second;
    bool keep = true;
    if (c.in_worker.load()) keep = true;
    else if (c.flushing) keep = sweep_flushing(c, now, rule);
    else if (c.receiving && !c.draining) keep = sweep_receiving(c, now, rule);
    else keep = c.idle_deadline.load() > now;  // past it: the idle connection closes
    if (keep) {
      ++it;
      continue;
    }
    ::epoll_ctl(ep, EPOLL_CTL_DEL, it->first, nullptr);
    it = parked.erase(it);  // closes it
  }
  sweep_busy(now, rule);
}

// An answer the reactor writes: its deadline and its data rate; a slow reader is cut.
bool HttpServer::Impl::sweep_flushing(Conn& c, int64_t now, const engine::RateRule& rule) {
  engine::IoMeter& m = c.meter;
  const uint64_t moved = m.bytes.load(std::memory_order_relaxed);
  bool slow = now >= c.flush_deadline;
  if (!m.window.started()) m.window.begin(now, moved);
  else if (!slow) slow = m.window.below(now, moved, rule);
  if (!slow) return true;
  error("slow client " + c.info.remote + ": answer cut (read under " + std::to_string(opt.min_data_rate) +
        " bytes/s, or past request_timeout)");
  return false;
}

// A request arriving in the reactor: its whole deadline and its data rate. A slow plain
// request is answered 408 (then drained); a slow TLS one is cut (no plain-text answer on a
// TLS connection, and the reactor does not write through OpenSSL).
bool HttpServer::Impl::sweep_receiving(Conn& c, int64_t now, const engine::RateRule& rule) {
  const std::size_t have = c.plain->request().size();
  bool slow = now >= c.request_deadline;
  if (!slow) slow = c.recv_window.below(now, have, rule);
  if (!slow) return true;
  if (c.tls) {
    error("slow client " + c.info.remote + ": TLS request cut after " + std::to_string(have) + " bytes");
    return false;
  }
  error("slow client " + c.info.remote + ": request cut with 408 after " + std::to_string(have) + " bytes");
  refuse(c, 408, "the request was not received in time (too slow, or incomplete)");
  c.idle_deadline = now + engine::kDrainMillis;
  epoll_event ev = conn_event(c.fd);
  return ::epoll_ctl(ep, EPOLL_CTL_MOD, c.fd, &ev) == 0;
}

// The connections workers hold: past request_timeout, the worker is unblocked (it then drops
// the connection); a worker blocked on a slow peer (an answer read slowly, a TLS request sent
// slowly) below min_data_rate over a whole window: the connection is cut.
void HttpServer::Impl::sweep_busy(int64_t now, const engine::RateRule& rule) {
  MutexLock lock(busy_mu);
  for (Conn* c : busy) {
    if (c->busy_deadline.load() <= now) {
      ::shutdown(c->fd, SHUT_RDWR);
      c->busy_deadline = INT64_MAX;
      continue;
    }
    engine::IoMeter& m = c->meter;
    if (rule.need == 0 || m.since.load(std::memory_order_relaxed) == 0) {
      m.window.clear();
      continue;
    }
    const uint64_t moved = m.bytes.load(std::memory_order_relaxed);
    if (!m.window.started()) {
      m.window.begin(now, moved);
    } else if (m.window.below(now, moved, rule)) {
      error("slow client " + c->info.remote + ": connection cut (under " + std::to_string(opt.min_data_rate) +
            " bytes/s)");
      ::shutdown(c->fd, SHUT_RDWR);
      c->busy_deadline = INT64_MAX;
    }
  }
}

}  // namespace taxii::http
