// HttpServer::Impl: the connection engine's state and the declarations of its parts (the
// design is in http_server.hpp). One struct, defined in several files, one per part:
//   http_server.cpp      create (bind listeners, load TLS), reload_tls, start, stop
//   reactor.cpp          the reactor thread: epoll, accept, idle connections, write-behind
//   rate_meter.cpp       the reactor's sweep: deadlines and data rates (slow peers)
//   request_staging.cpp  reading a request without blocking and judging it (head and body
//                        scanners), and the engine's refusals; run by whichever thread
//                        holds the connection
//   worker_pool.cpp      the worker threads: exchanges through Poco and the handler
// with tls_context, connection, server_session, staged_socket and engine_answer beneath.
//
// Thread ownership (checked by Clang's -Wthread-safety where stated; thread_annotations.hpp):
//   - configuration (opt, handler, gate, refusal, log, params, head_limits, listeners' sockets,
//     bound, ep, wake_fd): written by create() before any thread starts, read-only afterwards;
//   - the reactor thread's own state: `parked` (every registered connection) and the
//     listeners' armed/closed flags, guarded by the role `reactor_role`; the functions that
//     touch them require it. start() and stop() take the role while the reactor thread does
//     not run (before it starts, after it joined);
//   - the work queue (reactor -> workers) guarded by work_mu; the return lists (workers ->
//     reactor) by park_mu; the set of connections workers hold (read by the sweep) by busy_mu;
//   - a connection's own fields: whichever thread holds it (connection.hpp);
//   - stopping, reactor_exit, open: atomics, any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include <sys/epoll.h>

#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/ServerSocket.h>

#include "bindings/http/connection.hpp"
#include "bindings/http/http_server.hpp"
#include "bindings/http/rate_meter.hpp"
#include "bindings/http/request_head.hpp"
#include "bindings/http/thread_annotations.hpp"
#include "bindings/http/tls_context.hpp"

namespace taxii::http {
namespace engine {

// epoll tags: a connection is tagged with its fd; these are above any fd.
constexpr uint64_t kWakeTag = 1ull << 41;
constexpr uint64_t kListenerTag = 1ull << 40;
// Lingering close: how long input is drained after an answer that closes the connection.
constexpr int64_t kDrainMillis = 2000;
// The reactor reads at most this much of one connection per event (fairness: a fast
// uploader does not hold the reactor); epoll reports the rest at once.
constexpr std::size_t kReactorBudget = 256 * 1024;
// One read of a request's bytes into the staging buffer.
constexpr std::size_t kReadChunk = 64 * 1024;

struct Listener {
  Poco::Net::ServerSocket socket;  // a SecureServerSocket for TLS
  std::unique_ptr<TlsSlot> tls;    // TLS listeners: the contexts for reload_tls()
  BoundListener info;
  int fd = -1;
  std::size_t index = 0;  // in Impl::listeners; the epoll tag is kListenerTag + index
  bool armed = false;     // reactor (HttpServer::Impl::arm)
  bool closed = false;    // reactor
};

// How far a request is staged (request_staging.cpp).
enum class Fill {
  Wait,     // not whole yet: the reactor reads on
  Gate,     // the head is whole, the body is not: a worker runs the gate once
  Ready,    // whole (or the client ended it): a worker serves it
  Invalid,  // not HTTP, or framing refused (RFC 9112): answered by the engine, closed
  Closed,   // the client went away before sending anything of a request
};

// How an exchange ended (worker_pool.cpp): KeepAlive (wait for the next request), Close
// (answered; close gracefully), Drop (nothing to answer: close now) or Wait (the gate passed
// the head: the body is read by the reactor).
enum class Outcome { KeepAlive, Close, Drop, Wait };
// What a worker runs: the whole exchange, or the gate on a head whose body is still arriving.
enum class Step { Whole, Gate };

}  // namespace engine

struct HttpServer::Impl {
  using Conn = engine::Conn;
  using ConnPtr = std::shared_ptr<engine::Conn>;
  using Fill = engine::Fill;
  using Outcome = engine::Outcome;
  using Step = engine::Step;

  // ---- Configuration: create(), then read-only ----
  EngineOptions opt;
  Handler handler;
  Gate gate;
  RefusalBody refusal;
  ErrorLog log;
  Poco::Net::HTTPServerParams::Ptr params;
  HeadLimits head_limits;
  std::vector<std::unique_ptr<engine::Listener>> listeners;
  std::vector<BoundListener> bound;
  int ep = -1;
  int wake_fd = -1;

  // ---- Lifecycle: the thread that calls start() and stop() ----
  std::thread reactor;
  std::vector<std::thread> workers;
  bool started = false;
  bool stopped = false;

  // ---- Any thread ----
  std::atomic<bool> stopping{false};
  std::atomic<bool> reactor_exit{false};
  std::atomic<std::size_t> open{0};
  engine::AddressCounts per_ip;

  // ---- The reactor thread ----
  ThreadRole reactor_role;
  std::unordered_map<int, ConnPtr> parked TAXII_GUARDED_BY(reactor_role);

  // ---- Reactor -> workers ----
  Mutex work_mu;
  std::condition_variable work_cv;
  std::deque<ConnPtr> work TAXII_GUARDED_BY(work_mu);
  bool workers_exit TAXII_GUARDED_BY(work_mu) = false;

  // ---- Workers -> reactor ----
  Mutex park_mu;
  std::vector<ConnPtr> to_park TAXII_GUARDED_BY(park_mu);
  std::vector<ConnPtr> to_close TAXII_GUARDED_BY(park_mu);

  // ---- Connections workers hold (the sweep's deadline and rate checks) ----
  Mutex busy_mu;
  std::unordered_set<Conn*> busy TAXII_GUARDED_BY(busy_mu);

  ~Impl();
  void error(const std::string& m) const {
    if (log) log(m);
  }
  void wake() const;  // the reactor's epoll_wait returns

  // ---- reactor.cpp ----
  static epoll_event conn_event(int fd, bool out = false);
  static bool drain(int fd);
  void arm(engine::Listener& l, bool on) TAXII_REQUIRES(reactor_role);
  void park(const ConnPtr& c, int64_t deadline) TAXII_REQUIRES(reactor_role);
  void unpark(int fd) TAXII_REQUIRES(reactor_role);
  void accept_from(engine::Listener& l) TAXII_REQUIRES(reactor_role);
  void adopt(engine::Listener& l, Poco::Net::StreamSocket s, const Poco::Net::SocketAddress& peer, std::string ip)
      TAXII_REQUIRES(reactor_role);
  void adopt_returns() TAXII_REQUIRES(reactor_role);
  void reactor_loop();
  void on_event(const epoll_event& e) TAXII_REQUIRES(reactor_role);
  void on_connection(int fd, uint32_t events) TAXII_REQUIRES(reactor_role);
  void close_listeners() TAXII_REQUIRES(reactor_role);
  void flushed(const ConnPtr& c, uint32_t events) TAXII_REQUIRES(reactor_role);

  // ---- rate_meter.cpp ----
  void sweep(int64_t now) TAXII_REQUIRES(reactor_role);
  bool sweep_flushing(Conn& c, int64_t now, const engine::RateRule& rule);
  bool sweep_receiving(Conn& c, int64_t now, const engine::RateRule& rule);
  void sweep_busy(int64_t now, const engine::RateRule& rule) TAXII_EXCLUDES(busy_mu);

  // ---- request_staging.cpp (the thread that holds the connection) ----
  Fill fill(Conn& c, std::size_t budget);
  Fill fill_tls(Conn& c);
  std::size_t wanted(const Conn& c) const;
  Fill judge(Conn& c, bool eof);
  static std::pair<int, std::string_view> invalid_status(const Conn& c);
  void refuse(Conn& c, int status, std::string_view why);
  void refuse_invalid(Conn& c);
  Fill next_request(Conn& c);

  // ---- worker_pool.cpp ----
  void dispatch(ConnPtr c) TAXII_EXCLUDES(work_mu);
  bool rearm(Conn& c);
  Outcome exchange(Conn& c, Step step);
  std::optional<Outcome> begin_request(Conn& c, Step step);
  Outcome answer(Conn& c, Step step);
  void serve(ConnPtr c);
  void not_served(ConnPtr c, Fill f);
  Outcome exchanges(Conn& c, Step step);
  Outcome follow_body(Conn& c);
  std::optional<Step> tls_body(Conn& c, Outcome& o);
  std::optional<Step> next_exchange(Conn& c, Outcome& o);
  void served(ConnPtr c, Outcome o);
  void wait_for_more(ConnPtr c) TAXII_EXCLUDES(park_mu);
  void finish(ConnPtr c, Outcome o) TAXII_EXCLUDES(park_mu);
  void worker_loop() TAXII_EXCLUDES(work_mu);
};

}  // namespace taxii::http
