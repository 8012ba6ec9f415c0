// Conformance of the XML message bindings (issue #3):
// - every TAXII 1.1 message type round-trips model -> XML -> model with all optional
//   fields set and with none, and the XML validates against the official schema;
// - every reference sample parses, re-serializes, re-parses equal, and the re-serialized
//   XML validates against the official schema;
// - every schema-invalid variant in tests/conformance/invalid is rejected (BAD_MESSAGE).
// The official-schema checks need ../shared/spec; without it they are skipped, visibly.
#define BOOST_TEST_MODULE conformance
#include <boost/test/unit_test.hpp>

#include <set>

#include "bindings/xml/message_binding.hpp"
#include "tests/conformance/message_factory.hpp"
#include "tests/support/files.hpp"

using namespace taxii;
namespace fs = std::filesystem;

namespace {

fs::path official_schema(Version v, bool skip_content) {
  const fs::path x = test::shared_spec() / "xsd";
  if (v == Version::V11)
    return skip_content ? x / "TAXII_XMLMessageBinding_Schema-1.1-skip-content.xsd" : x / "taxii-1.1-with-default-query.xsd";
  return skip_content ? x / "TAXII_XMLMessageBinding_Schema-1.0-skip-content.xsd" : x / "TAXII_XMLMessageBinding_Schema-1.0.xsd";
}

// Validates XML text against the official schema when it is available.
void check_official(const std::string& xml, Version v, const std::string& what) {
  static bool warned = false;
  if (!test::have_shared_spec()) {
    if (!warned) BOOST_TEST_MESSAGE("SKIP official-schema cross-check: " << test::shared_spec() << " not found");
    warned = true;
    return;
  }
  test::TempDir dir;
  const fs::path f = dir.path() / "m.xml";
  test::write_file(f, xml);
  const bool skip = xml.find("xsi:type") != std::string::npos;
  BOOST_TEST(test::xmllint_valid(official_schema(v, skip), f), what << " does not validate against the official schema:\n" << xml);
}

}  // namespace

BOOST_AUTO_TEST_CASE(v11_round_trip_all_fields_and_none) {
  for (bool full : {true, false}) {
    for (const auto& m : test::v11_messages(full)) {
      const std::string what = std::string(message_type_name(m)) + (full ? " (all fields)" : " (no optional field)");
      auto xml = xml::xml11().serialize(m);
      BOOST_TEST_REQUIRE(xml.ok(), what << ": " << (xml.ok() ? "" : xml.error().message()));
      auto back = xml::xml11().parse(*xml);
      BOOST_TEST_REQUIRE(back.ok(), what << ": " << (back.ok() ? "" : back.error().message()) << "\n" << *xml);
      BOOST_TEST((*back == m), what << " changed in the round trip:\n" << *xml);
      check_official(*xml, Version::V11, what);
    }
  }
}

BOOST_AUTO_TEST_CASE(every_message_type_is_covered) {
  std::set<std::string> names;
  for (const auto& m : test::v11_messages(true)) names.insert(std::string(message_type_name(m)));
  BOOST_TEST(names.size() == 11u);
}

BOOST_AUTO_TEST_CASE(reference_samples_parse_reserialize_and_validate) {
  if (!test::have_shared_spec()) {
    BOOST_TEST_MESSAGE("SKIP reference samples: " << test::shared_spec() << " not found");
    return;
  }
  size_t n = 0;
  for (const char* dir : {"1.1", "1.0"}) {
    for (const auto& f : test::xml_files(test::shared_spec() / "samples" / dir)) {
      const std::string body = test::read_file(f);
      auto m = xml::parse_any(body);
      BOOST_TEST_REQUIRE(m.ok(), f.filename() << ": " << (m.ok() ? "" : m.error().message()));
      BOOST_TEST(to_string(version_of(*m)) == dir);
      auto xml = xml::serialize_any(*m);
      BOOST_TEST_REQUIRE(xml.ok(), f.filename() << ": " << (xml.ok() ? "" : xml.error().message()));
      auto again = xml::parse_any(*xml);
      BOOST_TEST_REQUIRE(again.ok(), f.filename() << ": " << (again.ok() ? "" : again.error().message()));
      BOOST_TEST((*again == *m), f.filename() << " changed when re-serialized");
      check_official(*xml, version_of(*m), f.filename().string());
      ++n;
    }
  }
  BOOST_TEST(n == 81u);
}

// Any-content is kept as the sender's bytes: a pretty-printed STIX document embedded in
// Content comes back byte for byte (XML declaration aside, which cannot be embedded).
BOOST_AUTO_TEST_CASE(content_is_kept_byte_for_byte) {
  size_t n = 0;
  for (const auto& f : test::xml_files(test::source_dir() / "samples/stix")) {
    std::string doc = test::read_file(f);
    if (doc.rfind("<?xml", 0) == 0) doc.erase(0, doc.find("?>") + 2);
    const std::string body = "<taxii_11:Inbox_Message xmlns:taxii_11=\"http://taxii.mitre.org/messages/taxii_xml_binding-1.1\" "
                             "message_id=\"1\"><taxii_11:Content_Block><taxii_11:Content_Binding binding_id=\"urn:stix.mitre.org:xml:1.2\"/>"
                             "<taxii_11:Content>" + doc + "</taxii_11:Content></taxii_11:Content_Block></taxii_11:Inbox_Message>";
    auto m = xml::xml11().parse(body);
    BOOST_TEST_REQUIRE(m.ok(), f.filename() << ": " << (m.ok() ? "" : m.error().message()));
    const auto& block = std::get<v11::InboxMessage>(*m).content_blocks.at(0);
    BOOST_TEST(block.content.xml == doc, f.filename() << " content changed");
    // ...and survives being served again.
    auto again = xml::xml11().parse(*xml::xml11().serialize(*m));
    BOOST_TEST_REQUIRE(again.ok());
    BOOST_TEST(std::get<v11::InboxMessage>(*again).content_blocks.at(0).content.xml == doc);
    ++n;
  }
  BOOST_TEST(n >= 3u);
  // A fragment that relies on a declaration of the enclosing message gets it spliced in.
  auto m = xml::xml11().parse(
      "<t:Inbox_Message xmlns:t=\"http://taxii.mitre.org/messages/taxii_xml_binding-1.1\" xmlns:s=\"urn:s\" message_id=\"1\">"
      "<t:Content_Block><t:Content_Binding binding_id=\"urn:x\"/><t:Content> <s:a  k='v'>x<s:b/></s:a> </t:Content>"
      "</t:Content_Block></t:Inbox_Message>");
  BOOST_TEST_REQUIRE(m.ok());
  BOOST_TEST(std::get<v11::InboxMessage>(*m).content_blocks.at(0).content.xml ==
             " <s:a xmlns:s=\"urn:s\"  k='v'>x<s:b/></s:a> ");
}

// Regressions found by the fuzzer: each must parse and survive the round trip unchanged.
BOOST_AUTO_TEST_CASE(fuzzer_regressions_round_trip) {
  size_t n = 0;
  for (const auto& f : test::xml_files(test::source_dir() / "tests/conformance/roundtrip")) {
    auto m = xml::parse_any(test::read_file(f));
    BOOST_TEST_REQUIRE(m.ok(), f.filename() << ": " << (m.ok() ? "" : m.error().message()));
    auto s = xml::serialize_any(*m);
    BOOST_TEST_REQUIRE(s.ok());
    auto again = xml::parse_any(*s);
    BOOST_TEST_REQUIRE(again.ok());
    BOOST_TEST((*again == *m), f.filename() << " changed in the round trip");
    ++n;
  }
  BOOST_TEST(n >= 1u);
}

BOOST_AUTO_TEST_CASE(schema_invalid_variants_are_bad_messages) {
  size_t n = 0;
  for (const char* dir : {"1.1", "1.0"}) {
    for (const auto& f : test::xml_files(test::source_dir() / "tests/conformance/invalid" / dir)) {
      auto m = xml::parse_any(test::read_file(f));
      BOOST_TEST(!m.ok(), f.filename() << " was accepted");
      if (!m.ok()) BOOST_TEST((m.error().type() == StatusType::BadMessage));
      ++n;
    }
  }
  BOOST_TEST(n >= 40u);
}

BOOST_AUTO_TEST_CASE(semantic_rules_beyond_the_schema) {
  using namespace v11;
  auto bad = [](const Message& m) {
    auto r = xml::xml11().serialize(m);
    return !r.ok() && r.error().type() == StatusType::BadMessage;
  };
  PollRequest p = test::with_envelope(PollRequest{}, false);
  p.collection_name = "c";
  p.subscription_id = "s";
  p.exclusive_begin = test::ts(10);
  p.inclusive_end = test::ts(10);
  BOOST_TEST(bad(p));  // XML 1.1 §3.8: end must be later than begin
  p.inclusive_end = test::ts(11);
  BOOST_TEST(!bad(p));
  p.poll_parameters = PollParameters{};
  BOOST_TEST(bad(p));  // both Subscription_ID and Poll_Parameters
  PollResponse r = test::with_envelope(PollResponse{}, false);
  r.collection_name = "c";
  r.more = true;
  BOOST_TEST(bad(r));  // more without result_id
  r.result_id = "x";
  r.record_count = RecordCount{0, false};
  r.content_blocks = {test::block(false, 1)};
  BOOST_TEST(bad(r));  // Record_Count below the number of blocks
  StatusMessage s = test::with_envelope(StatusMessage{}, false);
  s.status_type = "PENDING";
  BOOST_TEST(bad(s));  // PENDING requires its three details
  s.status_type = "INVALID_RESPONSE_PART";
  s.details = {{"MAX_PART_NUMBER", Mixed::text("x")}};
  BOOST_TEST(bad(s));
  ManageCollectionSubscriptionRequest u = test::with_envelope(ManageCollectionSubscriptionRequest{}, false);
  u.collection_name = "c";
  u.action = SubscriptionAction::Pause;
  BOOST_TEST(bad(u));  // Services 1.1 §4.4.6: PAUSE needs a Subscription_ID
  DiscoveryRequest d;
  BOOST_TEST(bad(d));  // empty message_id
}
