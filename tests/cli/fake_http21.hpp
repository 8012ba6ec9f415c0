// A scripted HTTP/1.1 server on 127.0.0.1 for the TAXII 2.1 client tests: every request
// (method, target, headers, body) goes to a handler that returns the response; one request
// per connection (answered with Connection: close), one connection at a time, every socket
// read with a timeout. It records what it saw. Header-only; tests/cli only. The accessors are
// thread-safe.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tests/support/loopback.hpp"

namespace taxii::clitest {

struct FakeRequest {
  std::string method, target, body;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct FakeResponse {
  using Fields = std::vector<std::pair<std::string, std::string>>;
  FakeResponse(int s = 200, std::string b = "", Fields h = {}, std::string ct = "application/taxii+json;version=2.1")
      : status(s), body(std::move(b)), headers(std::move(h)), content_type(std::move(ct)) {}
  int status;
  std::string body;
  Fields headers;
  std::string content_type;
};

class FakeHttp21 {
 public:
  using Handler = std::function<FakeResponse(const FakeRequest&)>;
  explicit FakeHttp21(Handler h) : handler_(std::move(h)) {
    listen_ = testsupport::loopback_socket(port_, true, "fake server");
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeHttp21() {
    stop_ = true;
    thread_.join();
    ::close(listen_);
  }
  FakeHttp21(const FakeHttp21&) = delete;
  FakeHttp21& operator=(const FakeHttp21&) = delete;

  uint16_t port() const { return port_; }
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
  std::vector<FakeRequest> requests() const {
    std::lock_guard<std::mutex> l(mu_);
    return seen_;
  }

 private:
  static bool wait_readable(int fd, int ms) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, ms) > 0;
  }

  // Reads one request; false on timeout, close or garbage.
  static bool read_request(int fd, FakeRequest& r) {
    std::string in;
    char buf[16384];
    size_t head_end = std::string::npos;
    while ((head_end = in.find("\r\n\r\n")) == std::string::npos) {
      if (!wait_readable(fd, 5000)) return false;
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) return false;
      in.append(buf, static_cast<size_t>(n));
    }
    const std::string head = in.substr(0, head_end);
    size_t eol = head.find("\r\n");
    const std::string line = head.substr(0, eol);
    const size_t sp1 = line.find(' '), sp2 = line.rfind(' ');
    if (sp1 == std::string::npos || sp2 <= sp1) return false;
    r.method = line.substr(0, sp1);
    r.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    while (eol != std::string::npos && eol < head.size()) {
      const size_t next = head.find("\r\n", eol + 2);
      const std::string h = head.substr(eol + 2, next == std::string::npos ? std::string::npos : next - eol - 2);
      const size_t colon = h.find(':');
      if (colon != std::string::npos) {
        std::string name = h.substr(0, colon);
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        r.headers[name] = h.substr(h.find_first_not_of(' ', colon + 1));
      }
      eol = next;
    }
    const size_t length = r.headers.count("content-length") ? std::stoul(r.headers["content-length"]) : 0;
    r.body = in.substr(head_end + 4);
    while (r.body.size() < length) {
      if (!wait_readable(fd, 5000)) return false;
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) return false;
      r.body.append(buf, static_cast<size_t>(n));
    }
    return true;
  }

  void serve() {
    while (!stop_) {
      if (!wait_readable(listen_, 50)) continue;
      const int fd = ::accept(listen_, nullptr, nullptr);
      if (fd < 0) continue;
      FakeRequest req;
      if (read_request(fd, req)) {
        {
          std::lock_guard<std::mutex> l(mu_);
          seen_.push_back(req);
        }
        const FakeResponse resp = handler_(req);
        std::string out = "HTTP/1.1 " + std::to_string(resp.status) + " Status\r\nContent-Type: " + resp.content_type +
                          "\r\nContent-Length: " + std::to_string(resp.body.size()) + "\r\nConnection: close\r\n";
        for (const auto& [n, v] : resp.headers) out += n + ": " + v + "\r\n";
        out += "\r\n" + resp.body;
        for (size_t off = 0; off < out.size();) {
          const ssize_t n = ::send(fd, out.data() + off, out.size() - off, MSG_NOSIGNAL);
          if (n <= 0) break;
          off += static_cast<size_t>(n);
        }
      }
      ::shutdown(fd, SHUT_WR);
      ::close(fd);
    }
  }

  Handler handler_;
  int listen_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::vector<FakeRequest> seen_;
  std::thread thread_;
};

}  // namespace taxii::clitest
