// One client connection of the engine (Conn), the request it may hold half-parsed (Pending)
// and the per-address connection counts (AddressCounts).
//
// Thread ownership. A Conn is shared (std::shared_ptr) between the reactor's table of
// registered connections and, while a request is served, one worker; `in_worker` says which
// of them holds it, and only the holder touches its plain fields (socket, session, staged
// bytes, scanners, flags, deadlines, pending request):
//   - the reactor holds it while it waits idle, reads a request that is not whole yet, drains
//     it, or writes an answer behind (flushing);
//   - a worker holds it from the event that dispatches it (the reactor sets in_worker, the
//     connection is disarmed in epoll: EPOLLONESHOT) until it re-arms it or hands it back
//     (HttpServer::Impl::rearm / wait_for_more / finish), clearing in_worker first.
// The hand-over goes through epoll_ctl or a mutex (the work queue, the return lists), which
// order every write of one holder before the next holder's reads. The atomics (in_worker,
// idle_deadline, busy_deadline, the meter's counters) are what the other side may read at any
// time: the reactor's sweep looks at a worker's connection through them only. The connection
// is destroyed by whichever thread drops the last reference; ~Conn then gives its address
// back to AddressCounts (which locks).
// A hand-over at run time cannot be stated to Clang's -Wthread-safety analysis; it checks the
// engine's mutexes and the reactor-only state instead (engine.hpp).
#pragma once

#include <atomic>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponseImpl.h>
#include <Poco/Net/StreamSocket.h>

#include "bindings/http/http_server.hpp"
#include "bindings/http/rate_meter.hpp"
#include "bindings/http/request_head.hpp"
#include "bindings/http/server_session.hpp"
#include "bindings/http/staged_socket.hpp"
#include "bindings/http/thread_annotations.hpp"

namespace taxii::http::engine {

// Open connections per client address (EngineOptions::max_connections_per_ip). Taken in
// the reactor at accept, given back by ~Conn in whichever thread drops the last reference.
class AddressCounts {
 public:
  bool take(const std::string& ip, std::size_t cap) TAXII_EXCLUDES(mu_);
  void give(const std::string& ip) TAXII_EXCLUDES(mu_);

 private:
  Mutex mu_;
  std::unordered_map<std::string, std::size_t> counts_ TAXII_GUARDED_BY(mu_);
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
  Conn(const Poco::Net::StreamSocket& s, Poco::Net::HTTPServerParams::Ptr params, ConnectionInfo i,
       std::atomic<std::size_t>& open, bool is_tls, AddressCounts& counts, std::string address);
  ~Conn();
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
  PlainSocketImpl* plain = nullptr;           // the socket's impl (staging; TLS inside for TLS)
  // The request as staged so far (whoever holds the connection: reactor or worker, never both).
  RequestHeadScanner head;
  std::optional<ChunkedScanner> chunks;
  bool receiving = false;                     // a request has begun and is not yet whole
  bool flushing = false;                      // the reactor writes the rest of an answer
  bool close_after_flush = false;             //   and then closes (else: keep-alive)
  bool next_waiting = false;                  //   and then serves a request already staged
  int64_t flush_deadline = 0;
  int64_t request_deadline = 0;               // receiving: request_timeout after its first byte
  RateWindow recv_window;                     // receiving: the rate window over the staged bytes
  std::unique_ptr<Pending> pending;           // the head parsed, the body still arriving
  std::atomic<int64_t> busy_deadline{INT64_MAX};
  std::atomic<std::size_t>& open_;
  AddressCounts& counts_;
};

}  // namespace taxii::http::engine
