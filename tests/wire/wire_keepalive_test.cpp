// Idle keep-alive connections must not starve new clients: 1,000 connections held open
// (half never send anything, half send one request and then idle) while a new client is
// served within a deadline; max_connections queues further clients in the accept backlog;
// SIGTERM shuts down cleanly with idle connections open.
#define BOOST_TEST_MODULE wire_keepalive
#include <boost/test/unit_test.hpp>

#include <sys/resource.h>

#include <chrono>
#include <memory>
#include <vector>

#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include "core/urn.hpp"
#include "tests/wire/wire_support.hpp"

using namespace taxii;
using namespace taxii::wire;
using Clock = std::chrono::steady_clock;

namespace {

std::string request() { return raw::raw_request(raw::kDiscovery11); }

void raise_fd_limit() {
  rlimit r{};
  BOOST_TEST_REQUIRE(getrlimit(RLIMIT_NOFILE, &r) == 0);
  r.rlim_cur = r.rlim_max;
  setrlimit(RLIMIT_NOFILE, &r);
  getrlimit(RLIMIT_NOFILE, &r);
  BOOST_TEST_REQUIRE(r.rlim_cur >= 2200u, "need 2,200 file descriptors, have " << r.rlim_cur);
}

// Reads one Content-Length framed response from s (polling at the socket's receive timeout);
// what came, whole or not, by `until`.
std::string read_response(Poco::Net::StreamSocket& s, Clock::time_point until) {
  std::string buf;
  const auto answers =
      raw::read_answers(s, buf, 1, std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()));
  return answers.empty() ? buf : answers[0];
}

// A new client's full exchange; returns its duration, or a huge value if not served in time.
double served_within(uint16_t port, std::chrono::milliseconds deadline) {
  const auto start = Clock::now();
  Poco::Net::StreamSocket s(Poco::Net::SocketAddress("127.0.0.1", port));
  s.setReceiveTimeout(Poco::Timespan(0, 100'000));
  const std::string req = request();
  s.sendBytes(req.data(), static_cast<int>(req.size()));
  const std::string resp = read_response(s, start + deadline);
  if (resp.rfind("HTTP/1.1 200", 0) != 0 || resp.find("Discovery_Response") == std::string::npos) return 1e9;
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

std::unique_ptr<Poco::Net::StreamSocket> connect(uint16_t port) {
  auto s = std::make_unique<Poco::Net::StreamSocket>(Poco::Net::SocketAddress("127.0.0.1", port));
  s->setReceiveTimeout(Poco::Timespan(0, 100'000));
  return s;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_thousand_idle_keep_alive_connections_do_not_starve_a_new_client) {
  raise_fd_limit();
  ServerSpec spec;
  spec.threads = 4;  // far fewer workers than idle connections
  spec.keep_alive_timeout = 120;
  spec.max_connections = 5000;
  TaxiidProcess server(spec);
  const uint16_t port = server.http_port();

  std::vector<std::unique_ptr<Poco::Net::StreamSocket>> idle;
  const std::string req = request();
  for (int i = 0; i < 1000; ++i) {
    auto s = connect(port);
    if (i % 2 == 1) {  // one request, answered, then the connection idles (keep-alive)
      s->sendBytes(req.data(), static_cast<int>(req.size()));
      const std::string resp = read_response(*s, Clock::now() + std::chrono::seconds(10));
      BOOST_TEST_REQUIRE(resp.rfind("HTTP/1.1 200", 0) == 0, "connection " << i << ": " << resp.substr(0, 200));
    }
    idle.push_back(std::move(s));
  }

  // New clients are served promptly while the 1,000 connections stay open.
  for (int k = 0; k < 5; ++k) {
    const double ms = served_within(port, std::chrono::milliseconds(2000));
    BOOST_TEST(ms < 2000.0, "new client " << k << " took " << ms << " ms");
    BOOST_TEST_MESSAGE("new client served in " << ms << " ms with 1,000 idle connections");
  }
  // The idle connections were kept: every 10th one still answers a request.
  for (std::size_t i = 0; i < idle.size(); i += 10) {
    idle[i]->sendBytes(req.data(), static_cast<int>(req.size()));
    const std::string resp = read_response(*idle[i], Clock::now() + std::chrono::seconds(10));
    BOOST_TEST_REQUIRE(resp.rfind("HTTP/1.1 200", 0) == 0, "idle connection " << i << " was dropped");
  }

  // SIGTERM with 1,000 connections open: a clean, prompt exit.
  const auto t0 = Clock::now();
  BOOST_TEST(server.terminate(std::chrono::seconds(15)) == 0);
  BOOST_TEST(std::chrono::duration<double>(Clock::now() - t0).count() < 10.0);
  const std::string log = server.log();
  BOOST_TEST(log.find("event=stopping signal=SIGTERM") != std::string::npos);
  BOOST_TEST(log.find("event=stopped") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(max_connections_queues_new_clients_until_a_slot_frees) {
  raise_fd_limit();
  ServerSpec spec;
  spec.max_connections = 20;
  spec.keep_alive_timeout = 120;
  TaxiidProcess server(spec);
  const uint16_t port = server.http_port();
  std::vector<std::unique_ptr<Poco::Net::StreamSocket>> idle;
  for (int i = 0; i < 20; ++i) idle.push_back(connect(port));

  // The 21st client connects (kernel backlog) but is not served while 20 are open.
  auto waiting = connect(port);
  const std::string req = request();
  waiting->sendBytes(req.data(), static_cast<int>(req.size()));
  std::string resp = read_response(*waiting, Clock::now() + std::chrono::milliseconds(1000));
  BOOST_TEST(resp.empty());
  // Closing idle connections frees slots; the waiting client is then served.
  for (int i = 0; i < 5; ++i) idle[static_cast<std::size_t>(i)]->close();
  resp = read_response(*waiting, Clock::now() + std::chrono::seconds(5));
  BOOST_TEST(resp.rfind("HTTP/1.1 200", 0) == 0, resp.substr(0, 200));
}

BOOST_AUTO_TEST_CASE(idle_connections_time_out) {
  ServerSpec spec;
  spec.keep_alive_timeout = 1;
  TaxiidProcess server(spec);
  auto s = connect(server.http_port());
  const std::string req = request();
  s->sendBytes(req.data(), static_cast<int>(req.size()));
  BOOST_TEST(read_response(*s, Clock::now() + std::chrono::seconds(5)).rfind("HTTP/1.1 200", 0) == 0);
  // After the keep-alive timeout the server closes the connection: a read sees EOF.
  const auto until = Clock::now() + std::chrono::seconds(10);
  bool closed = false;
  char c = 0;
  while (!closed && Clock::now() < until) {
    try {
      closed = s->receiveBytes(&c, 1) == 0;
    } catch (const Poco::TimeoutException&) {
    } catch (const Poco::Exception&) {
      closed = true;
    }
  }
  BOOST_TEST(closed);
}
