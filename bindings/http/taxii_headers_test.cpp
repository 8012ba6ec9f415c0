// Unit tests of the X-TAXII-* header rules (taxii_headers.hpp).
#define BOOST_TEST_MODULE taxii_headers
#include <boost/test/unit_test.hpp>

#include "bindings/http/taxii_headers.hpp"
#include "core/urn.hpp"

using namespace taxii;
using namespace taxii::http;

namespace {
TaxiiHeaders good11() {
  TaxiiHeaders h;
  h.content_type = "application/xml";
  h.x_content_type = std::string(urn::kMessageXml11);
  h.x_protocol = std::string(urn::kProtocolHttp);
  h.x_services = std::string(urn::kServices11);
  h.x_accept = std::string(urn::kMessageXml11);
  return h;
}
StatusType type_of(const HeaderCheck& c) { return c.error->type(); }
}  // namespace

BOOST_AUTO_TEST_CASE(well_formed_headers_pass) {
  auto c = check_headers(good11(), false);
  BOOST_TEST(!c.error.has_value());
  BOOST_TEST(c.binding == &xml::xml11());
  auto h = good11();
  h.x_protocol.reset();  // inferred from the transport
  h.x_services.reset();
  h.content_type = "application/xml; charset=utf-8";
  h.x_accept = "urn:cert.europa.eu:message:json:1.0 " + std::string(urn::kMessageXml11);
  BOOST_TEST(!check_headers(h, false).error.has_value());
  h.x_protocol = std::string(urn::kProtocolHttp);
  BOOST_TEST(!check_headers(h, true).error.has_value());  // http id over TLS: tolerated
}

BOOST_AUTO_TEST_CASE(content_type_rules) {
  auto h = good11();
  h.x_content_type.reset();
  auto c = check_headers(h, false);
  BOOST_TEST(type_of(c) == StatusType::UnsupportedMessage);
  BOOST_TEST(c.error->details().size() == 2u);
  h.x_content_type = "urn:cert.europa.eu:message:json:1.0";
  BOOST_TEST(type_of(check_headers(h, false)) == StatusType::UnsupportedMessage);
  h = good11();
  h.content_type = "application/json";
  BOOST_TEST(type_of(check_headers(h, false)) == StatusType::UnsupportedMessage);
  BOOST_TEST(is_xml_media_type("application/taxii+xml"));
  BOOST_TEST(!is_xml_media_type("application/json"));
}

BOOST_AUTO_TEST_CASE(services_protocol_accept_rules) {
  auto h = good11();
  h.x_services = std::string(urn::kServices10);
  auto c = check_headers(h, false);
  BOOST_TEST(type_of(c) == StatusType::BadMessage);
  BOOST_TEST((c.answer_version == Version::V11));
  h = good11();
  h.x_protocol = std::string(urn::kProtocolHttps);
  c = check_headers(h, false);
  BOOST_TEST(type_of(c) == StatusType::UnsupportedProtocol);
  BOOST_TEST(c.error->details().at(0).value == std::string(urn::kProtocolHttp));
  BOOST_TEST(!check_headers(h, true).error.has_value());
  h = good11();
  h.x_accept = std::string(urn::kMessageXml10);
  BOOST_TEST(type_of(check_headers(h, false)) == StatusType::UnsupportedMessage);
  h = good11();
  h.accept = "application/json";
  BOOST_TEST(type_of(check_headers(h, false)) == StatusType::UnsupportedMessage);
  h.accept = "text/html, */*;q=0.1";
  BOOST_TEST(!check_headers(h, false).error.has_value());
}

BOOST_AUTO_TEST_CASE(answer_version_follows_the_headers) {
  TaxiiHeaders h;
  h.x_services = std::string(urn::kServices10);
  auto c = check_headers(h, false);
  BOOST_TEST((c.answer_version == Version::V10));
  h.x_content_type = std::string(urn::kMessageXml10);
  h.x_services = std::string(urn::kServices10);
  c = check_headers(h, false);
  BOOST_TEST(!c.error.has_value());
  BOOST_TEST(c.binding == &xml::xml10());
}
