// Wire tests of the HTTPS listener: a throwaway CA, server and client certificates made with
// the openssl CLI; client certificates required; TAXII 1.1 and 1.0 over TLS; the protocol
// binding advertised and checked per listener.
#define BOOST_TEST_MODULE wire_tls
#include <boost/test/unit_test.hpp>

#include <Poco/Exception.h>

#include "core/urn.hpp"
#include "tests/wire/wire_fixture.hpp"

using namespace taxii;
using namespace taxii::wire;

namespace {

// An HTTPS listener beside the HTTP one, client certificates required.
ServerSpec tls_required() {
  ServerSpec s;
  s.tls = true;
  s.client_certificates = "required";
  return s;
}

struct Tls : ServerFixture {
  Tls() : ServerFixture(tls_required()) {}
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(tls, Tls)

// Discovery lists the instances of the requester's own transport (docs/decisions.md): over
// HTTPS only the HTTPS listener's, over HTTP only the HTTP listener's.
BOOST_AUTO_TEST_CASE(discovery_lists_the_requesters_transport) {
  Client c(server.https_port(), client_context(server.pki(), true));
  v11::DiscoveryRequest d;
  d.message_id = next_id();
  Reply r = c.send("/services/discovery", d);
  BOOST_TEST(r.status == 200);
  BOOST_TEST(r.header("X-TAXII-Protocol") == std::string(urn::kProtocolHttps));
  BOOST_TEST_REQUIRE(r.message.has_value(), r.parse_error);
  const auto& resp = r.as<v11::DiscoveryResponse>();
  BOOST_TEST_REQUIRE(resp.service_instances.size() == 5u);  // 5 services x the HTTPS listener, 1.1
  for (const auto& i : resp.service_instances) {
    BOOST_TEST(i.protocol_binding == std::string(urn::kProtocolHttps));
    BOOST_TEST(i.address.rfind("https://127.0.0.1:" + std::to_string(server.https_port()) + "/services/", 0) == 0u,
               i.address);
  }
  BOOST_TEST(resp.service_instances[0].address ==
             "https://127.0.0.1:" + std::to_string(server.https_port()) + "/services/discovery");

  Client plain(server.http_port());
  d.message_id = next_id();
  Reply h = plain.send("/services/discovery", d);
  BOOST_TEST_REQUIRE(h.message.has_value(), h.parse_error);
  const auto& hr = h.as<v11::DiscoveryResponse>();
  BOOST_TEST_REQUIRE(hr.service_instances.size() == 5u);
  for (const auto& i : hr.service_instances) BOOST_TEST(i.protocol_binding == std::string(urn::kProtocolHttp));
}

BOOST_AUTO_TEST_CASE(inbox_and_poll_over_https_in_both_versions) {
  Client c(server.https_port(), client_context(server.pki(), true));
  auto in = inbox11({}, {Mixed::text("over TLS")});
  Reply r = c.send("/services/inbox", in);
  BOOST_TEST(r.status_type() == "SUCCESS");
  BOOST_TEST(r.header("X-TAXII-Protocol") == std::string(urn::kProtocolHttps));
  Reply p = c.send("/services/poll", poll11("default"));
  BOOST_TEST_REQUIRE(p.message.has_value());
  BOOST_TEST_REQUIRE(p.as<v11::PollResponse>().content_blocks.size() == 1u);
  BOOST_TEST(p.as<v11::PollResponse>().content_blocks[0].content.text_value() == "over TLS");
  v10::PollRequest p10;
  p10.message_id = "5";
  p10.feed_name = "default";
  Reply r10 = c.send("/services/poll", p10);
  BOOST_TEST(r10.header("X-TAXII-Services") == std::string(urn::kServices10));
  BOOST_TEST_REQUIRE(r10.message.has_value());
  BOOST_TEST(r10.as<v10::PollResponse>().content_blocks.size() == 1u);
  // Keep-alive over TLS: several exchanges on one session.
  for (int i = 0; i < 5; ++i) BOOST_TEST(c.send("/services/poll", poll11("default")).status == 200);
}

BOOST_AUTO_TEST_CASE(client_certificate_is_required) {
  v11::DiscoveryRequest d;
  d.message_id = next_id();
  for (const bool rogue : {false, true}) {
    Client c(server.https_port(), client_context(server.pki(), rogue, rogue));
    bool refused = false;
    try {
      Reply r = c.send("/services/discovery", d);
      refused = r.status != 200;
    } catch (const Poco::Exception& e) {
      refused = true;  // the handshake fails: no (trusted) client certificate
      BOOST_TEST_MESSAGE("refused as expected: " << e.displayText());
    }
    BOOST_TEST(refused);
  }
  // The server keeps serving good clients.
  Client good(server.https_port(), client_context(server.pki(), true));
  BOOST_TEST(good.send("/services/discovery", d).status == 200);
}

BOOST_AUTO_TEST_CASE(protocol_header_checked_per_listener) {
  // The https id on the TLS listener is right; on the plain one it is UNSUPPORTED_PROTOCOL.
  Client plain(server.http_port());
  v11::DiscoveryRequest d;
  d.message_id = next_id();
  auto body = std::string(
      R"(<taxii_11:Discovery_Request xmlns:taxii_11="http://taxii.mitre.org/messages/taxii_xml_binding-1.1" message_id="p-1"/>)");
  Reply r = plain.post("/services/discovery", body, taxii_headers(Version::V11, true));
  BOOST_TEST(r.status_type() == "UNSUPPORTED_PROTOCOL");
  Client tls(server.https_port(), client_context(server.pki(), true));
  r = tls.post("/services/discovery", body, taxii_headers(Version::V11, true));
  BOOST_TEST_REQUIRE(r.message.has_value());
  BOOST_TEST(std::holds_alternative<v11::DiscoveryResponse>(*r.message));
  // The http id over TLS is tolerated (docs/server.md).
  r = tls.post("/services/discovery", body, taxii_headers(Version::V11, false));
  BOOST_TEST(r.status == 200);
  BOOST_TEST(r.status_type().empty());
}

BOOST_AUTO_TEST_CASE(tls_below_1_2_is_refused) {
  // openssl s_client with TLS 1.1 only must fail to handshake.
  const std::string cmd = "echo | timeout 10 openssl s_client -connect 127.0.0.1:" + std::to_string(server.https_port()) +
                          " -tls1_1 -CAfile " + server.pki().ca + " >/dev/null 2>&1";
  BOOST_TEST(std::system(cmd.c_str()) != 0);
  const std::string ok = "echo | timeout 10 openssl s_client -connect 127.0.0.1:" + std::to_string(server.https_port()) +
                         " -tls1_2 -CAfile " + server.pki().ca + " -cert " + server.pki().client_cert + " -key " +
                         server.pki().client_key + " -verify_return_error >/dev/null 2>&1";
  BOOST_TEST(std::system(ok.c_str()) == 0);
}

BOOST_AUTO_TEST_SUITE_END()
