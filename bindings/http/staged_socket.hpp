// PlainSocketImpl: the socket under one connection, holding the bytes of the current request
// read so far (the connection's staging buffer), and accept_plain().
//
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
//
// Thread ownership: like the session (server_session.hpp), the socket and its staged bytes
// belong to the thread that holds the connection: the reactor while it reads a request
// without a worker (or writes behind), a worker while it serves one (connection.hpp). The
// TLS socket inside is only ever used by a worker.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/StreamSocketImpl.h>

namespace taxii::http::engine {

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
std::optional<Poco::Net::StreamSocket> accept_plain(int listener_fd);

}  // namespace taxii::http::engine
