// Wire tests of every error a bad request can reach: bad or missing headers, wrong method,
// unknown path, unknown collection, unsupported bindings, bad part numbers, malformed XML,
// an oversized body, a 1.0 body declared as 1.1; and that the connection stays usable.
#define BOOST_TEST_MODULE wire_errors
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <fstream>
#include <iterator>
#include <thread>

#include <Poco/Net/SocketAddress.h>
#include <Poco/String.h>
#include <Poco/Net/StreamSocket.h>

#include "bindings/xml/message_binding.hpp"
#include "core/urn.hpp"
#include "tests/wire/wire_fixture.hpp"

using namespace taxii;
using namespace taxii::wire;
using namespace taxii::wire::raw;

namespace {

// The TAXII 1.1 headers of a raw request (HTTP 1.0 §2), after the binding id.
const std::string kRest11 = "\r\nX-TAXII-Services: urn:taxii.mitre.org:services:1.1\r\n"
                            "X-TAXII-Protocol: urn:taxii.mitre.org:protocol:http:1.0\r\n";

// A TAXII status answer in an HTTP 200 (HTTP 1.0 §4), in version v, about an unparsed request.
void check_status(const Reply& r, const std::string& type, Version v = Version::V11, int http = 200,
                  const std::string& in_response_to = "0") {
  BOOST_TEST(r.status == http);
  BOOST_TEST(r.header("Content-Type") == "application/xml");
  BOOST_TEST(r.header("X-TAXII-Content-Type") == std::string(v == Version::V11 ? urn::kMessageXml11 : urn::kMessageXml10));
  BOOST_TEST(r.header("X-TAXII-Services") == std::string(v == Version::V11 ? urn::kServices11 : urn::kServices10));
  BOOST_TEST(r.header("X-TAXII-Protocol") == std::string(urn::kProtocolHttp));
  BOOST_TEST(r.header("Content-Length") == std::to_string(r.body.size()));
  BOOST_TEST_REQUIRE(r.message.has_value(), r.parse_error + " / " + r.body);
  BOOST_TEST((version_of(*r.message) == v));
  BOOST_TEST(r.status_type() == type);
  BOOST_TEST(r.in_response_to() == in_response_to);
}

std::vector<std::string> detail_values(const Reply& r, const std::string& name) {
  std::vector<std::string> out;
  for (const auto& d : r.as<v11::StatusMessage>().details)
    if (d.name == name) out.push_back(d.value.text_value());
  return out;
}

// Raw HTTP over one socket: sends `bytes`, then reads `n` responses (Content-Length framed)
// or until the server closes, with a deadline.
std::vector<std::string> exchange(uint16_t port, const std::string& bytes, std::size_t n,
                             std::chrono::seconds deadline = std::chrono::seconds(10)) {
  Poco::Net::StreamSocket s(Poco::Net::SocketAddress("127.0.0.1", port));
  s.setReceiveTimeout(Poco::Timespan(1, 0));
  s.sendBytes(bytes.data(), static_cast<int>(bytes.size()));
  std::string buf;
  return read_answers(s, buf, n, deadline);
}

// Small bodies and parts, so that the limits are reached with little data.
ServerSpec small_limits() {
  ServerSpec s;
  s.max_body_bytes = 64 * 1024;
  s.part_size = 2;
  return s;
}

struct Wire : ServerFixture {
  Wire() : ServerFixture(small_limits()) {}
  Client client{server.http_port()};
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(errors, Wire)

BOOST_AUTO_TEST_CASE(only_post_is_allowed) {
  for (const char* method : {"GET", "PUT", "DELETE", "OPTIONS"}) {
    Client c(server.http_port());
    Reply r = c.post("/services/discovery", std::string(method) == "PUT" ? kDiscovery11 : "", taxii_headers(Version::V11), method);
    BOOST_TEST(r.status == 405);
    BOOST_TEST(r.header("Allow") == "POST");
    BOOST_TEST(r.header("X-TAXII-Content-Type").empty());
  }
}

BOOST_AUTO_TEST_CASE(unknown_path_is_404_with_not_found) {
  Reply r = client.post("/services/nope", kDiscovery11, taxii_headers(Version::V11));
  // in_response_to names the request whenever its message_id can be read (Services 1.1 §4.1.1).
  check_status(r, "NOT_FOUND", Version::V11, 404, "d-1");
  BOOST_TEST(detail_values(r, "ITEM").at(0) == "/services/nope");
  // A trailing slash is tolerated.
  Reply ok = client.post("/services/discovery/", kDiscovery11, taxii_headers(Version::V11));
  BOOST_TEST(ok.status == 200);
  BOOST_TEST(std::holds_alternative<v11::DiscoveryResponse>(*ok.message));
}

BOOST_AUTO_TEST_CASE(x_taxii_content_type_missing_or_unknown) {
  Reply r = client.post("/services/discovery", kDiscovery11, without(taxii_headers(Version::V11), "X-TAXII-Content-Type"));
  check_status(r, "UNSUPPORTED_MESSAGE", Version::V11, 200, "d-1");
  const auto bindings = detail_values(r, "SUPPORTED_BINDING");
  BOOST_TEST(bindings.size() == 2u);
  BOOST_TEST(bindings.at(0) == std::string(urn::kMessageXml11));
  r = client.post("/services/discovery", kDiscovery11,
                  with(taxii_headers(Version::V11), "X-TAXII-Content-Type", "urn:cert.europa.eu:message:json:1.0"));
  check_status(r, "UNSUPPORTED_MESSAGE", Version::V11, 200, "d-1");
  // Without X-TAXII-Content-Type a 1.0 client still gets a 1.0 answer (from X-TAXII-Services).
  r = client.post("/services/discovery", kDiscovery10, without(taxii_headers(Version::V10), "X-TAXII-Content-Type"));
  check_status(r, "UNSUPPORTED_MESSAGE", Version::V10, 200, "10");
  BOOST_TEST(r.as<v10::StatusMessage>().status_detail.value_or("") ==
             std::string(urn::kMessageXml11) + " " + std::string(urn::kMessageXml10));
}

BOOST_AUTO_TEST_CASE(content_type_must_be_xml) {
  Reply r = client.post("/services/discovery", kDiscovery11, with(taxii_headers(Version::V11), "Content-Type", "application/json"));
  check_status(r, "UNSUPPORTED_MESSAGE", Version::V11, 200, "d-1");
  r = client.post("/services/discovery", kDiscovery11, with(taxii_headers(Version::V11), "Accept", "application/json"));
  check_status(r, "UNSUPPORTED_MESSAGE", Version::V11, 200, "d-1");
}

BOOST_AUTO_TEST_CASE(services_and_accept_headers) {
  // The body parses with the named binding, so in_response_to is its message_id.
  Reply r = client.post("/services/discovery", kDiscovery11,
                        with(taxii_headers(Version::V11), "X-TAXII-Services", std::string(urn::kServices10)));
  check_status(r, "BAD_MESSAGE", Version::V11, 200, "d-1");
  r = client.post("/services/discovery", kDiscovery11,
                  with(taxii_headers(Version::V11), "X-TAXII-Services", "urn:taxii.mitre.org:services:2.0"));
  check_status(r, "BAD_MESSAGE", Version::V11, 200, "d-1");
  r = client.post("/services/discovery", kDiscovery11,
                  with(taxii_headers(Version::V11), "X-TAXII-Accept", std::string(urn::kMessageXml10)));
  check_status(r, "UNSUPPORTED_MESSAGE", Version::V11, 200, "d-1");
  BOOST_TEST(detail_values(r, "SUPPORTED_BINDING").at(0) == std::string(urn::kMessageXml11));
  // A space-separated list (HTTP 1.0 §2.1.3) that includes our binding is fine.
  r = client.post("/services/discovery", kDiscovery11,
                  with(taxii_headers(Version::V11), "X-TAXII-Accept",
                       std::string(urn::kMessageXml10) + " " + std::string(urn::kMessageXml11)));
  BOOST_TEST(std::holds_alternative<v11::DiscoveryResponse>(*r.message));
}

BOOST_AUTO_TEST_CASE(protocol_must_agree_with_the_transport) {
  Reply r = client.post("/services/discovery", kDiscovery11,
                        with(taxii_headers(Version::V11), "X-TAXII-Protocol", std::string(urn::kProtocolHttps)));
  check_status(r, "UNSUPPORTED_PROTOCOL", Version::V11, 200, "d-1");
  BOOST_TEST(detail_values(r, "SUPPORTED_PROTOCOL").at(0) == std::string(urn::kProtocolHttp));
  r = client.post("/services/discovery", kDiscovery11,
                  with(taxii_headers(Version::V11), "X-TAXII-Protocol", "urn:example:protocol:carrier-pigeon"));
  check_status(r, "UNSUPPORTED_PROTOCOL", Version::V11, 200, "d-1");
}

BOOST_AUTO_TEST_CASE(optional_headers_may_be_left_out) {
  // No X-TAXII-Accept (HTTP 1.0 §2.1.3: SHOULD) and no Accept; Content-Type with a charset.
  // The required ones missing: wire_strict_headers_test.
  Headers h{{"Content-Type", "application/xml; charset=utf-8"},
            {"X-TAXII-Content-Type", std::string(urn::kMessageXml11)},
            {"X-TAXII-Services", std::string(urn::kServices11)},
            {"X-TAXII-Protocol", std::string(urn::kProtocolHttp)}};
  Reply r = client.post("/services/discovery", kDiscovery11, h);
  BOOST_TEST(r.status == 200);
  BOOST_TEST_REQUIRE(r.message.has_value());
  BOOST_TEST(std::holds_alternative<v11::DiscoveryResponse>(*r.message));
  BOOST_TEST(r.header("X-TAXII-Protocol") == std::string(urn::kProtocolHttp));
}

BOOST_AUTO_TEST_CASE(malformed_xml_is_bad_message) {
  for (const std::string& body : {std::string("<taxii_11:Discovery_Request"), std::string("not xml at all"), std::string(""),
                                 std::string("<!DOCTYPE x [<!ENTITY a \"b\">]><x/>"),
                                 std::string("<Discovery_Request message_id=\"1\"/>")}) {
    Reply r = client.post("/services/discovery", body, taxii_headers(Version::V11));
    check_status(r, "BAD_MESSAGE");
  }
  Reply r10 = client.post("/services/discovery", "<taxii:Discovery_Request", taxii_headers(Version::V10));
  check_status(r10, "BAD_MESSAGE", Version::V10);
}

BOOST_AUTO_TEST_CASE(a_10_body_declared_as_11) {
  Reply r = client.post("/services/discovery", kDiscovery10, taxii_headers(Version::V11));
  check_status(r, "BAD_MESSAGE", Version::V11, 200, "10");
  BOOST_TEST(r.status_text().find("TAXII 1.0") != std::string::npos);
  // A 1.0 answer needs a digits-only in_response_to: "d-1" cannot be echoed.
  r = client.post("/services/discovery", kDiscovery11, taxii_headers(Version::V10));
  check_status(r, "BAD_MESSAGE", Version::V10);
}

BOOST_AUTO_TEST_CASE(an_unreadable_request_id_is_never_echoed) {
  // A body that does not parse: its message_id is read from the root tag only when the answer's
  // schema allows it as it is (1.1: xs:anyURI; http_request_fuzz found "a b:c=" echoed).
  const std::string ns = "xmlns:taxii_11=\"" + std::string(urn::kNsXml11) + "\"";
  const std::pair<std::string, std::string> cases[] = {
      {"urn:uuid:1e7e", "urn:uuid:1e7e"},
      {"42", "42"},
      {"a b:c=", "0"},        // a space, and a "scheme" that is not one
      {" 42", "0"},           // whitespace the schema would collapse
      {"%zz", "0"},           // a broken escape
      {"x#a#b", "0"},         // two fragments
      {"a&amp;b", "0"},       // entities are not resolved here
  };
  for (const auto& [id, expected] : cases) {
    const std::string body = "<taxii_11:Discovery_Request " + ns + " message_id=\"" + id + "\"><broken";
    Reply r = client.post("/services/discovery", body, taxii_headers(Version::V11));
    BOOST_TEST_CONTEXT(id) { check_status(r, "BAD_MESSAGE", Version::V11, 200, expected); }
  }
}

BOOST_AUTO_TEST_CASE(wrong_message_type_for_the_service) {
  auto p = poll11("default");
  Reply r = client.send("/services/discovery", p);
  check_status(r, "BAD_MESSAGE", Version::V11, 200, p.message_id);
  BOOST_TEST(r.status_text() == "Poll_Request is not accepted by the Discovery service");
  v11::StatusMessage s;
  s.message_id = "s-1";
  s.in_response_to = "x";
  s.status_type = "SUCCESS";
  r = client.send("/services/inbox", s);
  check_status(r, "BAD_MESSAGE", Version::V11, 200, "s-1");
}

BOOST_AUTO_TEST_CASE(poll_errors) {
  auto p = poll11("no-such-collection");
  Reply r = client.send("/services/poll", p);
  check_status(r, "NOT_FOUND", Version::V11, 200, p.message_id);
  BOOST_TEST(detail_values(r, "ITEM").at(0) == "no-such-collection");

  v10::PollRequest p10;
  p10.message_id = "31";
  p10.feed_name = "no-such-feed";
  r = client.send("/services/poll", p10);
  check_status(r, "NOT_FOUND", Version::V10, 200, "31");

  v11::PollRequest sub;
  sub.message_id = next_id();
  sub.collection_name = "default";
  sub.subscription_id = "urn:example:subscription:1";
  r = client.send("/services/poll", sub);
  check_status(r, "NOT_FOUND", Version::V11, 200, sub.message_id);
  BOOST_TEST(detail_values(r, "ITEM").at(0) == "urn:example:subscription:1");

  auto q = poll11("default");
  // A query format the server does not know (queries themselves: wire_query_test.cpp).
  q.poll_parameters->query = v11::Query{"urn:example:query:unknown",
                                        Mixed{"<tdq:Default_Query xmlns:tdq=\"http://taxii.mitre.org/query/taxii_default_query-1\" "
                                              "targeting_expression_id=\"urn:stix.mitre.org:xml:1.1.1\"><tdq:Criteria operator=\"AND\">"
                                              "<tdq:Criterion negate=\"false\"><tdq:Target>**</tdq:Target><tdq:Test "
                                              "capability_id=\"urn:taxii.mitre.org:query:capability:core-1\" relationship=\"exists\"/>"
                                              "</tdq:Criterion></tdq:Criteria></tdq:Default_Query>"}};
  auto qbody = xml::serialize_any(q);
  if (qbody.ok()) {
    r = client.send("/services/poll", q);
    check_status(r, "UNSUPPORTED_QUERY", Version::V11, 200, q.message_id);
    BOOST_TEST(detail_values(r, "SUPPORTED_QUERY") == std::vector<std::string>{std::string(urn::kQueryDefault10)},
               boost::test_tools::per_element());
  } else {
    BOOST_TEST_MESSAGE("query not serializable here: " << qbody.error().message());
  }
}

BOOST_AUTO_TEST_CASE(a_11_only_status_is_failure_for_10_clients) {
  // 1.0 has no Destination_Collection_Name, so inbox-named (names required) answers
  // DESTINATION_COLLECTION_ERROR, which 1.0 does not have: FAILURE (bridge.hpp).
  v10::InboxMessage m;
  m.message_id = "61";
  v10::ContentBlock b;
  b.binding = std::string(urn::kStix12);
  b.content = Mixed::text("x");
  m.content_blocks.push_back(b);
  Reply r = client.send("/services/inbox-named", m);
  check_status(r, "FAILURE", Version::V10, 200, "61");
  BOOST_TEST(r.status_text().find("DESTINATION_COLLECTION_ERROR") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(fulfillment_errors) {
  auto in = inbox11({}, {Mixed::text("a"), Mixed::text("b"), Mixed::text("c")});
  BOOST_TEST(client.send("/services/inbox", in).status_type() == "SUCCESS");
  Reply first = client.send("/services/poll", poll11("default"));
  const auto& pr = first.as<v11::PollResponse>();
  BOOST_TEST_REQUIRE(pr.more);
  v11::PollFulfillment f = fulfillment11("default", pr.result_id.value(), 3);
  Reply r = client.send("/services/poll", f);
  check_status(r, "INVALID_RESPONSE_PART", Version::V11, 200, f.message_id);
  BOOST_TEST(detail_values(r, "MAX_PART_NUMBER").at(0) == "2");
  // The result set survives the error (Services 1.1 §3.6.1): part 2 is still there.
  f.result_part_number = 2;
  r = client.send("/services/poll", f);
  BOOST_TEST(r.as<v11::PollResponse>().content_blocks.size() == 1u);
  f.result_id = "urn:uuid:00000000-0000-4000-8000-000000000000";
  r = client.send("/services/poll", f);
  check_status(r, "NOT_FOUND", Version::V11, 200, f.message_id);
  f.result_id = pr.result_id.value();
  f.collection_name = "second";  // a result of another collection
  r = client.send("/services/poll", f);
  check_status(r, "NOT_FOUND", Version::V11, 200, f.message_id);
}

BOOST_AUTO_TEST_CASE(oversized_body_is_413) {
  // Declared too large: answered without reading the body, then the connection closes.
  std::string big(100 * 1024, 'x');
  Reply r = client.post("/services/inbox", big, taxii_headers(Version::V11));
  check_status(r, "BAD_MESSAGE", Version::V11, 413);
  BOOST_TEST(Poco::icompare(r.header("Connection"), "close") == 0);
  // Chunked, growing past the limit while read.
  const std::string head =
      "POST /services/inbox HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/xml\r\n"
      "X-TAXII-Content-Type: urn:taxii.mitre.org:message:xml:1.1" + kRest11 + "\r\n";
  std::string chunks;
  for (int i = 0; i < 20; ++i) chunks += "2000\r\n" + std::string(0x2000, 'y') + "\r\n";
  chunks += "0\r\n\r\n";
  auto answers = exchange(server.http_port(), head + chunks, 1);
  BOOST_TEST_REQUIRE(answers.size() == 1u);
  BOOST_TEST(answers[0].rfind("HTTP/1.1 413", 0) == 0);
  BOOST_TEST(answers[0].find("status_type=\"BAD_MESSAGE\"") != std::string::npos);
  // The server still serves.
  Client again(server.http_port());
  BOOST_TEST(again.post("/services/discovery", kDiscovery11, taxii_headers(Version::V11)).status == 200);
}

BOOST_AUTO_TEST_CASE(post_without_length_is_411_and_bad_http_is_400) {
  auto answers = exchange(server.http_port(),
                     "POST /services/discovery HTTP/1.1\r\nHost: x\r\nX-TAXII-Content-Type: "
                     "urn:taxii.mitre.org:message:xml:1.1\r\n\r\n",
                     1);
  BOOST_TEST_REQUIRE(answers.size() == 1u);
  BOOST_TEST(answers[0].rfind("HTTP/1.1 411", 0) == 0);
  BOOST_TEST(answers[0].find("BAD_MESSAGE") != std::string::npos);
  for (const char* bad : {"THIS IS NOT HTTP\r\n\r\n", "POST /services/discovery HTTP/1.1\r\nContent-Length: abc\r\n\r\n"}) {
    answers = exchange(server.http_port(), bad, 1);
    BOOST_TEST_REQUIRE(answers.size() == 1u);
    BOOST_TEST(answers[0].rfind("HTTP/1.1 400", 0) == 0, answers[0]);
  }
}

BOOST_AUTO_TEST_CASE(keep_alive_survives_errors_and_pipelining_works) {
  auto req = [](const std::string& path, const std::string& body, const std::string& binding) {
    return "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/xml\r\nX-TAXII-Content-Type: " + binding +
           kRest11 + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  };
  const std::string b11(urn::kMessageXml11);
  // Three requests written at once on one connection: an error, an unknown path, a good one.
  const std::string bytes = req("/services/discovery", "<broken", b11) + req("/nope", kDiscovery11, b11) +
                            req("/services/discovery", kDiscovery11, b11);
  auto answers = exchange(server.http_port(), bytes, 3);
  BOOST_TEST_REQUIRE(answers.size() == 3u);
  BOOST_TEST(answers[0].rfind("HTTP/1.1 200", 0) == 0);
  BOOST_TEST(answers[0].find("BAD_MESSAGE") != std::string::npos);
  BOOST_TEST(answers[1].rfind("HTTP/1.1 404", 0) == 0);
  BOOST_TEST(answers[2].rfind("HTTP/1.1 200", 0) == 0);
  BOOST_TEST(answers[2].find("Discovery_Response") != std::string::npos);
}

// The engine reads what has arrived before a worker takes the request (http_server.cpp,
// fill_head): bytes of the next request that came with the previous one (here: part of its
// head) must be kept and joined with the rest when it arrives, however it is split.
BOOST_AUTO_TEST_CASE(a_pipelined_head_split_across_writes_is_served) {
  const std::string b11(urn::kMessageXml11);
  auto req = [&](const std::string& id) {
    std::string body = kDiscovery11;
    body.replace(body.find("d-1"), 3, "d-" + id);
    return "POST /services/discovery HTTP/1.1\r\nHost: x\r\nContent-Type: application/xml\r\nX-TAXII-Content-Type: " +
           b11 + kRest11 + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  };
  const std::string first = req("7"), second = req("8"), third = req("9");
  for (std::size_t cut : {std::size_t{1}, std::size_t{20}, second.find("\r\n\r\n") + 2, second.find("\r\n\r\n") + 5}) {
    Poco::Net::StreamSocket s(Poco::Net::SocketAddress("127.0.0.1", server.http_port()));
    s.setReceiveTimeout(Poco::Timespan(1, 0));
    const std::string a = first + second.substr(0, cut);
    s.sendBytes(a.data(), static_cast<int>(a.size()));
    std::string buf;
    auto answers = read_answers(s, buf, 1);
    BOOST_TEST_REQUIRE(answers.size() == 1u, "cut " << cut);
    BOOST_TEST(answers[0].find("in_response_to=\"d-7\"") != std::string::npos);
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    const std::string b = second.substr(cut) + third;
    s.sendBytes(b.data(), static_cast<int>(b.size()));
    answers = read_answers(s, buf, 2);
    BOOST_TEST_REQUIRE(answers.size() == 2u, "cut " << cut);
    BOOST_TEST(answers[0].find("in_response_to=\"d-8\"") != std::string::npos, "cut " << cut);
    BOOST_TEST(answers[1].find("in_response_to=\"d-9\"") != std::string::npos, "cut " << cut);
  }
}

BOOST_AUTO_TEST_CASE(every_request_is_logged) {
  BOOST_TEST(client.post("/services/discovery", kDiscovery11, taxii_headers(Version::V11)).status == 200);
  const std::string log = server.log();
  BOOST_TEST(log.find("event=request") != std::string::npos);
  BOOST_TEST(log.find("path=/services/discovery type=Discovery_Request status=Discovery_Response http=200") !=
             std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

namespace {

std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t p = text.find(needle); p != std::string::npos; p = text.find(needle, p + 1)) ++n;
  return n;
}

// A taxiid with a `log:` section of its own.
ServerSpec logging(const std::string& log_yaml) {
  ServerSpec spec;
  spec.extra_yaml = log_yaml;
  return spec;
}

}  // namespace

// log.buffer_ms: request lines are written in batches, within the interval, and none is lost
// at a clean stop.
BOOST_AUTO_TEST_CASE(buffered_request_log_arrives_late_and_whole) {
  TaxiidProcess server(logging("log: {buffer_ms: 300}\n"));
  Client client(server.http_port());
  BOOST_TEST_REQUIRE(client.post("/services/discovery", kDiscovery11, taxii_headers(Version::V11)).status == 200);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (count_of(server.log(), "event=request") < 1 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  BOOST_TEST(count_of(server.log(), "type=Discovery_Request status=Discovery_Response http=200") == 1u);
  for (int i = 0; i < 50; ++i)
    BOOST_TEST_REQUIRE(client.post("/services/discovery", kDiscovery11, taxii_headers(Version::V11)).status == 200);
  BOOST_TEST(server.terminate() == 0);
  const std::string log = server.log();
  BOOST_TEST(count_of(log, "type=Discovery_Request status=Discovery_Response http=200") == 51u);
  BOOST_TEST(log.find("event=stopped") != std::string::npos);
}

// log.requests: false: no line per answered request; start-up and shutdown are still logged.
BOOST_AUTO_TEST_CASE(request_lines_can_be_switched_off) {
  TaxiidProcess server(logging("log: {requests: false}\n"));
  Client client(server.http_port());
  BOOST_TEST(client.post("/services/discovery", kDiscovery11, taxii_headers(Version::V11)).status == 200);
  BOOST_TEST(client.post("/services/discovery", "<broken", taxii_headers(Version::V11)).status == 200);
  BOOST_TEST(server.terminate() == 0);
  const std::string log = server.log();
  BOOST_TEST(log.find("event=request") == std::string::npos);
  BOOST_TEST(log.find("event=ready") != std::string::npos);
  BOOST_TEST(log.find("event=stopped") != std::string::npos);
}

// A second taxiid on a port already taken must refuse to start. (Poco's two-argument bind()
// also sets SO_REUSEPORT, with which the kernel let both listen and split the connections
// between two servers, each with its own store: polls then failed at random with "no result
// set" when a fulfillment reached the other process.)
BOOST_AUTO_TEST_CASE(a_port_in_use_is_refused) {
  TaxiidProcess first;
  TaxiidProcess second;
  BOOST_TEST_REQUIRE(second.terminate() == 0);
  const std::string config = second.dir().file("taxiid.yaml");
  std::ifstream in(config);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto at = text.find("port: 0\n");
  BOOST_TEST_REQUIRE(at != std::string::npos);
  text.replace(at, 8, "port: " + std::to_string(first.http_port()) + "\n");
  std::ofstream(config, std::ios::trunc) << text;
  std::string why;
  try {
    second.restart();
  } catch (const std::runtime_error& e) {
    why = e.what();
  }
  BOOST_TEST(!why.empty(), "the second taxiid started on port " << first.http_port());
  BOOST_TEST(why.find("in use") != std::string::npos, why);
  // The first one is unaffected.
  Client c(first.http_port());
  Reply r = c.post("/services/discovery", kDiscovery11, taxii_headers(Version::V11));
  BOOST_TEST(r.status == 200);
}
