// One listener, several applications (bindings/http/router.hpp): a real taxiid serves TAXII
// 1.x Discovery (POST) and GET / HEAD /health on the same port, answers 404 for a path no
// application has and 405 (with Allow) for a TAXII path asked with another method, over
// plain HTTP and HTTPS.
#define BOOST_TEST_MODULE wire_router
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <string>

#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include "core/urn.hpp"
#include "tests/wire/wire_support.hpp"

using namespace taxii;
using namespace taxii::wire;

namespace {

struct Routed {
  TaxiidProcess server{[] {
    ServerSpec s;
    s.tls = true;
    return s;
  }()};
  ~Routed() {
    const int status = server.terminate();
    BOOST_TEST(status == 0, "taxiid exit status " << status << "\n" << server.log());
  }
  // A client of the plain listener, or of the TLS one.
  Client client(bool tls) {
    return tls ? Client(server.https_port(), client_context(server.pki(), false)) : Client(server.http_port());
  }
};

// Sends raw bytes on a fresh plain connection and reads until `answers` answers (by their
// status lines) have come and the last one's Content-Length is read, or 5 s pass.
std::string exchange_raw(uint16_t port, const std::string& bytes) {
  Poco::Net::StreamSocket s(Poco::Net::SocketAddress("127.0.0.1", port));
  s.setReceiveTimeout(Poco::Timespan(1, 0));
  s.sendBytes(bytes.data(), static_cast<int>(bytes.size()));
  std::string got;
  char buf[4096];
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    int n = 0;
    try {
      n = s.receiveBytes(buf, sizeof buf);
    } catch (const Poco::TimeoutException&) {
      break;  // nothing more is coming
    }
    if (n <= 0) break;
    got.append(buf, static_cast<std::size_t>(n));
  }
  return got;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(router, Routed)

BOOST_AUTO_TEST_CASE(taxii_and_health_share_each_listener) {
  for (const bool tls : {false, true}) {
    BOOST_TEST_CONTEXT((tls ? "https" : "http")) {
      Client c = client(tls);
      v11::DiscoveryRequest d;
      d.message_id = next_id();
      const Reply taxii = c.send("/services/discovery", d);
      BOOST_TEST(taxii.status == 200);
      BOOST_TEST_REQUIRE(taxii.message.has_value(), taxii.parse_error);
      BOOST_TEST(std::holds_alternative<v11::DiscoveryResponse>(*taxii.message));

      // The same keep-alive connection, another application.
      const Reply health = c.post("/health", "", {}, "GET");
      BOOST_TEST(health.status == 200);
      BOOST_TEST(health.header("Content-Type") == "application/json");
      BOOST_TEST(health.body.rfind("{\"status\":\"ok\",\"version\":\"", 0) == 0u, health.body);
      BOOST_TEST(health.body.find("\"uptime_seconds\":") != std::string::npos, health.body);
      BOOST_TEST(health.header("X-TAXII-Content-Type").empty());

      const Reply head = c.post("/health", "", {}, "HEAD");
      BOOST_TEST(head.status == 200);
      BOOST_TEST(head.body.empty());
      BOOST_TEST(head.header("Content-Length") == std::to_string(health.body.size()));
    }
  }
}

BOOST_AUTO_TEST_CASE(liveness_and_readiness) {
  Client c = client(false);
  const Reply live = c.post("/health/live", "", {}, "GET");
  BOOST_TEST(live.status == 200);
  BOOST_TEST(live.body.rfind("{\"status\":\"ok\",", 0) == 0u, live.body);
  // Started, and the SQLite store answers.
  const Reply ready = c.post("/health/ready", "", {}, "GET");
  BOOST_TEST(ready.status == 200);
  BOOST_TEST(ready.header("Content-Type") == "application/json");
  BOOST_TEST(ready.body.find("\"status\":\"ready\"") != std::string::npos, ready.body);
  BOOST_TEST(ready.body.find("\"checks\":{\"listeners\":\"ok\",\"store\":\"ok\"}") != std::string::npos, ready.body);
  BOOST_TEST(c.post("/health/ready/", "", {}, "HEAD").status == 200);
  BOOST_TEST(c.post("/health/ready", "", {}, "POST").status == 405);
  BOOST_TEST(c.post("/health/other", "", {}, "GET").status == 404);
}

BOOST_AUTO_TEST_CASE(unknown_path_is_404_and_wrong_method_is_405) {
  for (const bool tls : {false, true}) {
    BOOST_TEST_CONTEXT((tls ? "https" : "http")) {
      Client c = client(tls);
      const Reply nope = c.post("/nope", "", {}, "GET");
      BOOST_TEST(nope.status == 404);
      BOOST_TEST(nope.body.find("nothing is served at /nope") != std::string::npos, nope.body);
      BOOST_TEST(nope.header("X-TAXII-Content-Type").empty());

      const Reply get = c.post("/services/discovery", "", {}, "GET");
      BOOST_TEST(get.status == 405);
      BOOST_TEST(get.header("Allow") == "POST");
      BOOST_TEST(get.body.find("GET is not served at /services/discovery") != std::string::npos, get.body);

      const Reply post_health = c.post("/health", "{}", {{"Content-Type", "application/json"}}, "POST");
      BOOST_TEST(post_health.status == 405);
      BOOST_TEST(post_health.header("Allow") == "GET, HEAD");

      // A POST to a path no application has is still TAXII's: its NOT_FOUND Status_Message.
      v11::DiscoveryRequest d;
      d.message_id = next_id();
      Client t = client(tls);
      const Reply taxii404 = t.send("/services/nope", d);
      BOOST_TEST(taxii404.status == 404);
      BOOST_TEST(taxii404.status_type() == "NOT_FOUND");
    }
  }
}

// Raw bytes: HEAD's answer carries the length of GET's but no body (RFC 9110 §9.3.2), so the
// next pipelined answer starts right after its head; a 404 without a body keeps the
// connection.
BOOST_AUTO_TEST_CASE(head_has_no_body_and_errors_keep_the_connection) {
  const std::string got = exchange_raw(server.http_port(),
                                       "HEAD /health HTTP/1.1\r\nHost: x\r\n\r\n"
                                       "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
                                       "GET /health?probe=1 HTTP/1.1\r\nHost: x\r\n\r\n");
  BOOST_TEST_REQUIRE(got.rfind("HTTP/1.1 200 OK\r\n", 0) == 0u, got);
  const std::size_t end_of_head = got.find("\r\n\r\n");
  BOOST_TEST_REQUIRE(end_of_head != std::string::npos);
  BOOST_TEST(got.compare(end_of_head + 4, 13, "HTTP/1.1 404 ") == 0, got);
  const std::size_t third = got.find("HTTP/1.1 200 OK", end_of_head);
  BOOST_TEST_REQUIRE(third != std::string::npos, got);
  BOOST_TEST(got.find("{\"status\":\"ok\"", third) != std::string::npos, got);
}

// The engine's own refusals carry the body of the application the request was meant for:
// TAXII's BAD_MESSAGE Status_Message on TAXII paths, a short text elsewhere.
BOOST_AUTO_TEST_CASE(engine_refusals_speak_the_applications_language) {
  const std::string big(9000, 'a');
  const std::string taxii = exchange_raw(server.http_port(), "POST /services/discovery HTTP/1.1\r\nHost: x\r\nX-Big: " +
                                                                 big + "\r\n\r\n");
  BOOST_TEST(taxii.rfind("HTTP/1.1 431", 0) == 0u, taxii.substr(0, 200));
  BOOST_TEST(taxii.find("status_type=\"BAD_MESSAGE\"") != std::string::npos, taxii.substr(0, 600));

  const std::string health = exchange_raw(server.http_port(), "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + big +
                                                                  "\r\n\r\n");
  BOOST_TEST(health.rfind("HTTP/1.1 431", 0) == 0u, health.substr(0, 200));
  BOOST_TEST(health.find("BAD_MESSAGE") == std::string::npos, health);
  BOOST_TEST(health.find("text/plain") != std::string::npos, health);
}

BOOST_AUTO_TEST_SUITE_END()
