#define BOOST_TEST_MODULE stix21
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "stix21/cursor.hpp"
#include "stix21/envelope.hpp"
#include "stix21/query.hpp"
#include "stix21/timestamps.hpp"

#include "core/timestamp.hpp"

using namespace taxii;
using namespace taxii::stix21;

namespace {

const char* const kIndicator =
    R"({"type":"indicator","spec_version":"2.1","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",)"
    R"("created":"2016-04-06T20:03:48.000Z","modified":"2016-04-06T20:03:48.000Z","pattern":"[a:b = 'c']",)"
    R"("pattern_type":"stix","valid_from":"2016-01-01T00:00:00Z"})";

// An SDO with the given extra members spliced in after the common ones.
std::string sdo(const std::string& extra = "") {
  std::string s = R"({"type":"malware","spec_version":"2.1","id":"malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b",)"
                  R"("created":"2019-01-01T00:00:00.000Z","modified":"2019-01-02T00:00:00.000Z","is_family":false)";
  if (!extra.empty()) s += "," + extra;
  return s + "}";
}

template <class F>
double seconds_of(F&& f) {
  const auto start = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

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

// ---------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(timestamps)

BOOST_AUTO_TEST_CASE(parses_any_fraction_and_keys_by_instant) {
  auto t = parse_stix_timestamp("2016-04-06T20:03:48.123Z");
  BOOST_TEST_REQUIRE(t.has_value());
  BOOST_TEST(t->seconds == 1459973028);
  BOOST_TEST(t->nanos == 123000000u);
  BOOST_TEST(t->fraction_digits == 3);
  BOOST_TEST(*stix_version_key("2016-04-06T20:03:48Z") == "2016-04-06T20:03:48.000000000Z");
  BOOST_TEST(*stix_version_key("2016-04-06T20:03:48.1Z") == *stix_version_key("2016-04-06T20:03:48.100Z"));
  BOOST_TEST(*stix_version_key("2016-04-06T20:03:48.123456789Z") == "2016-04-06T20:03:48.123456789Z");
  BOOST_TEST(*stix_version_key("0000-01-01T00:00:00Z") == "0000-01-01T00:00:00.000000000Z");
  BOOST_TEST(*stix_version_key("9999-12-31T23:59:59.999999999Z") == "9999-12-31T23:59:59.999999999Z");
  BOOST_TEST(stix_version_key("2016-02-29T00:00:00Z").has_value());  // leap year
  // Keys sort as the instants do.
  BOOST_TEST(*stix_version_key("2016-04-06T20:03:48.9Z") < *stix_version_key("2016-04-06T20:03:49Z"));
  BOOST_TEST(*stix_version_key("1999-12-31T23:59:59.999Z") < *stix_version_key("2000-01-01T00:00:00Z"));
}

BOOST_AUTO_TEST_CASE(more_than_nine_digits_only_when_the_rest_is_zero) {
  BOOST_TEST(*stix_version_key("2016-04-06T20:03:48.1234567890000Z") == "2016-04-06T20:03:48.123456789Z");
  BOOST_TEST(!stix_version_key("2016-04-06T20:03:48.1234567891Z").has_value());
}

BOOST_AUTO_TEST_CASE(refuses_what_stix_refuses) {
  for (const char* bad : {"2016-04-06t20:03:48Z", "2016-04-06T20:03:48z", "2016-04-06T20:03:48",
                          "2016-04-06T20:03:48+00:00", "2016-04-06T20:03:48.Z", "2016-04-06T24:00:00Z",
                          "2016-02-30T00:00:00Z", "2015-02-29T00:00:00Z", "2016-04-06T20:03:60Z",
                          "2016-04-06T20:60:00Z", "2016-13-01T00:00:00Z", "2016-04-06 20:03:48Z",
                          "2016-04-06T20:03:48ZZ", "2016-04-06T20:03:48.1Z ", " 2016-04-06T20:03:48Z",
                          "16-04-06T20:03:48Z", "", "Z", "2016-04-06T20:03:48.1a2Z"}) {
    BOOST_TEST(!parse_stix_timestamp(bad).has_value(), bad);
  }
}

BOOST_AUTO_TEST_CASE(taxii_timestamps_have_microseconds_in_utc) {
  BOOST_TEST(format_taxii_timestamp(Timestamp::from_micros(1459973028000001)) == "2016-04-06T20:03:48.000001Z");
  // A Timestamp carrying a zone is still written in UTC.
  BOOST_TEST(format_taxii_timestamp(Timestamp::from_micros(0, 120)) == "1970-01-01T00:00:00.000000Z");
}

BOOST_AUTO_TEST_CASE(added_after_takes_zero_to_nine_digits) {
  BOOST_TEST(parse_added_after("2016-04-06T20:03:48Z")->micros() == 1459973028000000);
  BOOST_TEST(parse_added_after("2016-04-06T20:03:48.5Z")->micros() == 1459973028500000);
  BOOST_TEST(parse_added_after("2016-04-06T20:03:48.000001999Z")->micros() == 1459973028000001);
  BOOST_TEST(!parse_added_after("2016-04-06T20:03:48+01:00").has_value());
  BOOST_TEST(!parse_added_after("yesterday").has_value());
  BOOST_TEST(timestamp_of_version_key("2016-04-06T20:03:48.000001000Z")->micros() == 1459973028000001);
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------
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

BOOST_AUTO_TEST_CASE(body_is_minified_and_keeps_member_order_and_text) {
  auto o = one_ok(" { \"type\" : \"x-thing\",\n \"id\" : \"x-thing--31b940d4-6f7f-459a-80ea-9c1f17b5891b\" ,"
                  " \"x_name\": \"caf\xC3\xA9 \\u00e9\", \"x_list\": [ 1 , 2.5 , true , null ] } ");
  BOOST_TEST(o.body == "{\"type\":\"x-thing\",\"id\":\"x-thing--31b940d4-6f7f-459a-80ea-9c1f17b5891b\","
                       "\"x_name\":\"caf\xC3\xA9 \xC3\xA9\",\"x_list\":[1,2.5,true,null]}");
  // A custom type without created/modified is an SCO by shape: spec_version 2.1, no version.
  BOOST_TEST(o.spec_version == "2.1");
  BOOST_TEST(o.version.empty());
  BOOST_TEST(o.version_key.empty());
}

BOOST_AUTO_TEST_CASE(digest_ignores_order_escapes_and_number_spelling) {
  const auto a = one_ok(sdo(R"("x_a":{"p":1,"q":[1.0,"A",-0.0,1e2]},"name":"n")"));
  const auto b = one_ok(R"({"name":"n","x_a":{"q":[1,"\u0041",0,100],"p":1.0},"is_family":false,)"
                        R"("modified":"2019-01-02T00:00:00.000Z","created":"2019-01-01T00:00:00.000Z",)"
                        R"("id":"malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b","spec_version":"2.1","type":"malware"})");
  BOOST_TEST(a.digest == b.digest);
  BOOST_TEST(a.body != b.body);
  // Content differences change it: a value, list order, a type (1 vs "1"), an extra member.
  BOOST_TEST(one_ok(sdo(R"("x_a":{"p":2,"q":[1.0,"A",-0.0,1e2]},"name":"n")")).digest != a.digest);
  BOOST_TEST(one_ok(sdo(R"("x_a":{"p":1,"q":["A",1.0,-0.0,1e2]},"name":"n")")).digest != a.digest);
  BOOST_TEST(one_ok(sdo(R"("x_a":{"p":"1","q":[1.0,"A",-0.0,1e2]},"name":"n")")).digest != a.digest);
  BOOST_TEST(one_ok(sdo(R"("x_a":{"p":1,"q":[1.0,"A",-0.0,1e2]},"name":"n","x_b":null)")).digest != a.digest);
  BOOST_TEST(one_ok(sdo(R"("x_f":0.1)")).digest != one_ok(sdo(R"("x_f":0.2)")).digest);
}

BOOST_AUTO_TEST_CASE(reparsing_a_body_gives_the_same_object) {
  const auto a = one_ok(sdo(R"("x_f":[0.1,1e300,-2.5e-7,18446744073709551615,-9223372036854775808],"x_s":"\ud83d\ude00\n")"));
  const auto r = parse_object(a.body);
  BOOST_TEST_REQUIRE(std::holds_alternative<storage::NewObject>(r));
  const auto& b = std::get<storage::NewObject>(r);
  BOOST_TEST(b.body == a.body);
  BOOST_TEST(b.digest == a.digest);
  BOOST_TEST(b.version_key == a.version_key);
}

BOOST_AUTO_TEST_CASE(versions_per_kind) {
  // SDO: modified.
  BOOST_TEST(one_ok(sdo()).version == "2019-01-02T00:00:00.000Z");
  // Marking definition: created, no modified allowed (STIX 2.1 §7.2.1).
  const std::string marking =
      R"({"type":"marking-definition","spec_version":"2.1","id":"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",)"
      R"("created":"2017-01-20T00:00:00.000Z","definition_type":"tlp","definition":{"tlp":"white"})";
  const auto m = one_ok(marking + "}");
  BOOST_TEST(m.version == "2017-01-20T00:00:00.000Z");
  BOOST_TEST(m.version_key == "2017-01-20T00:00:00.000000000Z");
  BOOST_TEST(one_failed(marking + R"(,"modified":"2017-01-21T00:00:00.000Z"})").message.find("modified") != std::string::npos);
  // SCO: no spec_version needed, no version.
  const auto ip = one_ok(R"({"type":"ipv4-addr","id":"ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd","value":"198.51.100.3"})");
  BOOST_TEST(ip.spec_version == "2.1");
  BOOST_TEST(ip.version.empty());
  // An SCO that carries versioning properties is versioned by modified (STIX 2.1 §3.6).
  const auto vip = one_ok(R"({"type":"ipv4-addr","id":"ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd","value":"198.51.100.3",)"
                          R"("created":"2020-01-01T00:00:00.000Z","modified":"2020-01-02T00:00:00.0000Z"})");
  BOOST_TEST(vip.version == "2020-01-02T00:00:00.0000Z");
  BOOST_TEST(vip.version_key == "2020-01-02T00:00:00.000000000Z");
  // A custom type with created is an SDO by shape: modified required.
  BOOST_TEST(one_failed(R"({"type":"x-thing","spec_version":"2.1","id":"x-thing--31b940d4-6f7f-459a-80ea-9c1f17b5891b",)"
                        R"("created":"2020-01-01T00:00:00.000Z"})").message.find("modified is required") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(spec_version_rules) {
  const std::string no_sv = R"({"type":"malware","id":"malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b",)"
                            R"("created":"2019-01-01T00:00:00.000Z","modified":"2019-01-01T00:00:00.000Z"})";
  BOOST_TEST(one_failed(no_sv).message.find("spec_version is required") != std::string::npos);
  BOOST_TEST(one_failed(sdo().replace(sdo().find("2.1"), 3, "2.0")).message.find("not accepted") != std::string::npos);
  BOOST_TEST(one_failed(sdo().replace(sdo().find("\"2.1\""), 5, "2.1")).message.find("must be a string") != std::string::npos);
  EnvelopeLimits both;
  both.spec_versions = {"2.0", "2.1"};
  const auto r = parse_ok(envelope_of(no_sv), both);
  BOOST_TEST_REQUIRE(std::holds_alternative<storage::NewObject>(r[0]));
  BOOST_TEST(std::get<storage::NewObject>(r[0]).spec_version == "2.0");
}

BOOST_AUTO_TEST_CASE(created_and_modified_rules) {
  auto with = [](const std::string& created, const std::string& modified) {
    std::string s = R"({"type":"malware","spec_version":"2.1","id":"malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b")";
    if (!created.empty()) s += R"(,"created":")" + created + "\"";
    if (!modified.empty()) s += R"(,"modified":")" + modified + "\"";
    return s + "}";
  };
  BOOST_TEST(one_failed(with("", "2019-01-01T00:00:00.000Z")).message.find("created is required") != std::string::npos);
  BOOST_TEST(one_failed(with("2019-01-01T00:00:00.000Z", "")).message.find("modified is required") != std::string::npos);
  BOOST_TEST(one_failed(with("2019-01-01T00:00:00Z", "2019-01-01T00:00:00.000Z")).message.find("millisecond") != std::string::npos);
  BOOST_TEST(one_failed(with("2019-01-01T00:00:00.000Z", "2019-01-01T00:00:00.00Z")).message.find("millisecond") != std::string::npos);
  BOOST_TEST(one_failed(with("2019-01-01T00:00:00.000+00:00", "2019-01-01T00:00:00.000Z")).message.find("STIX timestamp") != std::string::npos);
  BOOST_TEST(one_failed(with("2019-01-02T00:00:00.000Z", "2019-01-01T23:59:59.999Z")).message.find("earlier") != std::string::npos);
  // Equal instants in different spellings are fine (modified == created).
  BOOST_TEST(one_ok(with("2019-01-02T00:00:00.100Z", "2019-01-02T00:00:00.1000Z")).version_key == "2019-01-02T00:00:00.100000000Z");
}

BOOST_AUTO_TEST_CASE(type_and_id_rules) {
  auto obj = [](const std::string& type, const std::string& id) {
    return R"({"type":")" + type + R"(","id":")" + id + R"(","x_v":1})";
  };
  const std::string uuid = "31b940d4-6f7f-459a-80ea-9c1f17b5891b";
  BOOST_TEST(one_ok(obj("x-a1-b", "x-a1-b--" + uuid)).type == "x-a1-b");
  BOOST_TEST(one_ok(obj("x-thing", "x-thing--31B940D4-6F7F-459A-80EA-9C1F17B5891B")).id.size() == 45u);
  for (const std::string& bad_type : {std::string("ab"), std::string("X-thing"), std::string("1thing"),
                                      std::string("x--thing"), std::string("x_thing"), std::string(251, 'a')}) {
    BOOST_TEST(one_failed(obj(bad_type, bad_type + "--" + uuid)).message.find("type must be") != std::string::npos, bad_type);
  }
  BOOST_TEST(one_ok(obj(std::string(250, 'a'), std::string(250, 'a') + "--" + uuid)).type.size() == 250u);
  BOOST_TEST(one_failed(obj("x-thing", "x-other--" + uuid)).message.find("start with the object's type") != std::string::npos);
  // Any version digit (STIX 2.1 §2.9 only SHOULDs v4/v5), but the RFC 4122 variant.
  BOOST_TEST(one_ok(obj("x-thing", "x-thing--31b940d4-6f7f-059a-80ea-9c1f17b5891b")).id.size() == 45u);
  BOOST_TEST(one_ok(obj("x-thing", "x-thing--31b940d4-6f7f-f59a-b0ea-9c1f17b5891b")).id.size() == 45u);
  for (const std::string& bad_id : std::vector<std::string>{"x-thing--31b940d4-6f7f-459a-c0ea-9c1f17b5891b",
                                    "x-thing--31b940d4-6f7f-459a-70ea-9c1f17b5891b",  // variants
                                    "x-thing--31b940d46f7f-459a-80ea-9c1f17b5891b0", "x-thing-" + uuid,
                                    "x-thing--" + uuid + "0", "x-thing--31b940d4-6f7f-459a-80ea-9c1f17b5891g"}) {
    BOOST_TEST(one_failed(obj("x-thing", bad_id)).message.find("id must be") != std::string::npos, bad_id);
  }
  BOOST_TEST(one_failed(R"({"id":"x-thing--)" + uuid + R"("})").message.find("type is missing") != std::string::npos);
  BOOST_TEST(one_failed(R"({"type":"x-thing"})").message.find("id is missing") != std::string::npos);
  BOOST_TEST(one_failed(R"({"type":7,"id":"x"})").message.find("type must be a string") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(property_names) {
  BOOST_TEST(one_ok(sdo(R"("x_acme_field":1,"abc":2)")).id.size() > 0u);
  for (const char* bad : {R"("Name":1)", R"("ab":1)", R"("x-acme":1)", R"("1abc":1)", R"("_abc":1)", R"("caf\u00e9":1)"}) {
    BOOST_TEST(one_failed(sdo(bad)).message.find("property name") != std::string::npos, bad);
  }
  // Names inside values (dictionaries such as hashes) follow their own rules: not checked.
  BOOST_TEST(one_ok(sdo(R"("x_hashes":{"SHA-256":"00"})")).id.size() > 0u);
}

BOOST_AUTO_TEST_CASE(references_are_identifiers) {
  const std::string ref = "identity--31b940d4-6f7f-459a-80ea-9c1f17b5891b";
  BOOST_TEST(one_ok(sdo(R"("created_by_ref":")" + ref + R"(","object_marking_refs":[")" + ref + "\"]")).id.size() > 0u);
  BOOST_TEST(one_failed(sdo(R"("created_by_ref":"alice")")).message.find("created_by_ref") != std::string::npos);
  BOOST_TEST(one_failed(sdo(R"("created_by_ref":7)")).message.find("_ref property") != std::string::npos);
  BOOST_TEST(one_failed(sdo(R"("object_marking_refs":[])")).message.find("empty") != std::string::npos);
  BOOST_TEST(one_failed(sdo(R"("object_marking_refs":[")" + ref + R"(","x"])")).message.find("identifiers") != std::string::npos);
  BOOST_TEST(one_failed(sdo(R"("object_marking_refs":")" + ref + "\"")).message.find("list") != std::string::npos);
  // Nested: granular_markings[].marking_ref.
  const auto f = one_failed(sdo(R"("granular_markings":[{"marking_ref":"nope","selectors":["name"]}])"));
  BOOST_TEST(f.message.find("granular_markings.marking_ref") != std::string::npos, f.message);
  // observed-data's deprecated `objects` use dictionary keys as references (STIX 2.1 §4.13).
  const std::string observed =
      R"({"type":"observed-data","spec_version":"2.1","id":"observed-data--b67d30ff-02ac-498a-92f9-32f845f448cf",)"
      R"("created":"2016-04-06T19:58:16.000Z","modified":"2016-04-06T19:58:16.000Z","first_observed":"2015-12-21T19:00:00Z",)"
      R"("last_observed":"2015-12-21T19:00:00Z","number_observed":1,"objects":{"0":{"type":"file","name":"a"},)"
      R"("1":{"type":"directory","path":"/tmp","contains_refs":["0"]}})";
  BOOST_TEST(one_ok(observed + "}").type == "observed-data");
  // ... but only there.
  BOOST_TEST(one_failed(observed + R"(,"x_more":{"contains_refs":["0"]}})").message.find("x_more.contains_refs") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(duplicate_members) {
  // Inside an object: that object fails, saying where; the others proceed.
  const auto results = parse_ok(envelope_of(sdo(R"("x_a":{"k":1,"k":2})") + "," + kIndicator));
  BOOST_TEST_REQUIRE(results.size() == 2u);
  BOOST_TEST_REQUIRE(std::holds_alternative<ObjectFailure>(results[0]));
  const auto& f = std::get<ObjectFailure>(results[0]);
  BOOST_TEST(f.message.find("x_a.k") != std::string::npos, f.message);
  BOOST_TEST(f.message.find("duplicate") != std::string::npos);
  BOOST_TEST(f.id == "malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b");
  BOOST_TEST(f.version == "2019-01-02T00:00:00.000Z");
  BOOST_TEST(std::holds_alternative<storage::NewObject>(results[1]));
  // The same name through an escape is the same name.
  BOOST_TEST(one_failed(sdo(R"("x_b":1,"x_\u0062":2)")).message.find("duplicate") != std::string::npos);
  // In the envelope itself: the whole body.
  const auto e = body_fails(R"({"objects":[)" + std::string(kIndicator) + R"(],"objects":[]})");
  BOOST_TEST((e.kind == EnvelopeErrorKind::DuplicateMember));
  BOOST_TEST(http_status(e.kind) == 400);
}

BOOST_AUTO_TEST_CASE(per_object_failures_keep_order_and_index) {
  const auto results = parse_ok(envelope_of(std::string(kIndicator) + R"(,"text",[],)" + sdo() + ",{}"));
  BOOST_TEST_REQUIRE(results.size() == 5u);
  BOOST_TEST(std::holds_alternative<storage::NewObject>(results[0]));
  BOOST_TEST(std::get<ObjectFailure>(results[1]).message.find("objects[1]: not a JSON object") == 0u);
  BOOST_TEST(std::get<ObjectFailure>(results[2]).message.find("objects[2]") == 0u);
  BOOST_TEST(std::holds_alternative<storage::NewObject>(results[3]));
  BOOST_TEST(std::get<ObjectFailure>(results[4]).message.find("objects[4]: type is missing") == 0u);
}

BOOST_AUTO_TEST_CASE(object_size_limit) {
  EnvelopeLimits small;
  small.max_object_bytes = 300;
  const auto results = parse_ok(envelope_of(sdo(R"("x_big":")" + std::string(400, 'a') + "\"") + "," + sdo()), small);
  BOOST_TEST_REQUIRE(std::holds_alternative<ObjectFailure>(results[0]));
  BOOST_TEST(std::get<ObjectFailure>(results[0]).message.find("at most 300") != std::string::npos);
  BOOST_TEST(std::get<ObjectFailure>(results[0]).id == "malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b");
  BOOST_TEST(std::holds_alternative<storage::NewObject>(results[1]));
}

BOOST_AUTO_TEST_CASE(whole_body_errors) {
  struct Case {
    std::string body;
    EnvelopeErrorKind kind;
  };
  const std::vector<Case> cases = {
      {"", EnvelopeErrorKind::NotJson},
      {"{\"objects\":[", EnvelopeErrorKind::NotJson},
      {"{\"objects\":[]} x", EnvelopeErrorKind::NotJson},
      {"{'objects':[]}", EnvelopeErrorKind::NotJson},
      {"{\"objects\":[{\"x_s\":\"\\ud800\"}]}", EnvelopeErrorKind::NotJson},
      {"{\"objects\":[{\"x_s\":\"\xC3\x28\"}]}", EnvelopeErrorKind::InvalidUtf8},
      {"{\"objects\":[{\"x_s\":\"\xED\xA0\x80\"}]}", EnvelopeErrorKind::InvalidUtf8},
      {"{\"objects\":[1e400]}", EnvelopeErrorKind::NumberOutOfRange},
      {"{\"objects\":[18446744073709551616]}", EnvelopeErrorKind::NumberOutOfRange},
      {"{\"objects\":[-9223372036854775809]}", EnvelopeErrorKind::NumberOutOfRange},
      {"[]", EnvelopeErrorKind::NotAnEnvelope},
      {"\"objects\"", EnvelopeErrorKind::NotAnEnvelope},
      {"{}", EnvelopeErrorKind::NotAnEnvelope},
      {"{\"objects\":{}}", EnvelopeErrorKind::NotAnEnvelope},
      {"{\"objects\":null}", EnvelopeErrorKind::NotAnEnvelope},
      {"{\"objects\":[]}", EnvelopeErrorKind::NotAnEnvelope},
      {"{\"Objects\":[{}]}", EnvelopeErrorKind::NotAnEnvelope},
  };
  for (const auto& c : cases) {
    const auto e = body_fails(c.body);
    BOOST_TEST((e.kind == c.kind), c.body << " -> " << e.message);
    BOOST_TEST(!e.message.empty());
    BOOST_TEST(http_status(e.kind) == 400);
  }
  // A leading byte order mark is ignored (RFC 8259 §8.1), only there.
  BOOST_TEST(parse_ok("\xEF\xBB\xBF" + envelope_of(kIndicator)).size() == 1u);
  BOOST_TEST((body_fails(" \xEF\xBB\xBF" + envelope_of(kIndicator)).kind == EnvelopeErrorKind::NotJson));
  // Other envelope members (more, next, custom) are allowed.
  BOOST_TEST(parse_ok(R"({"more":false,"next":"x","x_y":1,"objects":[)" + std::string(kIndicator) + "]}").size() == 1u);
}

BOOST_AUTO_TEST_CASE(too_many_objects) {
  EnvelopeLimits three;
  three.max_objects = 3;
  BOOST_TEST(parse_ok(envelope_of(sdo() + "," + sdo() + "," + sdo()), three).size() == 3u);
  const auto e = body_fails(envelope_of(sdo() + "," + sdo() + "," + sdo() + "," + sdo()), three);
  BOOST_TEST((e.kind == EnvelopeErrorKind::TooManyObjects));
  BOOST_TEST(http_status(e.kind) == 413);
}

BOOST_AUTO_TEST_CASE(depth_limit) {
  EnvelopeLimits limits;
  limits.max_depth = 8;
  // envelope (1), objects (2), the object (3), then 5 more levels: exactly 8.
  BOOST_TEST(parse_ok(envelope_of(sdo(R"("x_d":[[[[1]]]])")), limits).size() == 1u);
  BOOST_TEST((body_fails(envelope_of(sdo(R"("x_d":[[[[[1]]]]])")), limits).kind == EnvelopeErrorKind::TooDeep));
}

BOOST_AUTO_TEST_CASE(hostile_nesting_is_refused_quickly) {
  std::string deep = R"({"objects":[{"x_d":)";
  deep += std::string(100000, '[') + std::string(100000, ']') + "}]}";
  EnvelopeErrorKind kind{};
  const double secs = seconds_of([&] { kind = body_fails(deep).kind; });
  BOOST_TEST((kind == EnvelopeErrorKind::TooDeep));
  BOOST_TEST(secs < 2.0);
  std::string objs = R"({"objects":[)" + std::string(100000, '{') ;
  BOOST_TEST((body_fails(objs).kind != EnvelopeErrorKind::NotAnEnvelope));
}

BOOST_AUTO_TEST_CASE(fifty_thousand_objects_in_linear_time) {
  EnvelopeLimits limits;
  limits.max_objects = 100000;
  auto build = [](size_t n) {
    std::string body = R"({"objects":[)";
    for (size_t i = 0; i < n; ++i) {
      if (i) body += ',';
      body += sdo(R"("name":"m)" + std::to_string(i) + "\"");
    }
    return body + "]}";
  };
  const std::string small = build(5000), large = build(50000);
  size_t ok = 0;
  const double t_small = seconds_of([&] { ok = parse_ok(small, limits).size(); });
  BOOST_TEST(ok == 5000u);
  const double t_large = seconds_of([&] { ok = parse_ok(large, limits).size(); });
  BOOST_TEST(ok == 50000u);
  // Ten times the input: far less than the hundred times a quadratic parse would take.
  BOOST_TEST(t_large < 30 * t_small + 0.5, t_small << "s vs " << t_large << "s");
}

BOOST_AUTO_TEST_CASE(concurrent_calls_are_independent) {
  const std::string body = envelope_of(std::string(kIndicator) + "," + sdo(R"("x_a":[1,2,3])") + ",7");
  const auto expected = parse_ok(body);
  std::vector<int> same(4, 0);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < same.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        auto r = parse_envelope(body);
        const auto& got = std::get<std::vector<ObjectResult>>(r);
        same[t] += std::get<storage::NewObject>(got[1]).digest == std::get<storage::NewObject>(expected[1]).digest &&
                   std::get<ObjectFailure>(got[2]).message == std::get<ObjectFailure>(expected[2]).message;
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int n : same) BOOST_TEST(n == 200);
}

BOOST_AUTO_TEST_CASE(wide_object_in_n_log_n) {
  std::string members;
  for (int i = 0; i < 60000; ++i) members += R"("x_m)" + std::to_string(i) + R"(":1,)";
  members.pop_back();
  BOOST_TEST(one_ok(sdo(members)).digest.size() == 64u);
  BOOST_TEST(one_failed(sdo(members + R"(,"x_m59999":2)")).message.find("x_m59999") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(query)

Result<ParsedQuery> parse(const std::string& q, Endpoint e = Endpoint::Objects) { return parse_query(q, e); }

std::string refused(const std::string& q, Endpoint e = Endpoint::Objects) {
  auto r = parse_query(q, e);
  BOOST_TEST_REQUIRE(!r.ok(), "accepted: " << q.substr(0, 200));
  BOOST_TEST((r.error().type() == StatusType::BadMessage));
  return r.error().message();
}

BOOST_AUTO_TEST_CASE(decodes_percent_encoded_names) {
  auto q = parse("match%5Btype%5D=indicator,malware&limit=5");
  BOOST_TEST_REQUIRE(q.ok(), why(q));
  BOOST_TEST(q->query.types == (std::vector<std::string>{"indicator", "malware"}));
  BOOST_TEST(q->query.limit == 5u);
  BOOST_TEST(q->has_limit);
  auto v = parse("match[id]=indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f%2Cx&added_after=2016-04-06T20%3A03%3A48.5Z");
  BOOST_TEST_REQUIRE(v.ok(), why(v));
  BOOST_TEST(v->query.ids == (std::vector<std::string>{"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", "x"}));
  BOOST_TEST(v->query.added_after->micros() == 1459973028500000);
}

BOOST_AUTO_TEST_CASE(defaults) {
  auto q = parse("");
  BOOST_TEST_REQUIRE(q.ok(), why(q));
  BOOST_TEST(q->query.last);
  BOOST_TEST(!q->query.first);
  BOOST_TEST(!q->query.all_versions);
  BOOST_TEST(!q->has_limit);
  BOOST_TEST(q->query.limit == 0u);
  BOOST_TEST(!q->has_next);
  BOOST_TEST(!q->query.added_after.has_value());
  auto d = parse("", Endpoint::Delete);
  BOOST_TEST_REQUIRE(d.ok());
  BOOST_TEST(d->query.all_versions);
  BOOST_TEST(!d->query.last);
  auto dl = parse("match[version]=last", Endpoint::Delete);
  BOOST_TEST_REQUIRE(dl.ok());
  BOOST_TEST(!dl->query.all_versions);
  BOOST_TEST(dl->query.last);
}

BOOST_AUTO_TEST_CASE(plus_is_a_literal_plus) {
  auto q = parse("match[type]=a+b&next=x+y%2Bz%20w");
  BOOST_TEST_REQUIRE(q.ok(), why(q));
  BOOST_TEST(q->query.types == (std::vector<std::string>{"a+b"}));
  BOOST_TEST(q->next == "x+y+z w");
  BOOST_TEST(q->has_next);
}

BOOST_AUTO_TEST_CASE(version_selection) {
  auto all = parse("match[version]=all");
  BOOST_TEST_REQUIRE(all.ok());
  BOOST_TEST((all->query.all_versions && !all->query.last && !all->query.first));
  auto fl = parse("match[version]=first,last");
  BOOST_TEST_REQUIRE(fl.ok());
  BOOST_TEST((fl->query.first && fl->query.last && !fl->query.all_versions));
  auto exact = parse("match[version]=2016-04-06T20:03:48.1Z,last,2017-01-01T00:00:00Z");
  BOOST_TEST_REQUIRE(exact.ok(), why(exact));
  BOOST_TEST(exact->query.version_keys ==
             (std::vector<std::string>{"2016-04-06T20:03:48.100000000Z", "2017-01-01T00:00:00.000000000Z"}));
  BOOST_TEST(exact->query.last);
  BOOST_TEST(!exact->query.first);
  auto only_exact = parse("match[version]=2016-04-06T20:03:48.1Z");
  BOOST_TEST_REQUIRE(only_exact.ok());
  BOOST_TEST(!only_exact->query.last);
  BOOST_TEST(refused("match[version]=all,last").find("'all' cannot be combined") != std::string::npos);
  BOOST_TEST(refused("match[version]=last,all").find("'all'") != std::string::npos);
  BOOST_TEST(refused("match[version]=all,all").find("'all'") != std::string::npos);
  BOOST_TEST(refused("match[version]=last,last").find("twice") != std::string::npos);
  BOOST_TEST(refused("match[version]=2016-04-06T20:03:48.1Z,2016-04-06T20:03:48.100Z").find("twice") != std::string::npos);
  BOOST_TEST(refused("match[version]=latest").find("STIX timestamp") != std::string::npos);
  BOOST_TEST(refused("match[version]=LAST").find("match[version]") == 0u);
}

BOOST_AUTO_TEST_CASE(limit_rules) {
  for (const char* bad : {"limit=0", "limit=-1", "limit=abc", "limit=", "limit", "limit=1.5", "limit=+3", "limit=1,2",
                          "limit= 3", "limit=00"}) {
    BOOST_TEST(refused(bad).find("limit") == 0u, bad);
  }
  BOOST_TEST(refused("limit=1&limit=1").find("twice") != std::string::npos);
  BOOST_TEST(parse("limit=007")->query.limit == 7u);
  BOOST_TEST(parse("limit=99999999999999999999999999")->query.limit == (uint64_t{1} << 53) - 1);
}

BOOST_AUTO_TEST_CASE(added_after_rules) {
  BOOST_TEST(refused("added_after=2016-04-06T20:03:48.5Z&added_after=2016-04-06T20:03:48.5Z").find("twice") != std::string::npos);
  BOOST_TEST(refused("added_after=2016-04-06T20:03:48Z,2017-04-06T20:03:48Z").find("added_after") == 0u);
  BOOST_TEST(refused("added_after=yesterday").find("not a timestamp") != std::string::npos);
  BOOST_TEST(refused("added_after=").find("no value") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(lists) {
  for (const char* bad : {"match[type]=a,,b", "match[type]=a,", "match[type]=,a", "match[type]=,", "match[id]=",
                          "match[spec_version]=2.1,"}) {
    BOOST_TEST(!parse(bad).ok(), bad);
  }
  auto sv = parse("match[spec_version]=2.0,2.1");
  BOOST_TEST_REQUIRE(sv.ok());
  BOOST_TEST(sv->query.spec_versions == (std::vector<std::string>{"2.0", "2.1"}));
  std::string many = "match[type]=t0";
  for (size_t i = 1; i < kMaxListItems; ++i) many += ",t" + std::to_string(i);
  BOOST_TEST(parse(many)->query.types.size() == kMaxListItems);
  BOOST_TEST(refused(many + ",x").find("more than") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(repeated_parameters) {
  for (const char* p : {"match[type]=a&match[type]=b", "match%5Btype%5D=a&match[type]=b", "match[id]=a&match[id]=a",
                        "match[spec_version]=2.1&match[spec_version]=2.1", "match[version]=all&match[version]=all",
                        "next=a&next=b", "match[foo]=1&match[foo]=2"}) {
    BOOST_TEST(!parse(p).ok(), p);
  }
  // Unknown parameters are ignored, even repeated; so are unknown match fields once.
  BOOST_TEST(parse("foo=1&foo=2&match[foo]=1&match[bar]=&x&&=y&").ok());
  // match duplicates are refused even where the field is not defined for the endpoint.
  BOOST_TEST(parse("match[type]=a", Endpoint::Versions).ok());
  BOOST_TEST(!parse("match[type]=a&match[type]=b", Endpoint::Versions).ok());
}

BOOST_AUTO_TEST_CASE(parameters_per_endpoint) {
  const std::string all = "added_after=2016-04-06T20:03:48Z&limit=3&next=n&match[id]=i&match[type]=t"
                          "&match[version]=first&match[spec_version]=2.1";
  auto o = parse(all, Endpoint::Objects);
  BOOST_TEST_REQUIRE(o.ok());
  BOOST_TEST((o->query.added_after && o->has_limit && o->has_next && o->query.ids.size() == 1 &&
              o->query.types.size() == 1 && o->query.first && o->query.spec_versions.size() == 1));
  BOOST_TEST(parse(all, Endpoint::Manifest)->query.types.size() == 1u);
  auto by_id = parse(all, Endpoint::ObjectById);
  BOOST_TEST_REQUIRE(by_id.ok());
  BOOST_TEST((by_id->query.added_after && by_id->has_limit && by_id->has_next && by_id->query.ids.empty() &&
              by_id->query.types.empty() && by_id->query.first && by_id->query.spec_versions.size() == 1));
  auto versions = parse(all, Endpoint::Versions);
  BOOST_TEST_REQUIRE(versions.ok());
  BOOST_TEST((versions->query.added_after && versions->has_limit && versions->has_next && versions->query.ids.empty() &&
              versions->query.types.empty() && !versions->query.first && versions->query.last &&
              versions->query.spec_versions.size() == 1));
  auto del = parse(all, Endpoint::Delete);
  BOOST_TEST_REQUIRE(del.ok());
  BOOST_TEST((!del->query.added_after && !del->has_limit && !del->has_next && del->query.ids.empty() &&
              del->query.first && !del->query.all_versions && del->query.spec_versions.size() == 1));
  // A parameter the endpoint ignores is not validated either.
  BOOST_TEST(parse("limit=0&next=", Endpoint::Delete).ok());
}

BOOST_AUTO_TEST_CASE(encoding_errors) {
  BOOST_TEST(refused("match[type]=%zz").find("percent-encoding") != std::string::npos);
  BOOST_TEST(refused("match[type]=a%2").find("percent-encoding") != std::string::npos);
  BOOST_TEST(refused("match%5type%5D=a").find("percent-encoding") != std::string::npos);
  BOOST_TEST(refused("match[type]=%FF%FE").find("UTF-8") != std::string::npos);
  BOOST_TEST(parse("match[type]=caf%C3%A9")->query.types[0] == "caf\xC3\xA9");
}

BOOST_AUTO_TEST_CASE(long_query_strings_in_linear_time) {
  auto build = [](size_t n) {
    std::string q;
    for (size_t i = 0; i < n; ++i) q += "x" + std::to_string(i) + "=%41%42&";
    return q + "match[type]=" + std::string(n, 'a');
  };
  const std::string small = build(20000), large = build(200000);
  const double t_small = seconds_of([&] { BOOST_TEST(parse(small).ok()); });
  const double t_large = seconds_of([&] { BOOST_TEST(parse(large).ok()); });
  BOOST_TEST(t_large < 30 * t_small + 0.5, t_small << "s vs " << t_large << "s");
  std::string matches;
  for (size_t i = 0; i < 100000; ++i) matches += "match[f" + std::to_string(i) + "]=1&";
  BOOST_TEST(seconds_of([&] { BOOST_TEST(parse(matches).ok()); }) < 5.0);
}

BOOST_AUTO_TEST_CASE(fingerprint_is_of_the_filters_only) {
  auto a = parse("match[type]=b,a&match[id]=x&limit=3&next=n");
  auto b = parse("match[id]=x&match[type]=a,b,a&limit=9");
  auto c = parse("match[id]=x&match[type]=a");
  auto d = parse("match[id]=x&match[type]=a,b&match[version]=all");
  BOOST_TEST_REQUIRE((a.ok() && b.ok() && c.ok() && d.ok()));
  BOOST_TEST(filter_fingerprint(Endpoint::Objects, a->query) == filter_fingerprint(Endpoint::Objects, b->query));
  BOOST_TEST(filter_fingerprint(Endpoint::Objects, a->query) != filter_fingerprint(Endpoint::Objects, c->query));
  BOOST_TEST(filter_fingerprint(Endpoint::Objects, a->query) != filter_fingerprint(Endpoint::Objects, d->query));
  BOOST_TEST(filter_fingerprint(Endpoint::Objects, a->query) != filter_fingerprint(Endpoint::Manifest, a->query));
  auto other_collection = a->query;
  other_collection.collection = "91a7b528-80eb-42ed-a74d-c6fbd5a26116";
  BOOST_TEST(filter_fingerprint(Endpoint::Objects, a->query) != filter_fingerprint(Endpoint::Objects, other_collection));
  // List items cannot be re-split into a different list with the same text.
  storage::ObjectQuery x, y;
  x.types = {"a,b"};
  y.types = {"a", "b"};
  BOOST_TEST(filter_fingerprint(Endpoint::Objects, x) != filter_fingerprint(Endpoint::Objects, y));
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(cursor)

const std::string kKey = "0123456789abcdef0123456789abcdef";
const Timestamp kNow = Timestamp::from_micros(1700000000000000);
const Timestamp kLater = Timestamp::from_micros(1700000000000000 + 3600000000LL);

storage::ObjectQuery::After position() {
  return {Timestamp::from_micros(1459973028000001), "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
          "2016-04-06T20:03:48.000000000Z"};
}

BOOST_AUTO_TEST_CASE(round_trip) {
  const std::string next = encode_cursor(position(), "filters", "alice", kLater, kKey);
  BOOST_TEST(next.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == std::string::npos);
  BOOST_TEST(next.size() <= kMaxCursorLength);
  auto after = decode_cursor(next, "filters", "alice", kNow, kKey);
  BOOST_TEST_REQUIRE(after.ok(), why(after));
  BOOST_TEST(after->date_added.micros() == position().date_added.micros());
  BOOST_TEST(after->id == position().id);
  BOOST_TEST(after->version_key == position().version_key);
  // An SCO row (no version key) and the anonymous principal.
  storage::ObjectQuery::After sco{Timestamp::from_micros(-5), "x--y", ""};
  auto back = decode_cursor(encode_cursor(sco, "", "", kLater, kKey), "", "", kNow, kKey);
  BOOST_TEST_REQUIRE(back.ok(), why(back));
  BOOST_TEST(back->date_added.micros() == -5);
  BOOST_TEST(back->version_key.empty());
}

BOOST_AUTO_TEST_CASE(refusals_say_why) {
  const std::string next = encode_cursor(position(), "filters", "alice", kLater, kKey);
  auto message = [](const Result<storage::ObjectQuery::After>& r) {
    BOOST_TEST_REQUIRE(!r.ok());
    BOOST_TEST((r.error().type() == StatusType::BadMessage));
    return r.error().message();
  };
  BOOST_TEST(message(decode_cursor(next, "other filters", "alice", kNow, kKey)).find("other filters") != std::string::npos);
  BOOST_TEST(message(decode_cursor(next, "filters", "bob", kNow, kKey)).find("another user") != std::string::npos);
  BOOST_TEST(message(decode_cursor(next, "filters", "alice", Timestamp::from_micros(kLater.micros() + 1), kKey))
                 .find("expired") != std::string::npos);
  // Expiry is inclusive of its own instant.
  BOOST_TEST(decode_cursor(next, "filters", "alice", kLater, kKey).ok());
  const std::string other_key(32, 'k');
  BOOST_TEST(message(decode_cursor(next, "filters", "alice", kNow, other_key)).find("not a valid") != std::string::npos);
  // Every single-character change is caught by the MAC (or the base64 check).
  for (size_t i = 0; i < next.size(); ++i) {
    std::string t = next;
    t[i] = t[i] == 'A' ? 'B' : 'A';
    BOOST_TEST(!decode_cursor(t, "filters", "alice", kNow, kKey).ok(), i);
  }
  for (const std::string& junk : {std::string(""), std::string("abc"), std::string("!!!!"), next + "A", next + "==",
                                  next.substr(1), std::string(kMaxCursorLength + 1, 'A'), std::string(100, 'A')}) {
    BOOST_TEST(message(decode_cursor(junk, "filters", "alice", kNow, kKey)).find("not a valid") != std::string::npos);
  }
}

BOOST_AUTO_TEST_SUITE_END()
