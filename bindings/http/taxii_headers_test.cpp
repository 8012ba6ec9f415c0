// Unit tests of the X-TAXII-* header rules (taxii_headers.hpp).
#define BOOST_TEST_MODULE taxii_headers
#include <boost/test/unit_test.hpp>

#include "bindings/http/taxii_headers.hpp"
#include "core/urn.hpp"

using namespace taxii;
using namespace taxii::http;

namespace {
TaxiiHeaders good(Version v) {
  const bool v11 = v == Version::V11;
  TaxiiHeaders h;
  h.content_type = "application/xml";
  h.x_content_type = std::string(v11 ? urn::kMessageXml11 : urn::kMessageXml10);
  h.x_protocol = std::string(urn::kProtocolHttp);
  h.x_services = std::string(v11 ? urn::kServices11 : urn::kServices10);
  h.x_accept = *h.x_content_type;
  return h;
}
TaxiiHeaders good11() { return good(Version::V11); }
// The header field of TaxiiHeaders by its HTTP name.
std::optional<std::string>& field(TaxiiHeaders& h, const std::string& name) {
  if (name == "Content-Type") return h.content_type;
  if (name == "X-TAXII-Content-Type") return h.x_content_type;
  if (name == "X-TAXII-Services") return h.x_services;
  BOOST_TEST_REQUIRE(name == "X-TAXII-Protocol");
  return h.x_protocol;
}
StatusType type_of(const HeaderCheck& c) { return c.error->type(); }
}  // namespace

BOOST_AUTO_TEST_CASE(well_formed_headers_pass) {
  auto c = check_headers(good11(), false);
  BOOST_TEST(!c.error.has_value());
  BOOST_TEST(c.binding == &xml::xml11());
  auto h = good11();
  h.x_accept.reset();  // optional (HTTP 1.0 §2.1.3), as Accept is
  h.content_type = "application/xml; charset=utf-8";
  BOOST_TEST(!check_headers(h, false).error.has_value());
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
  c = check_headers(good(Version::V10), false);
  BOOST_TEST(!c.error.has_value());
  BOOST_TEST(c.binding == &xml::xml10());
}

// HTTP 1.0 §2 (Table 1): Content-Type, X-TAXII-Content-Type, X-TAXII-Protocol and
// X-TAXII-Services on every request. Absent (or empty): refused like a wrong value, in the
// request's version, with a message that names the header.
BOOST_AUTO_TEST_CASE(every_required_header_missing_is_refused_in_the_requests_version) {
  struct Case {
    const char* header;
    StatusType type;
    const char* detail;  // the detail the answer carries
  };
  const Case cases[] = {{"Content-Type", StatusType::UnsupportedMessage, detail_name::kSupportedBinding.data()},
                        {"X-TAXII-Content-Type", StatusType::UnsupportedMessage, detail_name::kSupportedBinding.data()},
                        {"X-TAXII-Services", StatusType::BadMessage, nullptr},
                        {"X-TAXII-Protocol", StatusType::UnsupportedProtocol, detail_name::kSupportedProtocol.data()}};
  for (const Version v : {Version::V11, Version::V10}) {
    for (const Case& k : cases) {
      for (const char* value : {"(absent)", "", "  "}) {
        auto h = good(v);
        if (std::string(value) == "(absent)") field(h, k.header).reset();
        else field(h, k.header) = value;
        const auto c = check_headers(h, false);
        BOOST_TEST_CONTEXT(k.header << " = '" << value << "' in " << (v == Version::V11 ? "1.1" : "1.0")) {
          BOOST_TEST_REQUIRE(c.error.has_value());
          BOOST_TEST(type_of(c) == k.type);
          BOOST_TEST((c.answer_version == v));
          BOOST_TEST(c.error->message().find(k.header) != std::string::npos, c.error->message());
          BOOST_TEST(c.error->message().find("missing") != std::string::npos, c.error->message());
          if (k.detail != nullptr) {
            BOOST_TEST_REQUIRE(!c.error->details().empty());
            BOOST_TEST(c.error->details().at(0).name == k.detail);
          }
        }
      }
    }
  }
  // Over TLS the missing protocol's detail names the https binding.
  auto h = good11();
  h.x_protocol.reset();
  const auto c = check_headers(h, true);
  BOOST_TEST_REQUIRE(c.error.has_value());
  BOOST_TEST(c.error->details().at(0).value == std::string(urn::kProtocolHttps));
}

BOOST_AUTO_TEST_CASE(lenient_mode_infers_what_is_missing) {
  for (const Version v : {Version::V11, Version::V10}) {
    for (const char* header : {"Content-Type", "X-TAXII-Services", "X-TAXII-Protocol"}) {
      auto h = good(v);
      field(h, header).reset();
      BOOST_TEST(check_headers(h, false).error.has_value(), header);  // strict is the default
      BOOST_TEST(check_headers(h, false, HeaderMode::Strict).error.has_value(), header);
      const auto c = check_headers(h, false, HeaderMode::Lenient);
      BOOST_TEST(!c.error.has_value(), header);
      BOOST_TEST((c.answer_version == v));
    }
    // All three at once: only X-TAXII-Content-Type (as before the strict rules).
    TaxiiHeaders bare;
    bare.x_content_type = good(v).x_content_type;
    const auto c = check_headers(bare, false, HeaderMode::Lenient);
    BOOST_TEST(!c.error.has_value());
    BOOST_TEST(c.binding == (v == Version::V11 ? &xml::xml11() : &xml::xml10()));
  }
  // Lenient is about absent headers only: wrong values, a missing X-TAXII-Content-Type and a
  // foreign charset are refused as in strict mode.
  auto h = good11();
  h.x_content_type.reset();
  BOOST_TEST(type_of(check_headers(h, false, HeaderMode::Lenient)) == StatusType::UnsupportedMessage);
  h = good11();
  h.x_services = std::string(urn::kServices10);
  BOOST_TEST(type_of(check_headers(h, false, HeaderMode::Lenient)) == StatusType::BadMessage);
  h = good11();
  h.x_protocol = std::string(urn::kProtocolHttps);
  BOOST_TEST(type_of(check_headers(h, false, HeaderMode::Lenient)) == StatusType::UnsupportedProtocol);
  h = good11();
  h.content_type = "application/xml; charset=UTF-7";
  BOOST_TEST(type_of(check_headers(h, false, HeaderMode::Lenient)) == StatusType::UnsupportedMessage);
}

BOOST_AUTO_TEST_CASE(only_utf8_or_ascii_charsets) {
  for (const char* ok : {"application/xml", "application/xml;charset=utf-8", "application/xml; charset=UTF-8",
                         "application/xml; Charset=\"utf-8\"", "text/xml; charset=US-ASCII",
                         "application/xml; foo=bar; charset=utf-8", "application/xml;;", "application/xml; q",
                         "application/xml; foo=\"a;charset=utf-7\"", "application/xml; charset = utf-8 "}) {
    BOOST_TEST(utf8_charset(ok), ok);
    auto h = good11();
    h.content_type = ok;
    BOOST_TEST(!check_headers(h, false).error.has_value(), ok);
  }
  for (const char* bad : {"application/xml; charset=UTF-7", "application/xml; charset=\"utf-16\"",
                          "application/xml; charset=iso-8859-1", "application/xml; charset=",
                          "application/xml; charset", "application/xml; charset=\"utf-8",
                          "application/xml; charset=utf-8; charset=utf-7", "application/xml; charset=utf8",
                          "application/xml; CHARSET=ebcdic-cp-us"}) {
    BOOST_TEST(!utf8_charset(bad), bad);
    for (const Version v : {Version::V11, Version::V10}) {
      auto h = good(v);
      h.content_type = bad;
      const auto c = check_headers(h, false);
      BOOST_TEST_REQUIRE(c.error.has_value(), bad);
      BOOST_TEST(type_of(c) == StatusType::UnsupportedMessage);
      BOOST_TEST((c.answer_version == v));
      BOOST_TEST(c.error->message().find("charset") != std::string::npos, c.error->message());
    }
  }
}
