// A small forward HTTP proxy on 127.0.0.1 for the `taxii --proxy` tests: absolute-form
// requests (plain HTTP; one request per connection, answered with Connection: close) and
// CONNECT tunnels (HTTPS). Optionally it requires Basic proxy credentials (407 otherwise) and
// answers the first N plain requests itself with a TAXII 1.1 RETRY status (ESTIMATED_WAIT 1),
// to drive the client's retries. It records what it saw. Every socket read has a timeout.
// Header-only; used by tests/cli only. The accessors are thread-safe.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <regex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/loopback.hpp"

namespace taxii::clitest {

class ForwardProxy {
 public:
  // required_auth_b64: base64 of the "user:password" the proxy insists on (empty = none).
  explicit ForwardProxy(int retry_first = 0, std::string required_auth_b64 = "")
      : retry_left_(retry_first), auth_(std::move(required_auth_b64)) {
    listen_ = testsupport::loopback_socket(port_, true, "proxy");
    acceptor_ = std::thread([this] { accept_loop(); });
  }
  ~ForwardProxy() {
    stop_ = true;
    ::shutdown(listen_, SHUT_RDWR);
    ::close(listen_);
    acceptor_.join();
    std::lock_guard<std::mutex> l(mu_);
    for (auto& t : workers_) t.join();
  }
  ForwardProxy(const ForwardProxy&) = delete;
  ForwardProxy& operator=(const ForwardProxy&) = delete;

  uint16_t port() const { return port_; }
  std::string url(const std::string& credentials = "") const {
    return "http://" + (credentials.empty() ? "" : credentials + "@") + "127.0.0.1:" + std::to_string(port_);
  }
  // Request lines seen ("POST http://... HTTP/1.1", "CONNECT 127.0.0.1:N HTTP/1.1").
  std::vector<std::string> seen() const {
    std::lock_guard<std::mutex> l(mu_);
    return seen_;
  }
  int retries_sent() const { return retries_sent_; }

 private:
  static bool send_all(int fd, const std::string& s) {
    size_t off = 0;
    while (off < s.size()) {
      const ssize_t k = ::send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
      if (k <= 0) return false;
      off += static_cast<size_t>(k);
    }
    return true;
  }
  static void timeouts(int fd) {
    timeval tv{20, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  }
  static int connect_to(const std::string& host, int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    if (::inet_pton(AF_INET, host == "localhost" ? "127.0.0.1" : host.c_str(), &a.sin_addr) != 1 ||
        ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      ::close(fd);
      return -1;
    }
    timeouts(fd);
    return fd;
  }
  // Copies bytes both ways until one side closes (or 20 s of silence).
  static void relay(int a, int b) {
    char buf[16384];
    pollfd p[2] = {{a, POLLIN, 0}, {b, POLLIN, 0}};
    for (;;) {
      if (::poll(p, 2, 20000) <= 0) return;
      for (int i = 0; i < 2; ++i) {
        if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        const ssize_t k = ::recv(p[i].fd, buf, sizeof buf, 0);
        if (k <= 0 || !send_all(p[1 - i].fd, std::string(buf, static_cast<size_t>(k)))) return;
      }
    }
  }

  void accept_loop() {
    while (!stop_) {
      const int fd = ::accept(listen_, nullptr, nullptr);
      if (fd < 0) return;
      std::lock_guard<std::mutex> l(mu_);
      workers_.emplace_back([this, fd] {
        timeouts(fd);
        serve(fd);
        ::close(fd);
      });
    }
  }

  void serve(int fd) {
    std::string in;
    char buf[8192];
    size_t head_end;
    while ((head_end = in.find("\r\n\r\n")) == std::string::npos) {
      const ssize_t k = ::recv(fd, buf, sizeof buf, 0);
      if (k <= 0) return;
      in.append(buf, static_cast<size_t>(k));
    }
    const std::string head = in.substr(0, head_end + 2);
    std::string body = in.substr(head_end + 4);
    const std::string line = head.substr(0, head.find("\r\n"));
    {
      std::lock_guard<std::mutex> l(mu_);
      seen_.push_back(line);
    }
    if (!auth_.empty() && head.find("\r\nProxy-Authorization: Basic " + auth_ + "\r\n") == std::string::npos) {
      send_all(fd, "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\n"
                   "Content-Length: 0\r\nConnection: close\r\n\r\n");
      return;
    }
    std::smatch m;
    static const std::regex connect_re("^CONNECT ([^: ]+):(\\d+) HTTP/1\\.[01]$");
    static const std::regex absolute_re("^(\\w+) http://([^:/ ]+):(\\d+)(/\\S*) (HTTP/1\\.[01])$");
    if (std::regex_match(line, m, connect_re)) {
      const int up = connect_to(m[1], std::stoi(m[2]));
      if (up < 0) {
        send_all(fd, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        return;
      }
      if (send_all(fd, "HTTP/1.1 200 Connection established\r\n\r\n") && (body.empty() || send_all(up, body))) relay(fd, up);
      ::close(up);
      return;
    }
    if (!std::regex_match(line, m, absolute_re)) {
      send_all(fd, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      return;
    }
    std::smatch cl;
    static const std::regex length_re("\r\nContent-Length: *(\\d+)\r\n", std::regex::icase);
    const size_t length = std::regex_search(head, cl, length_re) ? std::stoul(cl[1]) : 0;
    while (body.size() < length) {
      const ssize_t k = ::recv(fd, buf, sizeof buf, 0);
      if (k <= 0) return;
      body.append(buf, static_cast<size_t>(k));
    }
    if (retry_left_.fetch_sub(1) > 0) {
      std::smatch id;
      static const std::regex id_re("message_id=\"([^\"]+)\"");
      const std::string irt = std::regex_search(body, id, id_re) ? std::string(id[1]) : "0";
      const std::string xml =
          "<taxii_11:Status_Message xmlns:taxii_11=\"http://taxii.mitre.org/messages/taxii_xml_binding-1.1\" "
          "message_id=\"proxy-" + std::to_string(++retries_sent_) + "\" in_response_to=\"" + irt +
          "\" status_type=\"RETRY\"><taxii_11:Status_Detail><taxii_11:Detail name=\"ESTIMATED_WAIT\">1</taxii_11:Detail>"
          "</taxii_11:Status_Detail><taxii_11:Message>proxy busy</taxii_11:Message></taxii_11:Status_Message>";
      send_all(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nX-TAXII-Content-Type: "
                   "urn:taxii.mitre.org:message:xml:1.1\r\nX-TAXII-Protocol: urn:taxii.mitre.org:protocol:http:1.0\r\n"
                   "X-TAXII-Services: urn:taxii.mitre.org:services:1.1\r\nContent-Length: " +
                       std::to_string(xml.size()) + "\r\nConnection: close\r\n\r\n" + xml);
      return;
    }
    const int up = connect_to(m[2], std::stoi(m[3]));
    if (up < 0) {
      send_all(fd, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      return;
    }
    // Origin form, hop-by-hop and proxy fields dropped, one request per connection.
    std::string out = std::string(m[1]) + " " + std::string(m[4]) + " " + std::string(m[5]) + "\r\n";
    for (size_t p = head.find("\r\n") + 2; p < head.size();) {
      const size_t e = head.find("\r\n", p);
      const std::string field = head.substr(p, e - p);
      p = e + 2;
      const std::string lower = [&] {
        std::string s = field.substr(0, field.find(':'));
        for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return s;
      }();
      if (lower == "proxy-authorization" || lower == "proxy-connection" || lower == "connection") continue;
      out += field + "\r\n";
    }
    out += "Connection: close\r\n\r\n" + body;
    if (send_all(up, out)) {
      for (;;) {
        const ssize_t k = ::recv(up, buf, sizeof buf, 0);
        if (k <= 0 || !send_all(fd, std::string(buf, static_cast<size_t>(k)))) break;
      }
    }
    ::close(up);
  }

  std::atomic<int> retry_left_;
  std::atomic<int> retries_sent_{0};
  std::string auth_;
  int listen_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread acceptor_;
  mutable std::mutex mu_;
  std::vector<std::thread> workers_;
  std::vector<std::string> seen_;
};

}  // namespace taxii::clitest
