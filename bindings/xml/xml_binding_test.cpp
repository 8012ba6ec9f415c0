#define BOOST_TEST_MODULE xml_binding
#include <boost/test/unit_test.hpp>

#include "bindings/xml/message_binding.hpp"

using namespace taxii;

BOOST_AUTO_TEST_CASE(parses_a_poll_request) {
  const std::string body =
      R"(<taxii_11:Poll_Request xmlns:taxii_11="http://taxii.mitre.org/messages/taxii_xml_binding-1.1" message_id="42" collection_name="default">)"
      R"(<taxii_11:Poll_Parameters allow_asynch="false"><taxii_11:Response_Type>FULL</taxii_11:Response_Type></taxii_11:Poll_Parameters></taxii_11:Poll_Request>)";
  auto r = xml::xml11().parse(body);
  BOOST_TEST_REQUIRE(r.ok(), (r.ok() ? "" : r.error().message()));
  BOOST_TEST(message_type_name(*r) == "Poll_Request");
}

// serialize_segmented: the envelope with its inserts put back is serialize_any's document,
// for both versions; Content below kMinInsert bytes stays in the envelope, and the inserts
// view the message's own bytes (no copy).
BOOST_AUTO_TEST_CASE(a_segmented_poll_response_is_the_same_document) {
  const std::string big = "<x:b xmlns:x=\"urn:example:x\">" + std::string(3000, 'z') + "</x:b>";
  v11::PollResponse p11;
  p11.message_id = "7";
  p11.in_response_to = "6";
  p11.collection_name = "c";
  for (const std::string& c : {big, std::string("small"), std::string(xml::kMinInsert, 'q'), big}) {
    v11::ContentBlock b;
    b.binding_id = "urn:stix.mitre.org:xml:1.1.1";
    b.content = Mixed{c};
    p11.content_blocks.push_back(b);
  }
  v10::PollResponse p10;
  p10.message_id = "7";
  p10.in_response_to = "6";
  p10.feed_name = "c";
  p10.inclusive_end = Timestamp::from_micros(1700000000000000);
  for (const auto& b11 : p11.content_blocks) {
    v10::ContentBlock b;
    b.binding = b11.binding_id;
    b.content = b11.content;
    p10.content_blocks.push_back(b);
  }
  for (const Message& m : {Message{p11}, Message{p10}}) {
    auto flat = xml::serialize_any(m);
    auto seg = xml::serialize_segmented(m);
    BOOST_TEST_REQUIRE(flat.ok());
    BOOST_TEST_REQUIRE(seg.ok());
    BOOST_TEST(seg->inserts.size() == 3u);
    BOOST_TEST(seg->size() == flat->size());
    BOOST_TEST(seg->flatten() == *flat);
    BOOST_TEST(seg->envelope.size() < 1000u);
  }
  const Message kept{p11};
  auto seg = xml::serialize_segmented(kept);
  BOOST_TEST_REQUIRE(seg.ok());
  const auto& blocks = std::get<v11::PollResponse>(kept).content_blocks;
  BOOST_TEST(static_cast<const void*>(seg->inserts[0].bytes.data()) == static_cast<const void*>(blocks[0].content.xml.data()));
  BOOST_TEST(static_cast<const void*>(seg->inserts[2].bytes.data()) == static_cast<const void*>(blocks[3].content.xml.data()));
}

// XML 1.0 §4.3.3: only UTF-8 or US-ASCII may be declared (names case-insensitive); the bytes are
// read as UTF-8 whatever is declared, so any other name is refused rather than decoded otherwise
// than the byte-level checks read it (UTF-7 was accepted: a parser differential).
BOOST_AUTO_TEST_CASE(only_utf8_or_us_ascii_may_be_declared) {
  const std::string root =
      R"(<taxii_11:Discovery_Request xmlns:taxii_11="http://taxii.mitre.org/messages/taxii_xml_binding-1.1" message_id="1"/>)";
  for (const std::string& decl :
       {std::string(R"(<?xml version="1.0"?>)"), std::string(R"(<?xml version="1.0" encoding="UTF-8"?>)"),
        std::string(R"(<?xml version="1.0" encoding="utf-8" standalone="yes"?>)"),
        std::string(R"(<?xml version='1.0' encoding = 'US-ASCII'?>)"), std::string(R"(<?xml version="1.0" encoding="us-ascii"?>)"),
        std::string("\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"UTF-8\"?>")}) {
    auto r = xml::parse_any(decl + "\n" + root);
    BOOST_TEST(r.ok(), decl << ": " << (r.ok() ? "" : r.error().message()));
  }
  for (const char* enc : {"UTF-7", "utf-7", "ISO-8859-1", "latin1", "UTF-16", "UTF-32", "windows-1252",
                                 "UTF8", "ASCII", "UTF-8 ", " UTF-8", "UTF-8x", "EBCDIC-US", ""}) {
    for (const char q : {'"', '\''}) {
      const std::string body = std::string("<?xml version=\"1.0\" encoding=") + q + enc + q + "?>\n" + root;
      auto r = xml::parse_any(body);
      BOOST_TEST_REQUIRE(!r.ok(), enc << " was accepted");
      BOOST_TEST((r.error().type() == StatusType::BadMessage));
      BOOST_TEST(r.error().message().find("only UTF-8 (or US-ASCII)") != std::string::npos, enc << ": " << r.error().message());
    }
  }
  // UTF-16 without a byte order mark (Xerces would detect it from "<\0?\0") and UTF-32.
  for (const std::string& body : {std::string("<\0?\0x\0m\0l\0", 10), std::string("<\0\0\0?\0\0\0", 8)}) {
    auto r = xml::parse_any(body);
    BOOST_TEST_REQUIRE(!r.ok());
    BOOST_TEST(r.error().message() == "only UTF-8 encoded XML is accepted");
  }
}
