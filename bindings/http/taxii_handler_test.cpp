// TaxiiHandler::answer() without a socket: a Request in, an Answer out, against a fake
// TaxiiApplication (one service at /services/discovery). The HTTP binding's rules: POST only
// (405 + Allow), the four TAXII headers on every answer, 404 + NOT_FOUND for an unknown path,
// 413 for a body over the limit (and the connection closes), a header error answered as a
// Status_Message in HTTP 200, admission refused before the body is read.
#define BOOST_TEST_MODULE taxii_handler
#include <boost/test/unit_test.hpp>

#include <sstream>
#include <string>
#include <variant>

#include "bindings/http/taxii_handler.hpp"
#include "bindings/xml/message_binding.hpp"
#include "core/status.hpp"
#include "core/urn.hpp"

using namespace taxii;
using namespace taxii::http;

namespace {

const std::string kDiscovery =
    R"(<taxii_11:Discovery_Request xmlns:taxii_11="http://taxii.mitre.org/messages/taxii_xml_binding-1.1" message_id="d-1"/>)";

class FakeApp final : public TaxiiApplication {
 public:
  bool has_path(std::string_view path) const override { return path == "/services/discovery"; }
  std::optional<Error> admit(std::string_view, RequestInfo& info) override {
    ++admitted;
    if (info.authorization == "Basic refused") return Error::unauthorized("these credentials are refused");
    return std::nullopt;
  }
  Message handle(std::string_view path, const Message& request, const RequestInfo& info) override {
    ++handled;
    seen_path = std::string(path);
    seen_https = info.https;
    v11::DiscoveryResponse r;
    r.message_id = "r-1";
    r.in_response_to = message_id_of(request);
    return r;
  }
  Message status(const Error& e, Version, const std::string& in_response_to) override {
    v11::StatusMessage s;
    s.message_id = "s-1";
    s.in_response_to = in_response_to;
    s.status_type = std::string(wire_name(e.type()));
    s.message = e.message();
    return s;
  }
  int admitted = 0;
  int handled = 0;
  std::string seen_path;
  bool seen_https = false;
};

struct Fixture {
  FakeApp app;
  TaxiiHandler handler{app, HandlerOptions{/*max_body_bytes=*/4096}, [this](const RequestLog& l) { logs.push_back(l); }};
  std::vector<RequestLog> logs;
  std::istringstream body;

  Request post(const std::string& path, const std::string& text, bool taxii_headers = true) {
    body.str(text);
    Request r;
    r.method = "POST";
    r.uri = path;
    r.headers = {{"Host", "x"}, {"Content-Length", std::to_string(text.size())}};
    if (taxii_headers) {
      r.headers.emplace_back("Content-Type", "application/xml");
      r.headers.emplace_back("X-TAXII-Content-Type", std::string(urn::kMessageXml11));
      r.headers.emplace_back("X-TAXII-Protocol", std::string(urn::kProtocolHttp));
      r.headers.emplace_back("X-TAXII-Services", std::string(urn::kServices11));
    }
    r.body = &body;
    return r;
  }
};

ConnectionInfo connection(bool https = false) {
  ConnectionInfo c;
  c.remote = "127.0.0.1:1";
  c.https = https;
  return c;
}

std::string header(const Answer& a, const std::string& name) {
  for (const auto& [k, v] : a.headers)
    if (k == name) return v;
  return "";
}

Message parsed(const Answer& a) {
  auto m = xml::parse_any(a.body);
  BOOST_TEST_REQUIRE(m.ok(), a.body);
  return std::move(m).value();
}

std::string status_type(const Answer& a) {
  const Message m = parsed(a);
  const auto* s = std::get_if<v11::StatusMessage>(&m);
  return s != nullptr ? s->status_type : "(not a Status_Message)";
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(taxii_handler, Fixture)

BOOST_AUTO_TEST_CASE(a_discovery_request_reaches_the_application) {
  const Answer a = handler.answer(post("/services/discovery", kDiscovery), connection());
  BOOST_TEST(a.status == 200);
  BOOST_TEST(a.keep_alive);
  BOOST_TEST(app.handled == 1);
  BOOST_TEST(app.seen_path == "/services/discovery");
  // HTTP 1.0 §2: the four TAXII headers on every answer.
  BOOST_TEST(header(a, "Content-Type") == "application/xml");
  BOOST_TEST(header(a, "X-TAXII-Content-Type") == std::string(urn::kMessageXml11));
  BOOST_TEST(header(a, "X-TAXII-Protocol") == std::string(urn::kProtocolHttp));
  BOOST_TEST(header(a, "X-TAXII-Services") == std::string(urn::kServices11));
  const Message m = parsed(a);
  BOOST_TEST_REQUIRE(std::holds_alternative<v11::DiscoveryResponse>(m));
  BOOST_TEST(std::get<v11::DiscoveryResponse>(m).in_response_to == "d-1");
  BOOST_TEST_REQUIRE(logs.size() == 1u);
  BOOST_TEST(logs[0].message_type == "Discovery_Request");
  BOOST_TEST(logs[0].http_status == 200);
}

BOOST_AUTO_TEST_CASE(over_https_the_protocol_header_says_so) {
  Request r = post("/services/discovery/", kDiscovery);  // a trailing "/" is tolerated
  for (auto& [k, v] : r.headers)
    if (k == "X-TAXII-Protocol") v = std::string(urn::kProtocolHttps);
  const Answer a = handler.answer(r, connection(/*https=*/true));
  BOOST_TEST(a.status == 200);
  BOOST_TEST(app.seen_https);
  BOOST_TEST(header(a, "X-TAXII-Protocol") == std::string(urn::kProtocolHttps));
}

BOOST_AUTO_TEST_CASE(only_post_is_allowed) {
  Request r = post("/services/discovery", "");
  r.method = "GET";
  const Answer a = handler.answer(r, connection());
  BOOST_TEST(a.status == 405);
  BOOST_TEST(header(a, "Allow") == "POST");
  BOOST_TEST(header(a, "X-TAXII-Content-Type").empty());
  BOOST_TEST(a.keep_alive);  // no body was declared
  BOOST_TEST(app.handled == 0);
}

BOOST_AUTO_TEST_CASE(an_unknown_path_is_404_with_not_found) {
  const Answer a = handler.answer(post("/services/nope", kDiscovery), connection());
  BOOST_TEST(a.status == 404);
  BOOST_TEST(status_type(a) == "NOT_FOUND");
  BOOST_TEST(std::get<v11::StatusMessage>(parsed(a)).in_response_to == "d-1");  // Services 1.1 §4.1.1
  BOOST_TEST(app.handled == 0);
}

BOOST_AUTO_TEST_CASE(a_body_over_the_limit_is_413_and_closes) {
  const Answer a = handler.answer(post("/services/discovery", std::string(5000, ' ') + kDiscovery), connection());
  BOOST_TEST(a.status == 413);
  BOOST_TEST(status_type(a) == "BAD_MESSAGE");
  BOOST_TEST(!a.keep_alive);
  BOOST_TEST(app.handled == 0);
}

BOOST_AUTO_TEST_CASE(a_header_error_is_a_status_message_in_200) {
  const Answer a = handler.answer(post("/services/discovery", kDiscovery, /*taxii_headers=*/false), connection());
  BOOST_TEST(a.status == 200);  // HTTP 1.0 §4: TAXII errors travel in HTTP 200
  BOOST_TEST(status_type(a) != "(not a Status_Message)");
  BOOST_TEST(app.handled == 0);
}

BOOST_AUTO_TEST_CASE(refused_credentials_are_answered_before_the_body) {
  Request r = post("/services/discovery", kDiscovery);
  r.headers.emplace_back("Authorization", "Basic refused");
  const Answer a = handler.answer(r, connection());
  BOOST_TEST(a.status == 200);
  BOOST_TEST(status_type(a) == "UNAUTHORIZED");
  BOOST_TEST(!a.keep_alive);  // the body stays unread
  BOOST_TEST(app.admitted == 1);
  BOOST_TEST(app.handled == 0);
  BOOST_TEST(body.tellg() == 0);  // not a byte of the body was read
}

BOOST_AUTO_TEST_CASE(the_refusal_body_is_a_bad_message_status) {
  const HttpServer::Refusal r = handler.refusal(431, "request head too large", connection());
  Answer a;
  a.body = r.body;
  BOOST_TEST(status_type(a) == "BAD_MESSAGE");
  BOOST_TEST(std::get<v11::StatusMessage>(parsed(a)).in_response_to == "0");
}

BOOST_AUTO_TEST_SUITE_END()
