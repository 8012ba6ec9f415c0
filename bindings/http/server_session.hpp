// ServerSession: the HTTP session of one connection (Poco's HTTPServerSession, which parses
// and writes HTTP/1.1), with the engine's two additions on the writing side:
// - gathering: Poco writes an answer through a 4 KiB stream buffer, one send(2) per 4 KiB
//   (~800 for a 1000-block Poll_Response part; system calls are what costs most on the VMs we
//   run on). While gathering, writes are collected and sent in pieces of up to kGatherBytes;
//   the rest when the exchange ends (send_gathered()). One copy of the bytes, kGatherBytes
//   per connection while it is answered, none when it is idle;
// - write-behind (plain connections): writes never block. What the socket does not take at
//   once is kept (`behind`) and written by the reactor as the client reads (EPOLLOUT), so a
//   slow reader of a large answer holds memory, not a worker; past kMaxBehindBytes for the
//   whole engine, a worker writes the rest itself, blocking (metered by the sweep).
//
// Thread ownership: a session belongs to its connection and is used by whichever thread holds
// the connection (a worker while it serves a request, the reactor while it flushes what is
// behind; connection.hpp), never by two at once. The only shared datum is the engine-wide
// count of bytes behind (an atomic).
#pragma once

#include <atomic>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerSession.h>

#include "bindings/http/rate_meter.hpp"

namespace taxii::http::engine {

class ServerSession final : public Poco::Net::HTTPServerSession {
 public:
  ServerSession(const Poco::Net::StreamSocket& socket, Poco::Net::HTTPServerParams::Ptr params, IoMeter& meter)
      : HTTPServerSession(socket, params), meter_(meter) {}
  ~ServerSession() override { drop_behind(); }
  // Bytes already read from the socket (a pipelined request).
  bool has_buffered() const { return buffered() > 0; }

  // Plain connections: allows write-behind on descriptor fd.
  void write_behind(int fd) { fd_ = fd; }
  bool behind() const { return behind_off_ < behind_.size(); }
  // From the reactor: writes what the socket takes now. True when all is written; throws
  // on a closed connection.
  bool flush_behind();

  // Reads of the body (TLS connections, whose bytes the reactor cannot stage) are metered.
  int read(char* buffer, std::streamsize length) override;

  void gather() { gathering_ = true; }
  // Sends what was gathered (the answer's head), then `pieces` straight from where they are,
  // IOV_MAX at a time (ConnectionInfo::send_pieces). fd: the plain socket's descriptor.
  void send_pieces(const std::vector<std::string_view>& pieces, int fd);
  // Sends what was gathered, frees the buffer and stops gathering. Throws what a direct
  // write would.
  void send_gathered();

 protected:
  int write(const char* buffer, std::streamsize length) override;

 private:
  // Below taxiid's mmap threshold (server/main.cpp): the buffer comes from the heap, not
  // from pages mapped and faulted in for each answer.
  static constexpr std::size_t kGatherBytes = 128 * 1024;

  bool may_defer() const;
  void keep_behind(const char* p, std::size_t n);
  void drop_behind();
  void send_all(const char* p, std::size_t n);

  IoMeter& meter_;
  bool gathering_ = false;
  std::vector<char> gathered_;
  int fd_ = -1;              // plain connections: write-behind allowed
  std::string behind_;       // not yet written; the reactor writes it
  std::size_t behind_off_ = 0;
  std::size_t counted_ = 0;  // bytes added to the engine-wide count behind
};

}  // namespace taxii::http::engine
