#define BOOST_TEST_MODULE stix21
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <string>
#include <variant>

#include "stix21/cursor.hpp"
#include "stix21/envelope.hpp"
#include "stix21/query.hpp"
#include "stix21/timestamps.hpp"

using namespace taxii;
using namespace taxii::stix21;

namespace {

const char* const kIndicator =
    R"({"type":"indicator","spec_version":"2.1","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",)"
    R"("created":"2016-04-06T20:03:48.000Z","modified":"2016-04-06T20:03:48.000Z","pattern":"[a:b = 'c']",)"
    R"("pattern_type":"stix","valid_from":"2016-01-01T00:00:00Z"})";

std::string envelope_of(const std::string& objects) { return R"({"objects":[)" + objects + "]}"; }

std::vector<ObjectResult> parse_ok(const std::string& body, const EnvelopeLimits& limits = {}) {
  auto r = parse_envelope(body, limits);
  if (auto* e = std::get_if<EnvelopeError>(&r)) BOOST_FAIL("whole-body error: " << e->message);
  return std::get<std::vector<ObjectResult>>(std::move(r));
}

storage::NewObject one_ok(const std::string& object) {
  auto results = parse_ok(envelope_of(object));
  BOOST_TEST_REQUIRE(results.size() == 1u);
  if (auto* f = std::get_if<ObjectFailure>(&results[0])) BOOST_FAIL("refused: " << f->message);
  return std::get<storage::NewObject>(results[0]);
}

ObjectFailure one_failed(const std::string& object) {
  auto results = parse_ok(envelope_of(object));
  BOOST_TEST_REQUIRE(results.size() == 1u);
  BOOST_TEST_REQUIRE(std::holds_alternative<ObjectFailure>(results[0]), "accepted: " << object);
  return std::get<ObjectFailure>(results[0]);
}

EnvelopeError body_fails(const std::string& body, const EnvelopeLimits& limits = {}) {
  auto r = parse_envelope(body, limits);
  BOOST_TEST_REQUIRE(std::holds_alternative<EnvelopeError>(r), "accepted: " << body.substr(0, 200));
  return std::get<EnvelopeError>(r);
}

template <class T>
std::string why(const Result<T>& r) {
  return r.ok() ? std::string() : r.error().message();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(envelope)

BOOST_AUTO_TEST_CASE(accepts_an_indicator) {
  auto o = one_ok(kIndicator);
  BOOST_TEST(o.id == "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f");
  BOOST_TEST(o.type == "indicator");
  BOOST_TEST(o.spec_version == "2.1");
  BOOST_TEST(o.version == "2016-04-06T20:03:48.000Z");
  BOOST_TEST(o.version_key == "2016-04-06T20:03:48.000000000Z");
  BOOST_TEST(o.body == kIndicator);
  BOOST_TEST(o.digest.size() == 64u);
}

BOOST_AUTO_TEST_CASE(refuses_a_bundle_and_a_non_envelope) {
  BOOST_TEST(one_failed(R"({"type":"bundle","id":"bundle--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"})").message.find("bundle") !=
             std::string::npos);
  BOOST_TEST((body_fails("[]").kind == EnvelopeErrorKind::NotAnEnvelope));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(query)

BOOST_AUTO_TEST_CASE(decodes_percent_encoded_names) {
  auto q = parse_query("match%5Btype%5D=indicator,malware&limit=5", Endpoint::Objects);
  BOOST_TEST_REQUIRE(q.ok(), why(q));
  BOOST_TEST(q->query.types == (std::vector<std::string>{"indicator", "malware"}));
  BOOST_TEST(q->query.limit == 5u);
}

BOOST_AUTO_TEST_SUITE_END()
