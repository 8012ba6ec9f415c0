#include "bindings/http/staged_socket.hpp"

#include <sys/socket.h>

namespace taxii::http::engine {

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

}  // namespace taxii::http::engine
