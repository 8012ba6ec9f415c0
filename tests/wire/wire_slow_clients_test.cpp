// Slow clients must not starve taxiid (docs/security.md "Slow clients"; the adversarial suite
// tests/adversarial does the same with slowhttptest). With few worker threads:
//   (a) 2 x threads connections send a complete request head (Content-Length: 100000) and then
//       one body byte per second; a Discovery client is answered within 500 ms throughout;
//   (b) 2 x threads clients with a tiny receive buffer ask for a ~2.6 MB Poll_Response and read
//       it a byte per 100 ms; other clients are answered within 500 ms throughout; and a slow
//       reader is cut by the server at the minimum data rate (limits.min_data_rate after
//       limits.min_rate_grace), long before request_timeout;
//   (c) limits.max_connections_per_ip: the connection over the cap from 127.0.0.1 is refused
//       (closed at once, or 503) while the first ones stay usable, and a client from another
//       address (127.0.0.2) is still served.
#define BOOST_TEST_MODULE wire_slow_clients
#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "bindings/xml/message_binding.hpp"
#include "core/urn.hpp"
#include "tests/wire/wire_support.hpp"

using namespace taxii;
using namespace taxii::wire;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

// The engine's slow-client limits (docs/server.md, `limits:`), named once so that a rename is
// one edit here.
constexpr const char* kMinRateKey = "min_data_rate";     // bytes/s an exchange must keep up
constexpr const char* kGraceKey = "min_rate_grace";      // s before the rate is enforced
constexpr const char* kPerIpKey = "max_connections_per_ip";
// What (b) configures: a minimum rate far above the slow reader's 10 bytes/s.
constexpr long kMinRate = 16384;
constexpr long kGrace = 5;
// Bytes the server may count as sent before the client's tiny window stops it, if it counts
// what it wrote: the cut may then come this many bytes' worth of kMinRate later. Beware: on
// loopback Linux sizes a socket's send buffer from the 64 KiB MSS, and the kernel took 1.6 MB
// of the 2.6 MB answer at once (ss: Send-Q 1612528, notsent 1612528, bytes_acked 1152): a rate
// of bytes written would stay above kMinRate for 100 s. The rate must count what the client
// acknowledged (TCP_INFO tcpi_bytes_acked, or written minus SIOCOUTQ), or the send buffer be
// capped (SO_SNDBUF).
constexpr long kBurstAllowance = 128 * 1024;
// An engine that does not know these keys refuses to start; TAXII_SLOW_CLIENTS_OMIT_KEYS=1
// leaves them out, to observe what such an engine does with the slow reader and the extra
// connection (the cases then fail on what they observe rather than at start-up).
bool new_keys() { return std::getenv("TAXII_SLOW_CLIENTS_OMIT_KEYS") == nullptr; }

// Worker threads; the attacks use 2 x kThreads connections. TAXII_SLOW_CLIENTS_SERVER_THREADS
// gives the server more (a control run: with more workers than attackers even an engine that
// gives each request a worker for its whole body passes (a) and (b)'s first case).
constexpr std::size_t kThreads = 4;
std::size_t server_threads() {
  const char* v = std::getenv("TAXII_SLOW_CLIENTS_SERVER_THREADS");
  return v ? static_cast<std::size_t>(std::atoi(v)) : kThreads;
}
constexpr auto kBound = 500ms;    // what a well-behaved client may wait, at the 99th percentile
constexpr auto kTimeout = 2s;     // a request unanswered this long counts as a failure
constexpr auto kMeasure = 10s;    // how long the well-behaved client is measured under attack

const std::string kDiscovery11 =
    R"(<taxii_11:Discovery_Request xmlns:taxii_11="http://taxii.mitre.org/messages/taxii_xml_binding-1.1" message_id="s-1"/>)";

std::string head(const std::string& path, std::size_t length) {
  std::string h = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (const auto& [k, v] : taxii_headers(Version::V11)) h += k + ": " + v + "\r\n";
  return h + "Content-Length: " + std::to_string(length) + "\r\n\r\n";
}

std::string request(const std::string& path, const std::string& body) { return head(path, body.size()) + body; }

// A TCP connection to 127.0.0.1:port, from `source` (an address of the loopback network) when
// given, with SO_RCVBUF set before connecting (so that the window it advertises is small).
int connect_from(uint16_t port, const char* source = nullptr, int rcvbuf = 0) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket: " + std::string(std::strerror(errno)));
  if (rcvbuf > 0) ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  if (source != nullptr) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    ::inet_pton(AF_INET, source, &a.sin_addr);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      ::close(fd);
      throw std::runtime_error("bind " + std::string(source) + ": " + std::strerror(errno));
    }
  }
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  ::inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
    const int e = errno;
    ::close(fd);
    throw std::runtime_error("connect: " + std::string(std::strerror(e)));
  }
  return fd;
}

bool send_all(int fd, const std::string& bytes) {
  std::size_t off = 0;
  while (off < bytes.size()) {
    const ssize_t n = ::send(fd, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += static_cast<std::size_t>(n);
  }
  return true;
}

struct Answer {
  int http = 0;         // 0: no answer
  bool closed = false;  // EOF or reset before a complete answer
  std::string raw;
};

// Content-Length framed answer: complete once the head and that many bytes are in.
bool complete(const std::string& raw, std::size_t* expected = nullptr) {
  const auto he = raw.find("\r\n\r\n");
  if (he == std::string::npos) return false;
  const auto cl = raw.find("Content-Length: ");
  const std::size_t len = cl != std::string::npos && cl < he ? std::stoul(raw.substr(cl + 16)) : 0;
  if (expected) *expected = he + 4 + len;
  return raw.size() >= he + 4 + len;
}

// Reads one answer on fd (keep-alive: stops at its end), or until closed or the deadline.
Answer read_answer(int fd, Clock::duration deadline) {
  Answer a;
  const auto until = Clock::now() + deadline;
  char buf[65536];
  while (!complete(a.raw)) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
    if (left <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      a.closed = true;
      break;
    }
    a.raw.append(buf, static_cast<std::size_t>(n));
  }
  if (a.raw.rfind("HTTP/1.", 0) == 0) a.http = std::atoi(a.raw.c_str() + 9);
  return a;
}

Answer exchange(int fd, const std::string& req, Clock::duration deadline = kTimeout) {
  if (!send_all(fd, req)) return Answer{0, true, {}};
  return read_answer(fd, deadline);
}

bool is_discovery_response(const Answer& a) {
  return a.http == 200 && a.raw.find("Discovery_Response") != std::string::npos;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p / 100.0 * static_cast<double>(v.size() - 1) + 0.5))];
}

// The well-behaved client: Discovery (and, with `poll`, a Poll of the empty collection
// "second") in a loop on one keep-alive connection, a new one after a failure.
class Probe {
 public:
  explicit Probe(uint16_t port, bool poll = false) : port_(port), poll_(poll), thread_([this] { run(); }) {}
  ~Probe() { stop(); }
  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  std::size_t answered() const { return ms_.size(); }
  int failures() const { return failures_; }
  double p99() const { return percentile(ms_, 99); }
  double max() const { return ms_.empty() ? 0 : *std::max_element(ms_.begin(), ms_.end()); }
  std::string first_error() const { return first_error_; }
  std::string summary() const {
    return std::to_string(ms_.size()) + " answered, " + std::to_string(failures_) + " failed, p50 " +
           std::to_string(percentile(ms_, 50)) + " ms, p99 " + std::to_string(p99()) + " ms, max " +
           std::to_string(max()) + " ms" + (first_error_.empty() ? "" : "; first failure: " + first_error_);
  }

 private:
  void fail(const std::string& what) {
    ++failures_;
    if (first_error_.empty()) first_error_ = what;
  }
  void run() {
    const std::string discovery = request("/services/discovery", kDiscovery11);
    auto p = poll11("second");
    const std::string poll = request("/services/poll", *xml::serialize_any(Message{p}));
    int fd = -1;
    for (int i = 0; !stop_; ++i) {
      const bool is_poll = poll_ && i % 2 == 1;
      const auto t0 = Clock::now();
      try {
        if (fd < 0) fd = connect_from(port_);
      } catch (const std::exception& e) {
        fail(e.what());
        std::this_thread::sleep_for(100ms);
        continue;
      }
      const Answer a = exchange(fd, is_poll ? poll : discovery, kTimeout);
      const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
      const bool ok = is_poll ? a.http == 200 && a.raw.find("Poll_Response") != std::string::npos
                              : is_discovery_response(a);
      if (ok) {
        ms_.push_back(ms);
      } else {
        fail(std::string(is_poll ? "poll" : "discovery") + ": " +
             (a.http ? "HTTP " + std::to_string(a.http) : std::string(a.closed ? "closed" : "no answer")) +
             " after " + std::to_string(ms) + " ms");
      }
      if (!ok || a.closed || a.raw.find("Connection: close") != std::string::npos) {
        ::close(fd);
        fd = -1;
      }
      std::this_thread::sleep_for(20ms);
    }
    if (fd >= 0) ::close(fd);
  }

  uint16_t port_;
  bool poll_;
  std::atomic<bool> stop_{false};
  std::vector<double> ms_;  // read after stop()
  std::atomic<int> failures_{0};
  std::string first_error_;
  std::thread thread_;
};

void check_served(Probe& probe, const char* what) {
  std::this_thread::sleep_for(kMeasure);
  probe.stop();
  BOOST_TEST_MESSAGE(what << ": " << probe.summary());
  BOOST_TEST(probe.failures() == 0, what << ": " << probe.summary());
  BOOST_TEST(probe.answered() >= 10u, what << ": " << probe.summary());
  BOOST_TEST(probe.p99() < static_cast<double>(kBound.count()), what << ": " << probe.summary());
}

// Connections that sent a complete head and then send one body byte per second; a connection
// the server closes is opened again (an attacker keeps up the pressure).
class SlowSenders {
 public:
  SlowSenders(uint16_t port, std::size_t n) : port_(port) {
    for (std::size_t i = 0; i < n; ++i) {
      fds_.push_back(open());
      opened_.push_back(Clock::now());
    }
    thread_ = std::thread([this] { run(); });
  }
  ~SlowSenders() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    for (int fd : fds_)
      if (fd >= 0) ::close(fd);
  }
  int cuts() const { return cuts_; }
  double longest_held_s() const { return longest_; }

 private:
  int open() {
    const int fd = connect_from(port_);
    send_all(fd, head("/services/inbox", 100000));
    return fd;
  }
  void run() {
    while (!stop_) {
      for (std::size_t i = 0; i < fds_.size() && !stop_; ++i) {
        if (fds_[i] < 0) {  // refused last time: try again
          try {
            fds_[i] = open();
            opened_[i] = Clock::now();
          } catch (const std::exception&) {
          }
          continue;
        }
        pollfd p{fds_[i], POLLIN, 0};
        char c = 'x';
        bool cut = ::poll(&p, 1, 0) > 0;  // answered or closed: either way no longer held
        if (!cut) cut = ::send(fds_[i], &c, 1, MSG_NOSIGNAL | MSG_DONTWAIT) != 1 && errno != EAGAIN;
        if (!cut) continue;
        ++cuts_;
        longest_ = std::max(longest_.load(), std::chrono::duration<double>(Clock::now() - opened_[i]).count());
        ::close(fds_[i]);
        try {
          fds_[i] = open();
        } catch (const std::exception&) {
          fds_[i] = -1;  // refused: tried again next round
        }
        opened_[i] = Clock::now();
      }
      for (int k = 0; k < 10 && !stop_; ++k) std::this_thread::sleep_for(100ms);
    }
  }
  uint16_t port_;
  std::vector<int> fds_;
  std::vector<Clock::time_point> opened_;
  std::atomic<bool> stop_{false};
  std::atomic<int> cuts_{0};
  std::atomic<double> longest_{0};
  std::thread thread_;
};

// ~2.6 MB of content in the collection "default": 40 blocks of 64 KiB, pushed 10 per message.
void fill(uint16_t port) {
  Client c(port);
  const std::string filler(64 * 1024, 'a');
  for (int m = 0; m < 4; ++m) {
    std::vector<Mixed> blocks;
    for (int b = 0; b < 10; ++b)
      blocks.push_back(Mixed{"<stix:STIX_Package xmlns:stix=\"http://stix.mitre.org/stix-1\" id=\"example:package-" +
                             std::to_string(m * 10 + b) + "\" version=\"1.2\"><stix:STIX_Header><stix:Title>" + filler +
                             "</stix:Title></stix:STIX_Header></stix:STIX_Package>"});
    const Reply r = c.send("/services/inbox", inbox11({}, std::move(blocks)));
    BOOST_TEST_REQUIRE(r.status_type() == "SUCCESS", r.body.substr(0, 300));
  }
}

std::string big_poll() {
  auto p = poll11("default");
  return request("/services/poll", *xml::serialize_any(Message{p}));
}

ServerSpec spec(int request_timeout, std::string limits = "") {
  ServerSpec s;
  s.threads = server_threads();
  s.request_timeout = request_timeout;
  s.keep_alive_timeout = 30;
  s.max_body_bytes = 2 << 20;
  s.part_size = 1000;  // one Poll_Response part for everything
  s.limits_yaml = std::move(limits);
  return s;
}

// Readers that ask for the big Poll_Response with a tiny receive buffer and read a byte per
// 100 ms.
class SlowReaders {
 public:
  SlowReaders(uint16_t port, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
      fds_.push_back(connect_from(port, nullptr, 1024));
      send_all(fds_.back(), big_poll());
    }
    thread_ = std::thread([this] {
      while (!stop_) {
        for (int fd : fds_) {
          char c;
          if (::recv(fd, &c, 1, MSG_DONTWAIT) == 1) ++read_;
        }
        std::this_thread::sleep_for(100ms);
      }
    });
  }
  ~SlowReaders() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    for (int fd : fds_) ::close(fd);
  }

 private:
  std::vector<int> fds_;
  std::atomic<bool> stop_{false};
  std::atomic<long> read_{0};
  std::thread thread_;
};

void clean_exit(TaxiidProcess& server) {
  const int status = server.terminate();
  BOOST_TEST(status == 0, "taxiid exit status " << status << "\n" << server.log().substr(0, 2000));
}

}  // namespace

// (a) The finding: 2 x threads connections hold a request open by sending its body a byte per
// second. The engine must not give each a worker for the whole body.
BOOST_AUTO_TEST_CASE(slow_body_senders_do_not_starve_discovery) {
  TaxiidProcess server(spec(30));
  {
    SlowSenders attack(server.http_port(), 2 * kThreads);
    std::this_thread::sleep_for(1500ms);  // every head is in and complete
    Probe probe(server.http_port());
    check_served(probe, "Discovery while 8 bodies arrive at 1 byte/s");
    BOOST_TEST_MESSAGE("slow senders cut by the server: " << attack.cuts() << ", the longest held for "
                                                          << attack.longest_held_s() << " s");
  }
  clean_exit(server);
}

// (b) Slow readers of a large answer: 2 x threads of them, each with a 1 KiB receive buffer,
// reading a byte per 100 ms; Discovery and small Polls stay served.
BOOST_AUTO_TEST_CASE(slow_readers_do_not_starve_other_clients) {
  TaxiidProcess server(spec(30));
  fill(server.http_port());
  {
    SlowReaders readers(server.http_port(), 2 * kThreads);
    std::this_thread::sleep_for(1500ms);  // every Poll_Response is being sent
    Probe probe(server.http_port(), true);
    check_served(probe, "Discovery and Poll while 8 clients read 2.6 MB answers at 10 bytes/s");
  }
  clean_exit(server);
}

// (b) A slow reader is cut at the minimum data rate: by min_rate_grace + what the kernel
// buffers took at that rate (+ 3 s of slack), far less than request_timeout (60 s here). The
// server's close is seen once the bytes already sent are drained: the answer ends before its
// Content-Length.
BOOST_AUTO_TEST_CASE(slow_reader_is_cut_at_the_minimum_data_rate) {
  const int request_timeout = 60;
  const std::string limits = new_keys() ? "  " + std::string(kMinRateKey) + ": " + std::to_string(kMinRate) + "\n  " +
                                               kGraceKey + ": " + std::to_string(kGrace) + "\n"
                                         : "";
  std::unique_ptr<TaxiidProcess> server;
  try {
    server = std::make_unique<TaxiidProcess>(spec(request_timeout, limits));
  } catch (const std::exception& e) {
    BOOST_FAIL("taxiid does not start with limits." << kMinRateKey << " / " << kGraceKey << ": " << e.what());
  }
  fill(server->http_port());
  const auto bound = std::chrono::seconds(kGrace + kBurstAllowance / kMinRate + 3);
  BOOST_TEST_REQUIRE((bound < std::chrono::seconds(request_timeout)));

  const int fd = connect_from(server->http_port(), nullptr, 1024);
  const auto t0 = Clock::now();
  BOOST_TEST_REQUIRE(send_all(fd, big_poll()));
  std::string got;
  bool closed_early = false;
  while (Clock::now() - t0 < bound) {
    char c;
    const ssize_t n = ::recv(fd, &c, 1, MSG_DONTWAIT);
    if (n == 1) got += c;
    else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
      closed_early = true;  // nothing was buffered any more: the server is done with us
      break;
    }
    std::this_thread::sleep_for(100ms);
  }
  // Drain what is buffered, quickly: a cut connection then ends (EOF or reset) before the
  // answer is complete; a kept one delivers the whole answer.
  const Answer rest = read_answer(fd, 10s);
  got += rest.raw;
  ::close(fd);
  std::size_t expected = 0;
  const bool whole = complete(got, &expected);
  const double held = std::chrono::duration<double>(Clock::now() - t0).count();
  BOOST_TEST_MESSAGE("slow reader: " << got.size() << " bytes of " << (expected ? std::to_string(expected) : "?")
                                     << " received, closed " << (rest.closed || closed_early) << " after " << held
                                     << " s");
  BOOST_TEST(got.rfind("HTTP/1.1 200", 0) == 0, got.substr(0, 200));
  BOOST_TEST(!whole, "the server sent the whole " << got.size() << "-byte answer to a client reading 10 bytes/s: "
                                                  "not cut within " << bound.count() << " s");
  BOOST_TEST((rest.closed || closed_early), "the connection is still open after " << held << " s");
  clean_exit(*server);
}

// (c) The per-address connection cap: the 21st connection from 127.0.0.1 is refused, the 20
// first stay usable, another address is still served, and a slot freed is usable again.
BOOST_AUTO_TEST_CASE(connections_per_address_are_capped) {
  const int cap = 20;
  std::unique_ptr<TaxiidProcess> server;
  try {
    server = std::make_unique<TaxiidProcess>(
        spec(30, new_keys() ? "  " + std::string(kPerIpKey) + ": " + std::to_string(cap) + "\n" : ""));
  } catch (const std::exception& e) {
    BOOST_FAIL("taxiid does not start with limits." << kPerIpKey << ": " << e.what());
  }
  const uint16_t port = server->http_port();
  const std::string discovery = request("/services/discovery", kDiscovery11);
  std::vector<int> held;
  for (int i = 0; i < cap; ++i) {
    held.push_back(connect_from(port));
    BOOST_TEST(is_discovery_response(exchange(held.back(), discovery)), "connection " << i + 1);
  }

  // One more from the same address: closed at once or answered 503, never served.
  {
    int extra = -1;
    Answer a{0, true, {}};
    try {
      extra = connect_from(port);
      a = exchange(extra, discovery, 3s);
    } catch (const std::exception&) {
      // refused at connect: fine
    }
    if (extra >= 0) ::close(extra);
    BOOST_TEST((a.http == 503 || (a.http == 0 && a.closed)),
               "connection " << cap + 1 << " from 127.0.0.1: HTTP " << a.http << " closed " << a.closed << " "
                             << a.raw.substr(0, 200));
  }

  for (int i = 0; i < cap; ++i)
    BOOST_TEST(is_discovery_response(exchange(held[static_cast<std::size_t>(i)], discovery)),
               "connection " << i + 1 << " after the refusal");

  // Another address is not counted with 127.0.0.1.
  {
    const int other = connect_from(port, "127.0.0.2");
    BOOST_TEST(is_discovery_response(exchange(other, discovery)), "a connection from 127.0.0.2");
    ::close(other);
  }

  // A slot freed: a new connection from 127.0.0.1 is served again (once the server saw the close).
  ::close(held.back());
  held.pop_back();
  bool served = false;
  for (const auto until = Clock::now() + 3s; !served && Clock::now() < until;) {
    const int again = connect_from(port);
    served = is_discovery_response(exchange(again, discovery, 1s));
    ::close(again);
    if (!served) std::this_thread::sleep_for(100ms);
  }
  BOOST_TEST(served, "no new connection from 127.0.0.1 served after one of the 20 closed");
  for (int fd : held) ::close(fd);
  clean_exit(*server);
}
