#include "bindings/http/server_session.hpp"

#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <climits>

#include <Poco/Exception.h>
#include <Poco/Net/NetException.h>

namespace taxii::http::engine {
namespace {

// Bytes of answers left for the reactor to write (all connections): past this, a worker
// writes the rest itself, blocking (metered), rather than hold more memory for slow readers.
std::atomic<std::size_t> g_behind_bytes{0};
constexpr std::size_t kMaxBehindBytes = 512u << 20;

}  // namespace

bool ServerSession::flush_behind() {
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

int ServerSession::read(char* buffer, std::streamsize length) {
  if (buffered() > 0) return HTTPServerSession::read(buffer, length);
  Metered m(meter_);
  const int n = HTTPServerSession::read(buffer, length);
  if (n > 0) meter_.bytes.fetch_add(static_cast<uint64_t>(n), std::memory_order_relaxed);
  return n;
}

void ServerSession::send_pieces(const std::vector<std::string_view>& pieces, int fd) {
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

void ServerSession::send_gathered() {
  gathering_ = false;
  std::vector<char> out;
  out.swap(gathered_);
  send_all(out.data(), out.size());
}

int ServerSession::write(const char* buffer, std::streamsize length) {
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

bool ServerSession::may_defer() const {
  return fd_ >= 0 && g_behind_bytes.load(std::memory_order_relaxed) < kMaxBehindBytes;
}

void ServerSession::keep_behind(const char* p, std::size_t n) {
  if (n == 0) return;
  if (behind_off_ > 0 && behind_off_ == behind_.size()) {
    behind_.clear();
    behind_off_ = 0;
  }
  behind_.append(p, n);
  g_behind_bytes.fetch_add(n, std::memory_order_relaxed);
  counted_ += n;
}

void ServerSession::drop_behind() {
  if (counted_ > 0) g_behind_bytes.fetch_sub(counted_, std::memory_order_relaxed);
  counted_ = 0;
  std::string().swap(behind_);
  behind_off_ = 0;
}

void ServerSession::send_all(const char* p, std::size_t n) {
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

}  // namespace taxii::http::engine
