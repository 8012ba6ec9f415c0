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
