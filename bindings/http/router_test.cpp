// The Router (router.hpp): where a request goes (route()), which application's body an
// engine refusal carries (refusal()), and, through a real HttpServer on 127.0.0.1, its own
// 404 and 405 answers, the gate of each application (answers from the head, "100 Continue")
// and HEAD.
#define BOOST_TEST_MODULE router
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>

#include <Poco/Exception.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/StreamCopier.h>

#include "bindings/http/health.hpp"
#include "bindings/http/router.hpp"

using namespace taxii;
using namespace taxii::http;

namespace {

// Answers 200 with its name; its gate refuses (403) a request carrying "X-Refuse".
class Named final : public Application {
 public:
  explicit Named(std::string name) : name_(std::move(name)) {}
  void serve(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
             const ConnectionInfo&) override {
    ++served;
    std::string body;
    Poco::StreamCopier::copyToString(request.stream(), body);
    const std::string text = name_ + ":" + body;
    response.setContentLength64(static_cast<Poco::Int64>(text.size()));
    response.sendBuffer(text.data(), text.size());
  }
  bool gate(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
            const ConnectionInfo&) override {
    ++gated;
    if (!request.has("X-Refuse")) return false;
    response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_FORBIDDEN);
    response.setKeepAlive(false);
    response.setContentLength(0);
    response.send();
    return true;
  }
  HttpServer::Refusal refusal(int, std::string_view, const ConnectionInfo&) override {
    HttpServer::Refusal r;
    r.body = "refused by " + name_;
    return r;
  }
  std::atomic<int> served{0};
  std::atomic<int> gated{0};

 private:
  std::string name_;
};

struct Routes {
  Named taxii{"taxii"}, api{"api"}, api_v2{"api-v2"}, ops{"ops"};
  Router router;
  Routes() {
    router.add("/services/discovery", Router::Match::Exact, {"POST"}, taxii);
    router.add("/api", Router::Match::Prefix, {"GET", "POST", "DELETE"}, api);
    router.add("/api/v2/", Router::Match::Prefix, {"GET"}, api_v2);
    router.add("/ops", Router::Match::Exact, {"GET", "HEAD"}, ops);
    router.fallback("POST", taxii);
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(routing, Routes)

BOOST_AUTO_TEST_CASE(exact_routes_take_their_methods) {
  BOOST_TEST(router.route("POST", "/services/discovery").app == &taxii);
  BOOST_TEST(router.route("POST", "/services/discovery/").app == &taxii);  // one trailing "/" tolerated
  BOOST_TEST(router.route("POST", "/services/discovery?x=1#f").app == &taxii);
  BOOST_TEST(router.route("GET", "/ops").app == &ops);
  BOOST_TEST(router.route("HEAD", "/ops").app == &ops);
  const Router::Decision get = router.route("GET", "/services/discovery");
  BOOST_TEST(get.app == nullptr);
  BOOST_TEST(get.status == 405);
  BOOST_TEST_REQUIRE(get.allow != nullptr);
  BOOST_TEST(*get.allow == "POST");
  BOOST_TEST(*router.route("DELETE", "/ops").allow == "GET, HEAD");
  BOOST_TEST(router.route("post", "/services/discovery").status == 405);  // methods are case-sensitive
}

BOOST_AUTO_TEST_CASE(prefixes_match_at_segment_boundaries_and_the_longest_wins) {
  BOOST_TEST(router.route("GET", "/api").app == &api);
  BOOST_TEST(router.route("DELETE", "/api/objects/1").app == &api);
  BOOST_TEST(router.route("GET", "/api/v2/x").app == &api_v2);
  BOOST_TEST(*router.route("POST", "/api/v2/x").allow == "GET");  // the longest prefix decides
  BOOST_TEST(router.route("GET", "/apix").status == 404);
  BOOST_TEST(router.route("GET", "/ops/more").status == 404);  // exact is exact
}

BOOST_AUTO_TEST_CASE(unknown_paths_go_to_the_fallback_of_their_method_or_404) {
  BOOST_TEST(router.route("POST", "/nope").app == &taxii);
  BOOST_TEST(router.route("POST", "*").app == &taxii);
  BOOST_TEST(router.route("POST", "http://host/services/discovery").app == &taxii);  // absolute-form: no route
  const Router::Decision d = router.route("GET", "/nope");
  BOOST_TEST(d.app == nullptr);
  BOOST_TEST(d.status == 404);
  BOOST_TEST(router.route("GET", "/services/../ops").status == 404);  // no dot-segment removal
}

BOOST_AUTO_TEST_CASE(refusals_carry_the_body_of_the_application_meant) {
  const ConnectionInfo conn;
  BOOST_TEST(router.refusal(431, "too large", {"GET", "/services/discovery"}, conn).body == "refused by taxii");
  BOOST_TEST(router.refusal(414, "too long", {"POST", "/services/aaaa"}, conn).body == "refused by taxii");  // fallback
  BOOST_TEST(router.refusal(400, "bad", {"GET", "/api/v2/q"}, conn).body == "refused by api-v2");
  const HttpServer::Refusal text = router.refusal(400, "not an HTTP request line", {"", ""}, conn);
  BOOST_TEST(text.body == "taxiid: 400: not an HTTP request line\n");
  BOOST_TEST_REQUIRE(text.headers.size() == 1u);
  BOOST_TEST(text.headers[0].second == "text/plain; charset=utf-8");
  BOOST_TEST(router.refusal(400, "bad", {"GET", "/nope"}, conn).body == "taxiid: 400: bad\n");
}

BOOST_AUTO_TEST_CASE(health_answers_json) {
  HealthApplication health("1.2.\"3\"");
  const std::string b = health.body();
  BOOST_TEST(b.rfind(R"({"status":"ok","version":"1.2.\"3\"","uptime_seconds":)", 0) == 0u, b);
}

BOOST_AUTO_TEST_CASE(readiness_needs_the_listeners_and_the_store) {
  std::optional<std::string> store_problem;
  HealthApplication health("1", [&] { return store_problem; });
  auto [status, body] = health.readiness();
  BOOST_TEST(status == 503);  // not started yet
  BOOST_TEST(body.find(R"("status":"not ready")") != std::string::npos, body);
  BOOST_TEST(body.find(R"("listeners":"not started","store":"ok")") != std::string::npos, body);
  health.set_started(true);
  std::tie(status, body) = health.readiness();
  BOOST_TEST(status == 200);
  BOOST_TEST(body.find(R"("status":"ready")") != std::string::npos, body);
  store_problem = "the store does not answer";
  std::tie(status, body) = health.readiness();
  BOOST_TEST(status == 503);
  BOOST_TEST(body.find(R"("store":"the store does not answer")") != std::string::npos, body);
  HealthApplication throwing("1", []() -> std::optional<std::string> { throw std::runtime_error("boom"); });
  throwing.set_started(true);
  BOOST_TEST(throwing.readiness().first == 503);
}

BOOST_AUTO_TEST_SUITE_END()

// ---- Through a real engine on 127.0.0.1 ----

namespace {

struct Served : Routes {
  std::unique_ptr<HttpServer> server;
  Served() {
    EngineOptions eo;
    eo.threads = 2;
    auto s = HttpServer::create(
        {ListenerOptions{}}, eo,
        [this](Poco::Net::HTTPServerRequest& rq, Poco::Net::HTTPServerResponse& rs, const ConnectionInfo& ci) {
          router.serve(rq, rs, ci);
        },
        {},
        [this](Poco::Net::HTTPServerRequest& rq, Poco::Net::HTTPServerResponse& rs, const ConnectionInfo& ci) {
          return router.gate(rq, rs, ci);
        },
        [this](int status, std::string_view why, const HttpServer::RefusedRequest& rq, const ConnectionInfo& ci) {
          return router.refusal(status, why, rq, ci);
        });
    BOOST_TEST_REQUIRE(s.ok());
    server = std::move(s).value();
    server->start();
  }
  ~Served() { server->stop(); }

  // Sends bytes on a fresh connection; reads until the peer closes or `quiet` passes without
  // a byte. `then`, if any, is sent once `until` has been read.
  std::string talk(const std::string& bytes, const std::string& until = "", const std::string& then = "",
                   std::chrono::milliseconds quiet = std::chrono::milliseconds(700)) {
    Poco::Net::StreamSocket s(Poco::Net::SocketAddress("127.0.0.1", server->bound()[0].port));
    s.setReceiveTimeout(Poco::Timespan(0, static_cast<long>(quiet.count()) * 1000));
    s.sendBytes(bytes.data(), static_cast<int>(bytes.size()));
    std::string got;
    bool sent_then = then.empty();
    char buf[4096];
    while (true) {
      int n = 0;
      try {
        n = s.receiveBytes(buf, sizeof buf);
      } catch (const Poco::TimeoutException&) {
        break;
      }
      if (n <= 0) break;
      got.append(buf, static_cast<std::size_t>(n));
      if (!sent_then && got.find(until) != std::string::npos) {
        s.sendBytes(then.data(), static_cast<int>(then.size()));
        sent_then = true;
      }
    }
    return got;
  }
};

std::size_t count(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t i = s.find(what); i != std::string::npos; i = s.find(what, i + 1)) ++n;
  return n;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(served, Served)

BOOST_AUTO_TEST_CASE(own_answers_404_and_405_keep_a_connection_without_a_body) {
  const std::string got = talk(
      "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /services/discovery HTTP/1.1\r\nHost: x\r\n\r\n"
      "POST /services/discovery HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi");
  BOOST_TEST(got.rfind("HTTP/1.1 404 Not Found\r\n", 0) == 0u, got);
  BOOST_TEST(got.find("taxiid: 404: nothing is served at /nope\n") != std::string::npos, got);
  BOOST_TEST(got.find("HTTP/1.1 405 Method Not Allowed\r\n") != std::string::npos, got);
  BOOST_TEST(got.find("Allow: POST\r\n") != std::string::npos, got);
  BOOST_TEST(got.find("taxii:hi") != std::string::npos, got);  // the third request, same connection
  BOOST_TEST(taxii.served == 1);
}

BOOST_AUTO_TEST_CASE(a_wrong_method_with_a_body_is_answered_and_closed) {
  const std::string got = talk("DELETE /ops HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
                               "GET /ops HTTP/1.1\r\nHost: x\r\n\r\n");
  BOOST_TEST(got.rfind("HTTP/1.1 405", 0) == 0u, got);
  BOOST_TEST(got.find("Connection: Close") != std::string::npos, got);
  BOOST_TEST(count(got, "HTTP/1.1 ") == 1u, got);
  BOOST_TEST(ops.served == 0);
}

// The gate runs per application: the router's own answer from the head (the body never
// comes), the application's gate refusing, and passing with "100 Continue".
BOOST_AUTO_TEST_CASE(the_gate_is_the_applications) {
  const std::string early = talk("PUT /nope HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc");
  BOOST_TEST(early.rfind("HTTP/1.1 404", 0) == 0u, early);

  const std::string refused = talk("POST /api/x HTTP/1.1\r\nHost: x\r\nX-Refuse: 1\r\nContent-Length: 100\r\n\r\nab");
  BOOST_TEST(refused.rfind("HTTP/1.1 403", 0) == 0u, refused);
  BOOST_TEST(api.gated == 1);
  BOOST_TEST(api.served == 0);

  const std::string head = "POST /api/x HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n";
  const std::string cont = talk(head, "100 Continue\r\n\r\n", "body");
  BOOST_TEST(cont.rfind("HTTP/1.1 100 Continue\r\n\r\n", 0) == 0u, cont);
  BOOST_TEST(cont.find("api:body") != std::string::npos, cont);
  BOOST_TEST(api.gated == 2);
  BOOST_TEST(api.served == 1);
}

BOOST_AUTO_TEST_CASE(head_gets_the_length_without_the_body) {
  const std::string got = talk("HEAD /ops HTTP/1.1\r\nHost: x\r\n\r\nGET /ops HTTP/1.1\r\nHost: x\r\n\r\n");
  BOOST_TEST(got.rfind("HTTP/1.1 200 OK\r\n", 0) == 0u, got);
  BOOST_TEST(got.find("Content-Length: 4\r\n") != std::string::npos, got);  // "ops:"
  const std::size_t second = got.find("\r\n\r\n") + 4;
  BOOST_TEST(got.compare(second, 15, "HTTP/1.1 200 OK") == 0, got);
  BOOST_TEST(got.substr(got.size() - 4) == "ops:", got);
}

BOOST_AUTO_TEST_CASE(an_engine_refusal_carries_the_routed_body) {
  const std::string got = talk("GET /api/v2/" + std::string(20000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n");
  BOOST_TEST(got.rfind("HTTP/1.1 414", 0) == 0u, got.substr(0, 200));
  BOOST_TEST(got.find("refused by api-v2") != std::string::npos, got.substr(0, 400));
}

BOOST_AUTO_TEST_SUITE_END()
