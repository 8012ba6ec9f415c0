#define BOOST_TEST_MODULE core
#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <set>
#include <string>

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "core/json_writer.hpp"
#include "core/message.hpp"
#include "core/status.hpp"
#include "core/timestamp.hpp"

using namespace taxii;

BOOST_AUTO_TEST_SUITE(timestamp)

BOOST_AUTO_TEST_CASE(parses_zulu_with_fraction) {
  auto t = Timestamp::parse("2014-05-08T09:00:00.123456Z");
  BOOST_TEST_REQUIRE(t.has_value());
  BOOST_TEST(t->micros() == 1399539600123456LL);
  BOOST_TEST(t->to_string() == "2014-05-08T09:00:00.123456Z");
}

BOOST_AUTO_TEST_CASE(keeps_offset_and_orders_by_instant) {
  auto a = Timestamp::parse("2014-05-08T11:00:00+02:00");
  auto b = Timestamp::parse("2014-05-08T09:00:00.000001Z");
  BOOST_TEST_REQUIRE((a && b));
  BOOST_TEST(a->offset_minutes() == 120);
  BOOST_TEST(a->to_string() == "2014-05-08T11:00:00.000000+02:00");
  BOOST_TEST((*a < *b));
  BOOST_TEST(a->micros() + 1 == b->micros());
}

BOOST_AUTO_TEST_CASE(strict_rejects_what_the_schema_rejects) {
  for (const char* bad : {"2014-05-08T09:00:00", "2014-05-08T09:00:00.1234567Z",
                          "2014-02-30T00:00:00Z", "2014-05-08 09:00:00Z", "Tue Oct 21 15:34:33 EDT 2014",
                          "2014-05-08T25:00:00Z", "", "2014-05-08T09:00:00+2:00"}) {
    BOOST_TEST(!Timestamp::parse(bad).has_value(), bad);
  }
  BOOST_TEST(Timestamp::parse("2016-02-29T23:59:59-05:30").has_value());
}

BOOST_AUTO_TEST_CASE(lenient_accepts_naive_and_long_fractions) {
  auto t = Timestamp::parse_lenient("2014-05-08T09:00:01");
  BOOST_TEST_REQUIRE(t.has_value());
  BOOST_TEST(t->to_string() == "2014-05-08T09:00:01.000000Z");
  auto u = Timestamp::parse_lenient("2014-05-08T09:00:01.123456789Z");
  BOOST_TEST_REQUIRE(u.has_value());
  BOOST_TEST(u->to_string() == "2014-05-08T09:00:01.123456Z");
}

BOOST_AUTO_TEST_CASE(negative_years_round_trip) {
  auto t = Timestamp::parse("1969-12-31T23:59:59.999999Z");
  BOOST_TEST_REQUIRE(t.has_value());
  BOOST_TEST(t->micros() == -1);
  BOOST_TEST(t->to_string() == "1969-12-31T23:59:59.999999Z");
}

// to_string formats by hand. Over instants from year 0001 to 9999 and offsets of both signs,
// its text must parse back to the same instant and offset (parse() is written separately),
// and its offset must read as snprintf would write it.
BOOST_AUTO_TEST_CASE(to_string_matches_printf_and_parses_back) {
  uint64_t x = 88172645463325252ull;  // xorshift64: the same instants every run
  auto next = [&x] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  const int64_t lo = -62135596800LL * 1000000;  // 0001-01-01T00:00:00Z
  const int64_t hi = 253402300799LL * 1000000;  // 9999-12-31T23:59:59Z
  for (int i = 0; i < 20000; ++i) {
    const int64_t micros = lo + static_cast<int64_t>(next() % static_cast<uint64_t>(hi - lo));
    const int offset = i % 3 == 0 ? 0 : static_cast<int>(next() % 1680) - 840;  // -14:00 .. +13:59
    const Timestamp t = Timestamp::from_micros(micros, offset);
    const std::string s = t.to_string();
    // The reference: the local wall time (its own digits are checked by parsing back), then
    // the offset as snprintf writes it.
    const int64_t local = micros + int64_t{offset} * 60 * 1000000;
    const std::string date = Timestamp::from_micros(local, 0).to_string().substr(0, 26);
    char ref[64];
    const int a = offset < 0 ? -offset : offset;
    if (offset == 0) std::snprintf(ref, sizeof ref, "%sZ", date.c_str());
    else std::snprintf(ref, sizeof ref, "%s%c%02d:%02d", date.c_str(), offset < 0 ? '-' : '+', a / 60, a % 60);
    BOOST_TEST_REQUIRE(s == std::string(ref), micros << " " << offset);
    auto back = Timestamp::parse(s);
    BOOST_TEST_REQUIRE(back.has_value(), s);
    BOOST_TEST_REQUIRE(back->micros() == micros, s);
    BOOST_TEST_REQUIRE(back->offset_minutes() == offset, s);
  }
  BOOST_TEST(Timestamp::from_micros(lo).to_string() == "0001-01-01T00:00:00.000000Z");
  BOOST_TEST(Timestamp::from_micros(hi + 999999).to_string() == "9999-12-31T23:59:59.999999Z");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(xml_escape_in_text_and_in_attributes) {
  const std::string in = "a&b<c>d\"e\tf\ng\rh";
  BOOST_TEST(xml_escape(in) == "a&amp;b&lt;c&gt;d\"e\tf\ng&#13;h");
  BOOST_TEST(xml_escape(in, true) == "a&amp;b&lt;c&gt;d&quot;e&#9;f&#10;g&#13;h");
  BOOST_TEST(xml_escape("") == "");
  BOOST_TEST(xml_escape("plain \xC3\xA9 text", true) == "plain \xC3\xA9 text");
  BOOST_TEST(xml_escape("&&") == "&amp;&amp;");
}

BOOST_AUTO_TEST_CASE(status_wire_names_round_trip) {
  for (int i = 0; i <= static_cast<int>(StatusType::UnsupportedTargetingExpressionId); ++i) {
    const auto t = static_cast<StatusType>(i);
    BOOST_TEST((status_type_from_wire(wire_name(t)) == t));
  }
  BOOST_TEST(!status_type_from_wire("urn:example.com:custom").has_value());
  BOOST_TEST(exists_in_v10(StatusType::BadMessage));
  BOOST_TEST(!exists_in_v10(StatusType::Pending));
}

BOOST_AUTO_TEST_CASE(mixed_text_escapes_and_unescapes) {
  const auto m = Mixed::text("a < b & \"c\"\r\n");
  BOOST_TEST(m.xml == "a &lt; b &amp; \"c\"&#13;\n");
  BOOST_TEST(m.is_text());
  BOOST_TEST(m.text_value() == "a < b & \"c\"\r\n");
  BOOST_TEST(!Mixed{"<x/>"}.is_text());
  BOOST_TEST(Mixed{"<![CDATA[<x/>]]>"}.is_text());
  BOOST_TEST(Mixed{"<![CDATA[<x/>]]>&#233;"}.text_value() == "<x/>\xC3\xA9");
  // Comments and PIs contribute nothing; unterminated or bad markup is copied, never loops.
  BOOST_TEST(Mixed{" 9<!-- <![CDATA[ -->00<?pi x?>"}.text_value() == " 900");
  BOOST_TEST(Mixed{"<![CDATA[x"}.text_value() == "<![CDATA[x");
  BOOST_TEST(Mixed{"&#xZZ;&#99999999999;&bogus;&"}.text_value() == "&#xZZ;&#99999999999;&bogus;&");
}

BOOST_AUTO_TEST_CASE(message_ids_are_unique_digits) {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) {
    auto id = generate_message_id();
    BOOST_TEST_REQUIRE(id.find_first_not_of("0123456789") == std::string::npos);
    BOOST_TEST_REQUIRE(seen.insert(id).second);
  }
}

BOOST_AUTO_TEST_CASE(message_names_and_versions) {
  Message m = v10::FeedInformationRequest{};
  BOOST_TEST(message_type_name(m) == "Feed_Information_Request");
  BOOST_TEST((version_of(m) == Version::V10));
  Message p = v11::PollFulfillment{};
  BOOST_TEST(message_type_name(p) == "Poll_Fulfillment");
  BOOST_TEST((version_of(p) == Version::V11));
  v11::StatusMessage s;
  s.in_response_to = "42";
  BOOST_TEST(in_response_to_of(Message{s}) == "42");
}

BOOST_AUTO_TEST_SUITE(clocks)

BOOST_AUTO_TEST_CASE(manual_clock_moves_only_when_told) {
  const ManualClock clock(Timestamp::from_micros(1'000'000));
  const Clock& c = clock;
  BOOST_TEST(c.now().micros() == 1'000'000);
  clock.advance(std::chrono::seconds(2));
  BOOST_TEST(c.now().micros() == 3'000'000);
  c.sleep_for(std::chrono::milliseconds(500));  // a sleep advances instead of waiting
  BOOST_TEST(c.now().micros() == 3'500'000);
  clock.set(Timestamp::from_micros(42));
  BOOST_TEST(c.now().micros() == 42);
}

BOOST_AUTO_TEST_CASE(system_clock_follows_the_time_of_day) {
  const Clock& c = SystemClock::instance();
  const int64_t before = Timestamp::now().micros();
  const int64_t read = c.now().micros();
  BOOST_TEST(read >= before);
  BOOST_TEST(read - before < 5'000'000);
}

BOOST_AUTO_TEST_CASE(json_writer_places_commas_and_escapes) {
  std::string out;
  taxii::JsonWriter w(out);
  w.begin_object().member("a", "x\"y\\\n\x01").key("b").begin_array().number(1).boolean(false).null()
      .raw("{\"k\":[]}").end_array().member("c", int64_t{-5}).key("d").begin_object().end_object().end_object();
  BOOST_TEST(out == R"({"a":"x\"y\\\n\u0001","b":[1,false,null,{"k":[]}],"c":-5,"d":{}})");
}

BOOST_AUTO_TEST_CASE(json_writer_replaces_invalid_utf8) {
  std::string out;
  taxii::JsonWriter::quote_into(out, "ok \xC3\xA9 \xED\xA0\x80 \xFF \xF0\x9F\x98\x80");
  // é and the emoji pass through; a surrogate (ED A0 80) and FF become U+FFFD per byte.
  BOOST_TEST(out == "\"ok \xC3\xA9 \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD \xEF\xBF\xBD \xF0\x9F\x98\x80\"");
}

BOOST_AUTO_TEST_SUITE_END()
