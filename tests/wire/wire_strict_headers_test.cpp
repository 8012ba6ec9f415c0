// Wire tests of the headers every TAXII request must carry (HTTP 1.0 §2, Table 1): a real
// taxiid on 127.0.0.1 refuses a POST without Content-Type, X-TAXII-Content-Type,
// X-TAXII-Services or X-TAXII-Protocol, 1.1 and 1.0, with a Status_Message in the request's
// version that names the missing header, in an HTTP 200 (HTTP 1.0 §4), and does nothing else
// (an Inbox_Message so refused stores nothing). A Content-Type charset other than utf-8 /
// us-ascii is refused the same way. The same requests are served by a taxiid configured with
// `http.lenient_headers: true`, except a missing X-TAXII-Content-Type (never sniffed) and the
// foreign charset.
#define BOOST_TEST_MODULE wire_strict_headers
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <string>

#include "bindings/xml/message_binding.hpp"
#include "core/urn.hpp"
#include "tests/wire/wire_support.hpp"

using namespace taxii;
using namespace taxii::wire;
using namespace taxii::wire::raw;

namespace {

const std::string& discovery(Version v) { return v == Version::V11 ? kDiscovery11 : kDiscovery10; }
const char* id_of(Version v) { return v == Version::V11 ? "d-1" : "10"; }
const char* name_of(Version v) { return v == Version::V11 ? "1.1" : "1.0"; }

// A header left out, and what a strict taxiid answers.
struct Missing {
  const char* header;
  const char* status_type;
};
const Missing kMissing[] = {{"X-TAXII-Services", "BAD_MESSAGE"},
                            {"Content-Type", "UNSUPPORTED_MESSAGE"},
                            {"X-TAXII-Content-Type", "UNSUPPORTED_MESSAGE"},
                            {"X-TAXII-Protocol", "UNSUPPORTED_PROTOCOL"}};

// A TAXII Status_Message of `type` in an HTTP 200, in version v, answering `in_response_to`,
// whose text contains `names`.
void check_refusal(const Reply& r, const std::string& type, Version v, const std::string& in_response_to,
                   const std::string& names) {
  BOOST_TEST(r.status == 200);
  BOOST_TEST(r.header("X-TAXII-Content-Type") == std::string(v == Version::V11 ? urn::kMessageXml11 : urn::kMessageXml10));
  BOOST_TEST(r.header("X-TAXII-Services") == std::string(v == Version::V11 ? urn::kServices11 : urn::kServices10));
  BOOST_TEST(r.header("X-TAXII-Protocol") == std::string(urn::kProtocolHttp));
  BOOST_TEST_REQUIRE(r.message.has_value(), r.parse_error + " / " + r.body);
  BOOST_TEST((version_of(*r.message) == v));
  BOOST_TEST(r.status_type() == type, r.body);
  BOOST_TEST(r.in_response_to() == in_response_to);
  BOOST_TEST(r.status_text().find(names) != std::string::npos, r.status_text());
}

void check_discovery_response(const Reply& r, Version v) {
  BOOST_TEST(r.status == 200);
  BOOST_TEST_REQUIRE(r.message.has_value(), r.parse_error + " / " + r.body);
  if (v == Version::V11) BOOST_TEST(std::holds_alternative<v11::DiscoveryResponse>(*r.message), r.body);
  else BOOST_TEST(std::holds_alternative<v10::DiscoveryResponse>(*r.message), r.body);
  BOOST_TEST(r.in_response_to() == id_of(v));
}

// One taxiid, strict (the default) or lenient, stopped cleanly at the end.
struct Server {
  TaxiidProcess server;
  Client client{server.http_port()};
  explicit Server(bool lenient)
      : server([lenient] {
          ServerSpec s;
          if (lenient) s.extra_yaml = "http:\n  lenient_headers: true\n";
          return s;
        }()) {}
  ~Server() {
    const int status = server.terminate();
    BOOST_TEST(status == 0, "taxiid exit status " << status << "\n" << server.log());
  }
  // The number of blocks in collection "set" (a 1.1 poll with complete headers).
  std::size_t blocks_in_set() {
    Reply r = client.send("/services/poll", poll11("set"));
    BOOST_TEST_REQUIRE(r.message.has_value(), r.body);
    BOOST_TEST_REQUIRE(std::holds_alternative<v11::PollResponse>(*r.message), r.body);
    return r.as<v11::PollResponse>().content_blocks.size();
  }
};

struct Strict : Server {
  Strict() : Server(false) {}
};
struct Lenient : Server {
  Lenient() : Server(true) {}
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(strict, Strict)

BOOST_AUTO_TEST_CASE(complete_headers_are_served) {
  BOOST_TEST(server.log().find("lenient_headers") == std::string::npos);
  for (const Version v : {Version::V11, Version::V10})
    check_discovery_response(client.post("/services/discovery", discovery(v), taxii_headers(v)), v);
}

BOOST_AUTO_TEST_CASE(each_missing_header_is_refused_in_the_requests_version) {
  for (const Version v : {Version::V11, Version::V10}) {
    for (const Missing& m : kMissing) {
      BOOST_TEST_CONTEXT(m.header << " left out of a " << name_of(v) << " request") {
        const Reply r = client.post("/services/discovery", discovery(v), without(taxii_headers(v), m.header));
        check_refusal(r, m.status_type, v, id_of(v), std::string(m.header) + " is missing");
      }
    }
  }
  // The connection stays usable, and a complete request after them is served.
  check_discovery_response(client.post("/services/discovery", kDiscovery11, taxii_headers(Version::V11)), Version::V11);
}

BOOST_AUTO_TEST_CASE(an_empty_header_counts_as_missing) {
  const Reply r = client.post("/services/discovery", kDiscovery11, with(taxii_headers(Version::V11), "X-TAXII-Services", ""));
  check_refusal(r, "BAD_MESSAGE", Version::V11, "d-1", "X-TAXII-Services is missing");
}

BOOST_AUTO_TEST_CASE(a_refused_inbox_message_stores_nothing) {
  const auto m = inbox11({"set"}, {Mixed::text("must not be stored")}, "urn:example:binding");
  const std::string body = *xml::serialize_any(m);
  for (const char* header : {"X-TAXII-Services", "Content-Type", "X-TAXII-Protocol"}) {
    const Reply r = client.post("/services/inbox", body, without(taxii_headers(Version::V11), header));
    BOOST_TEST(r.status_type() != "SUCCESS", header);
    BOOST_TEST(r.in_response_to() == m.message_id);
  }
  BOOST_TEST(blocks_in_set() == 0u);
  // Control: the same message with every header is stored.
  BOOST_TEST(client.post("/services/inbox", body, taxii_headers(Version::V11)).status_type() == "SUCCESS");
  BOOST_TEST(blocks_in_set() == 1u);
}

BOOST_AUTO_TEST_CASE(only_utf8_or_ascii_charsets) {
  for (const Version v : {Version::V11, Version::V10}) {
    for (const char* ct : {"application/xml; charset=UTF-7", "application/xml; charset=\"utf-16\"",
                           "application/xml; charset=utf-8; charset=iso-8859-1"}) {
      BOOST_TEST_CONTEXT(ct << " in a " << name_of(v) << " request") {
        const Reply r = client.post("/services/discovery", discovery(v), with(taxii_headers(v), "Content-Type", ct));
        check_refusal(r, "UNSUPPORTED_MESSAGE", v, id_of(v), "charset");
      }
    }
    for (const char* ct : {"application/xml; charset=utf-8", "application/xml; charset=\"US-ASCII\""})
      check_discovery_response(client.post("/services/discovery", discovery(v), with(taxii_headers(v), "Content-Type", ct)), v);
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(lenient, Lenient)

BOOST_AUTO_TEST_CASE(missing_headers_are_inferred) {
  BOOST_TEST(server.log().find("lenient_headers") != std::string::npos, "a warning at start-up");
  for (const Version v : {Version::V11, Version::V10}) {
    for (const Missing& m : kMissing) {
      if (std::string(m.header) == "X-TAXII-Content-Type") continue;
      BOOST_TEST_CONTEXT(m.header << " left out of a " << name_of(v) << " request") {
        check_discovery_response(client.post("/services/discovery", discovery(v), without(taxii_headers(v), m.header)), v);
      }
    }
    // Only X-TAXII-Content-Type, as libtaxii-era clients sent.
    BOOST_TEST_CONTEXT("only X-TAXII-Content-Type in a " << name_of(v) << " request") {
      const Headers bare{{"X-TAXII-Content-Type", std::string(v == Version::V11 ? urn::kMessageXml11 : urn::kMessageXml10)}};
      check_discovery_response(client.post("/services/discovery", discovery(v), bare), v);
    }
  }
  const auto m = inbox11({"set"}, {Mixed::text("stored")}, "urn:example:binding");
  const Reply r = client.post("/services/inbox", *xml::serialize_any(m), without(taxii_headers(Version::V11), "X-TAXII-Services"));
  BOOST_TEST(r.status_type() == "SUCCESS", r.body);
  BOOST_TEST(blocks_in_set() == 1u);
}

BOOST_AUTO_TEST_CASE(what_lenient_does_not_restore) {
  for (const Version v : {Version::V11, Version::V10}) {
    // HTTP 1.0 §2.1.4: without X-TAXII-Content-Type the body is not a TAXII message.
    check_refusal(client.post("/services/discovery", discovery(v), without(taxii_headers(v), "X-TAXII-Content-Type")),
                  "UNSUPPORTED_MESSAGE", v, id_of(v), "X-TAXII-Content-Type is missing");
    check_refusal(client.post("/services/discovery", discovery(v),
                              with(taxii_headers(v), "Content-Type", "application/xml; charset=UTF-7")),
                  "UNSUPPORTED_MESSAGE", v, id_of(v), "charset");
  }
}

BOOST_AUTO_TEST_SUITE_END()
