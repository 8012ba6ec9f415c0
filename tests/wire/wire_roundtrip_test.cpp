// The round trip: 10,000 content blocks pushed in 100 Inbox_Messages come back from a poll,
// in parts (multi-part + Poll_Fulfillment), byte-identical and in order.
#define BOOST_TEST_MODULE wire_roundtrip
#include <boost/test/unit_test.hpp>

#include <chrono>

#include "bindings/xml/message_binding.hpp"
#include "core/urn.hpp"
#include "tests/wire/wire_support.hpp"

using namespace taxii;
using namespace taxii::wire;

namespace {

// Block n: an XML fragment with namespaces, attributes, escaped text and non-ASCII text.
std::string content(int n) {
  return "<stix:STIX_Package xmlns:stix=\"http://stix.mitre.org/stix-1\" id=\"example:package-" + std::to_string(n) +
         "\" version=\"1.2\"><stix:STIX_Header><stix:Title>Block " + std::to_string(n) +
         " &lt;&amp;&gt; \xC3\xA9t\xC3\xA9</stix:Title></stix:STIX_Header></stix:STIX_Package>";
}

constexpr int kMessages = 100;
constexpr int kPerMessage = 100;
constexpr int kTotal = kMessages * kPerMessage;
constexpr uint64_t kPartSize = 750;  // not a divisor of 10,000: the last part is short

}  // namespace

BOOST_AUTO_TEST_CASE(ten_thousand_blocks_come_back_identical_and_in_order) {
  ServerSpec spec;
  spec.part_size = kPartSize;
  spec.max_body_bytes = 8 << 20;
  TaxiidProcess server(spec);
  Client client(server.http_port());

  // What we send is exactly what the binding writes and reads back (checked once here).
  {
    const Mixed m{content(0)};
    const auto parsed = xml::parse_any(*xml::serialize_any(inbox11({}, {m})));
    BOOST_TEST_REQUIRE(std::get<v11::InboxMessage>(*parsed).content_blocks.at(0).content.xml == m.xml);
  }

  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < kMessages; ++i) {
    std::vector<Mixed> blocks;
    for (int j = 0; j < kPerMessage; ++j) blocks.push_back(Mixed{content(i * kPerMessage + j)});
    Reply r = client.send("/services/inbox", inbox11({}, std::move(blocks)));
    BOOST_TEST_REQUIRE(r.status_type() == "SUCCESS", r.body);
  }
  const auto t1 = std::chrono::steady_clock::now();

  Reply first = client.send("/services/poll", poll11("default"));
  BOOST_TEST_REQUIRE(first.message.has_value(), first.parse_error);
  const auto& p1 = first.as<v11::PollResponse>();
  BOOST_TEST_REQUIRE(p1.more);
  BOOST_TEST(p1.record_count->count == static_cast<uint64_t>(kTotal));
  const uint64_t parts = (kTotal + kPartSize - 1) / kPartSize;

  int next = 0;
  std::optional<Timestamp> last_label;
  auto check = [&](const v11::PollResponse& pr) {
    for (const auto& b : pr.content_blocks) {
      if (b.content.xml != content(next)) {
        BOOST_TEST(b.content.xml == content(next));
        BOOST_TEST_REQUIRE(false, "block " << next << " differs");
      }
      BOOST_TEST_REQUIRE(b.binding_id == std::string(urn::kStix12));
      BOOST_TEST_REQUIRE(b.timestamp_label.has_value());
      if (last_label) BOOST_TEST_REQUIRE((*last_label < *b.timestamp_label));  // label order
      last_label = b.timestamp_label;
      ++next;
    }
  };
  check(p1);
  BOOST_TEST(p1.content_blocks.size() == kPartSize);
  // Raw bytes on the wire: block 0's markup appears verbatim in the HTTP body.
  BOOST_TEST(first.body.find(content(0)) != std::string::npos);

  for (uint64_t part = 2; part <= parts; ++part) {
    Reply r = client.send("/services/poll", fulfillment11("default", *p1.result_id, part));
    BOOST_TEST_REQUIRE(r.message.has_value(), r.parse_error);
    BOOST_TEST_REQUIRE(std::holds_alternative<v11::PollResponse>(*r.message), r.body.substr(0, 500));
    const auto& pr = r.as<v11::PollResponse>();
    BOOST_TEST(pr.result_part_number == part);
    BOOST_TEST(pr.more == (part < parts));
    check(pr);
  }
  const auto t2 = std::chrono::steady_clock::now();
  BOOST_TEST(next == kTotal);
  BOOST_TEST_MESSAGE("inbox " << std::chrono::duration<double>(t1 - t0).count() << " s, poll "
                              << std::chrono::duration<double>(t2 - t1).count() << " s for " << kTotal << " blocks in "
                              << parts << " parts");
}

// An Inbox_Message sent with a UTF-8 byte order mark (as some Windows tools write files):
// the stored block is the payload itself, not shifted by the BOM's three bytes.
BOOST_AUTO_TEST_CASE(a_message_with_a_byte_order_mark_stores_its_payload_exactly) {
  ServerSpec spec;
  spec.max_body_bytes = 8 << 20;
  TaxiidProcess server(spec);
  Client client(server.http_port());
  std::vector<Mixed> blocks{Mixed{content(1)}, Mixed{content(2) + std::string(2000, ' ')}};
  const std::string body = "\xEF\xBB\xBF" + *xml::serialize_any(inbox11({}, blocks));
  Reply r = client.post("/services/inbox", body, taxii_headers(Version::V11));
  BOOST_TEST_REQUIRE(r.status_type() == "SUCCESS", r.body);
  Reply p = client.send("/services/poll", poll11("default"));
  BOOST_TEST_REQUIRE(p.message.has_value(), p.parse_error);
  const auto& pr = p.as<v11::PollResponse>();
  BOOST_TEST_REQUIRE(pr.content_blocks.size() == 2u);
  BOOST_TEST(pr.content_blocks[0].content.xml == blocks[0].xml);
  BOOST_TEST(pr.content_blocks[1].content.xml == blocks[1].xml);
}

BOOST_AUTO_TEST_CASE(large_contents_are_sent_in_pieces_and_come_back_identical) {
  // taxiid writes a Poll_Response's envelope and every Content of 512 bytes or more as
  // separate pieces (sendmsg over the blocks' own bytes, xml::SegmentedBody): sizes around
  // that boundary and past socket buffers come back byte-identical, under a Content-Length
  // that is the body's, and the keep-alive connection serves the next request.
  ServerSpec spec;
  spec.max_body_bytes = 8 << 20;
  spec.part_size = 100;
  TaxiidProcess server(spec);
  Client client(server.http_port());
  const std::vector<std::size_t> sizes = {1, 100, 511, 512, 513, 4096, 70000, 1 << 20, 3};
  std::vector<Mixed> sent;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    const std::size_t n = sizes[i];
    std::string s;
    if (n < 64) {
      s.assign(n, static_cast<char>('a' + i));
    } else {
      const std::string open = "<x:b xmlns:x=\"urn:example:x\" n=\"" + std::to_string(i) + "\">";
      const std::string close = "</x:b>";
      s = open + std::string(n - open.size() - close.size(), static_cast<char>('a' + i)) + close;
    }
    BOOST_TEST_REQUIRE(s.size() == n);
    sent.push_back(Mixed{s});
  }
  Reply in = client.send("/services/inbox", inbox11({}, sent));
  BOOST_TEST_REQUIRE(in.status_type() == "SUCCESS", in.body);
  for (int round = 0; round < 2; ++round) {
    Reply r = client.send("/services/poll", poll11("default"));
    BOOST_TEST_REQUIRE(r.status == 200);
    BOOST_TEST(r.header("content-length") == std::to_string(r.body.size()));
    BOOST_TEST_REQUIRE(r.message.has_value(), r.parse_error);
    const auto& p = r.as<v11::PollResponse>();
    BOOST_TEST_REQUIRE(p.content_blocks.size() == sent.size());
    for (std::size_t i = 0; i < sent.size(); ++i)
      BOOST_TEST(p.content_blocks[i].content.xml == sent[i].xml, "block " << i << " of " << sizes[i] << " bytes");
  }
}
