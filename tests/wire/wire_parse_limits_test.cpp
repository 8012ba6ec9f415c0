// Parse limits and declared encodings over real HTTP (docs/security.md "Linear-time parsing"):
// a real taxiid on 127.0.0.1 with the default 10 MiB body limit.
//   - One element carrying 200,000 attributes (a 2.3 MB Discovery_Request) is a TAXII
//     Status_Message BAD_MESSAGE naming max_attributes within a few seconds (it held a worker
//     for over a minute before the limit and the hashed duplicate checks), and the server keeps
//     serving; so are 100,000 nested namespace declarations (max_namespace_declarations).
//   - A well-formed request whose XML declaration names UTF-7 or ISO-8859-1 is BAD_MESSAGE (it
//     was served, its bytes read as UTF-8: a parser differential); UTF-8 and US-ASCII are served.
//   - A configured limit (limits.max_attributes) is the one the server applies.
//   - `taxii validate` says INVALID for the same files, as quickly.
#define BOOST_TEST_MODULE wire_parse_limits
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "tests/cli/cli_runner.hpp"
#include "tests/wire/wire_support.hpp"

using namespace taxii;
using namespace taxii::wire;
using Clock = std::chrono::steady_clock;

namespace {

const std::string kNs11 = "http://taxii.mitre.org/messages/taxii_xml_binding-1.1";
const std::string kDiscovery = "<taxii_11:Discovery_Request xmlns:taxii_11=\"" + kNs11 + "\" message_id=\"d-1\"/>";

// The time bounds catch a blow-up (the quadratic path took over a minute), not a slowdown;
// sanitizer builds run the parser several times slower.
#if defined(__SANITIZE_ADDRESS__)
constexpr double kSlowdown = 4.0;
#else
constexpr double kSlowdown = 1.0;
#endif

// Finding 2's request: one Discovery_Request start tag with n attributes.
std::string many_attributes(size_t n) {
  std::string s = "<taxii_11:Discovery_Request xmlns:taxii_11=\"" + kNs11 + "\" message_id=\"a-1\"";
  s.reserve(n * 12 + 200);
  for (size_t i = 0; i < n; ++i) s += " a" + std::to_string(i) + "=\"1\"";
  return s + "/>";
}

// An Inbox_Message whose Content nests n elements each declaring one more prefix.
std::string nested_declarations(size_t n) {
  std::string p;
  for (size_t i = 0; i < n / 200; ++i) {
    p += "<n";
    for (size_t k = 0; k < 200; ++k) p += " xmlns:p" + std::to_string(i * 200 + k) + "=\"urn:x\"";
    p += ">";
  }
  for (size_t i = 0; i < n / 200; ++i) p += "</n>";
  return "<taxii_11:Inbox_Message xmlns:taxii_11=\"" + kNs11 +
         "\" message_id=\"n-1\"><taxii_11:Content_Block><taxii_11:Content_Binding binding_id=\"urn:stix.mitre.org:xml:1.2\"/>"
         "<taxii_11:Content>" + p + "</taxii_11:Content></taxii_11:Content_Block></taxii_11:Inbox_Message>";
}

std::string declared(const std::string& encoding) {
  return "<?xml version=\"1.0\" encoding=\"" + encoding + "\"?>\n" + kDiscovery;
}

struct Server {
  TaxiidProcess taxiid{[] {
    ServerSpec s;
    s.max_body_bytes = 10u << 20;  // taxiid's default
    s.threads = 2;
    return s;
  }()};
  ~Server() {
    const int status = taxiid.terminate();
    BOOST_TEST(status == 0, "taxiid exit status " << status << "\n" << taxiid.log());
  }
  // POSTs `body` to `path` with the TAXII 1.1 headers; the reply and how long it took.
  Reply post(const std::string& body, double* seconds, const std::string& path = "/services/discovery") {
    Client c(taxiid.http_port());
    c.session().setTimeout(Poco::Timespan(120, 0));
    const auto t0 = Clock::now();
    Reply r = c.post(path, body, taxii_headers(Version::V11));
    *seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    return r;
  }
  void expect_served() {
    double s = 0;
    Reply r = post(kDiscovery, &s);
    BOOST_TEST(r.status == 200);
    BOOST_TEST_REQUIRE(r.message.has_value(), r.parse_error << " " << r.body.substr(0, 300));
    BOOST_TEST(message_type_name(*r.message) == "Discovery_Response");
  }
};

void expect_bad_message(const Reply& r, const std::string& reason) {
  BOOST_TEST(r.status == 200);
  BOOST_TEST(r.status_type() == "BAD_MESSAGE", r.body.substr(0, 400));
  BOOST_TEST(r.status_text().find(reason) != std::string::npos, r.status_text());
}

// `taxii validate FILE`: exit status 1 and "FILE: INVALID <reason>", within `deadline`.
void expect_invalid(const std::string& file, const std::string& reason, double deadline) {
  const auto t0 = Clock::now();
  clitest::RunOptions o;
  o.deadline = std::chrono::seconds(60);
  const clitest::Run r = clitest::taxii_cli({"validate", file}, o);
  const double s = std::chrono::duration<double>(Clock::now() - t0).count();
  BOOST_TEST(r.code == 1, clitest::dump(r));
  BOOST_TEST(r.out.find(file + ": INVALID") != std::string::npos, clitest::dump(r));
  BOOST_TEST(r.out.find(reason) != std::string::npos, clitest::dump(r));
  BOOST_TEST(s < deadline * kSlowdown, "taxii validate took " << s << " s");
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(parse_limits, Server)

// Finding 2.
BOOST_AUTO_TEST_CASE(two_hundred_thousand_attributes_are_refused_quickly) {
  const std::string body = many_attributes(200'000);
  BOOST_TEST(body.size() > 2'000'000u);
  for (int round = 0; round < 2; ++round) {
    double s = 0;
    const Reply r = post(body, &s);
    expect_bad_message(r, "more than 256 attributes (limit max_attributes)");
    BOOST_TEST(r.in_response_to() == "a-1");  // the message_id is still read for the answer
    BOOST_TEST(s < 3.0 * kSlowdown, "answered in " << s << " s");
    BOOST_TEST_MESSAGE("200,000 attributes: BAD_MESSAGE in " << s * 1000 << " ms");
  }
  // Both workers at once, and the server still serves.
  std::vector<std::thread> senders;
  std::vector<double> times(2);
  std::vector<std::string> types(2);
  for (int i = 0; i < 2; ++i)
    senders.emplace_back([&, i] {
      const Reply r = post(body, &times[i]);
      types[i] = r.status_type();
    });
  for (auto& t : senders) t.join();
  for (int i = 0; i < 2; ++i) {
    BOOST_TEST(types[i] == "BAD_MESSAGE");
    BOOST_TEST(times[i] < 3.0 * kSlowdown, "answered in " << times[i] << " s");
  }
  expect_served();
}

BOOST_AUTO_TEST_CASE(nested_namespace_declarations_are_refused_quickly) {
  double s = 0;
  const Reply r = post(nested_declarations(100'000), &s, "/services/inbox");
  expect_bad_message(r, "more than 256 namespace declarations in scope (limit max_namespace_declarations)");
  BOOST_TEST(s < 3.0 * kSlowdown, "answered in " << s << " s");
  expect_served();
}

// Finding 6.
BOOST_AUTO_TEST_CASE(only_utf8_or_us_ascii_may_be_declared) {
  for (const std::string enc : {"UTF-7", "ISO-8859-1", "utf-16", "windows-1252"}) {
    BOOST_TEST_CONTEXT(enc) {
      double s = 0;
      expect_bad_message(post(declared(enc), &s), "encoding \"" + enc + "\": only UTF-8 (or US-ASCII)");
    }
  }
  // The UTF-7 spelling of "<" inside an attribute value: read as UTF-8 it is harmless text,
  // decoded as UTF-7 it would not be. Refused before either.
  double s = 0;
  expect_bad_message(post("<?xml version=\"1.0\" encoding=\"UTF-7\"?><taxii_11:Discovery_Request xmlns:taxii_11=\"" +
                              kNs11 + "\" message_id=\"+ADw-x\"/>",
                          &s),
                     "UTF-7");
  for (const std::string enc : {"UTF-8", "utf-8", "US-ASCII"}) {
    BOOST_TEST_CONTEXT(enc) {
      const Reply r = post(declared(enc), &s);
      BOOST_TEST_REQUIRE(r.message.has_value(), r.body.substr(0, 300));
      BOOST_TEST(message_type_name(*r.message) == "Discovery_Response");
    }
  }
}

BOOST_AUTO_TEST_CASE(taxii_validate_says_invalid) {
  const std::string dir = taxiid.dir().path();
  const std::string attrs = dir + "/attributes.xml", utf7 = dir + "/utf7.xml", latin1 = dir + "/latin1.xml",
                    ok = dir + "/ok.xml";
  clitest::spit(attrs, many_attributes(200'000));
  clitest::spit(utf7, declared("UTF-7"));
  clitest::spit(latin1, declared("ISO-8859-1"));
  clitest::spit(ok, declared("UTF-8"));
  expect_invalid(attrs, "more than 256 attributes (limit max_attributes)", 5.0);
  expect_invalid(utf7, "encoding \"UTF-7\": only UTF-8 (or US-ASCII)", 5.0);
  expect_invalid(latin1, "encoding \"ISO-8859-1\": only UTF-8 (or US-ASCII)", 5.0);
  const clitest::Run r = clitest::taxii_cli({"validate", ok});
  BOOST_TEST(r.code == 0, clitest::dump(r));
  BOOST_TEST(r.out.find(": OK Discovery_Request 1.1") != std::string::npos, clitest::dump(r));
}

BOOST_AUTO_TEST_SUITE_END()

// limits.max_attributes in the configuration is what the server applies.
BOOST_AUTO_TEST_CASE(a_configured_attribute_limit_applies) {
  ServerSpec spec;
  spec.limits_yaml = "  max_attributes: 16\n  max_namespace_declarations: 16\n";
  TaxiidProcess taxiid(spec);
  Client c(taxiid.http_port());
  Reply r = c.post("/services/discovery", many_attributes(15), taxii_headers(Version::V11));
  expect_bad_message(r, "more than 16 attributes (limit max_attributes)");
  r = c.post("/services/discovery", kDiscovery, taxii_headers(Version::V11));
  BOOST_TEST_REQUIRE(r.message.has_value(), r.body.substr(0, 300));
  BOOST_TEST(message_type_name(*r.message) == "Discovery_Response");
  BOOST_TEST(taxiid.terminate() == 0);
}
