// Sockets on 127.0.0.1 for tests' own little servers: a listening socket on a free port, and a
// port nobody listens on (for "connection refused" cases).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <stdexcept>
#include <string>

namespace taxii::testsupport {

// A TCP socket bound to 127.0.0.1 on a free port (written to `port`), listening when `listen`
// (backlog 16). Throws std::runtime_error naming `who` if it cannot.
inline int loopback_socket(uint16_t& port, bool listen, const std::string& who) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || (listen && ::listen(fd, 16) != 0)) {
    if (fd >= 0) ::close(fd);
    throw std::runtime_error(who + ": cannot listen on 127.0.0.1");
  }
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  port = ntohs(a.sin_port);
  return fd;
}

// A port nothing listens on: bound, never listened to, closed.
inline uint16_t closed_port() {
  uint16_t port = 0;
  ::close(loopback_socket(port, false, "closed_port"));
  return port;
}

}  // namespace taxii::testsupport
