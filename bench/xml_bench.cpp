// Micro-benchmarks of the XML message binding (issue #3): validated parse and serialize of
// a small Poll_Request and of a 100-block Inbox_Message (3 KB STIX 1.1.1 indicators), and of a
// 100-block Inbox_Message of the varied indicators bench/run sends to taxiid (stix_content.hpp).
// Single thread. Prints one line per case: name, iterations, µs per op, MB/s.
// Usage: xml_bench [seconds-per-case (default 1)] [only cases whose name contains this]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>

#include "bench/stix_content.hpp"
#include "bindings/xml/message_binding.hpp"

using namespace taxii;
using Clock = std::chrono::steady_clock;

namespace {

std::string stix_indicator(int i) {
  std::string s =
      R"(<stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1" xmlns:indicator="http://stix.mitre.org/Indicator-2" )"
      R"(xmlns:cybox="http://cybox.mitre.org/cybox-2" xmlns:AddressObj="http://cybox.mitre.org/objects#AddressObject-2" )"
      R"(xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:example="http://example.com" )"
      R"(id="example:Package-)" + std::to_string(i) + R"(" version="1.1.1"><stix:STIX_Header><stix:Title>Bench indicator )" +
      std::to_string(i) + R"(</stix:Title></stix:STIX_Header><stix:Indicators>)"
      R"(<stix:Indicator xsi:type="indicator:IndicatorType" id="example:Indicator-)" + std::to_string(i) +
      R"(" timestamp="2014-05-08T09:00:00Z"><indicator:Title>C2 address</indicator:Title>)"
      R"(<indicator:Type xmlns:stixVocabs="http://stix.mitre.org/default_vocabularies-1" xsi:type="stixVocabs:IndicatorTypeVocab-1.1">IP Watchlist</indicator:Type>)"
      R"(<indicator:Observable id="example:Observable-)" + std::to_string(i) + R"("><cybox:Object>)"
      R"(<cybox:Properties xsi:type="AddressObj:AddressObjectType" category="ipv4-addr">)"
      R"(<AddressObj:Address_Value condition="Equals">198.51.100.)" + std::to_string(i % 250) +
      R"(</AddressObj:Address_Value></cybox:Properties></cybox:Object></indicator:Observable>)";
  // Pad with a description to a realistic 3 KB.
  s += "<indicator:Description>";
  while (s.size() < 2900) s += "Observed beaconing to this address from several hosts; block and investigate. ";
  s += "</indicator:Description></stix:Indicator></stix:Indicators></stix:STIX_Package>";
  return s;
}

const char* g_only = nullptr;  // run only the cases whose name contains this (for profiling)

void run(const char* name, double seconds, size_t bytes, const std::function<void()>& op) {
  if (g_only != nullptr && std::string(name).find(g_only) == std::string::npos) return;
  for (int i = 0; i < 10; ++i) op();  // warm up (grammar pool, thread parser)
  size_t n = 0;
  const auto t0 = Clock::now();
  double dt = 0;
  do {
    for (int i = 0; i < 16; ++i) op();
    n += 16;
    dt = std::chrono::duration<double>(Clock::now() - t0).count();
  } while (dt < seconds);
  const double us = dt * 1e6 / static_cast<double>(n);
  std::printf("%-40s %10zu ops %12.2f us/op %10.1f MB/s\n", name, n, us,
              static_cast<double>(bytes) * static_cast<double>(n) / dt / 1e6);
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 1.0;
  if (argc > 2) g_only = argv[2];
  const std::string poll =
      R"(<taxii_11:Poll_Request xmlns:taxii_11="http://taxii.mitre.org/messages/taxii_xml_binding-1.1" )"
      R"(message_id="42" collection_name="default"><taxii_11:Exclusive_Begin_Timestamp>2014-05-08T09:00:00Z)"
      R"(</taxii_11:Exclusive_Begin_Timestamp><taxii_11:Poll_Parameters allow_asynch="false">)"
      R"(<taxii_11:Response_Type>FULL</taxii_11:Response_Type>)"
      R"(<taxii_11:Content_Binding binding_id="urn:stix.mitre.org:xml:1.1.1"/></taxii_11:Poll_Parameters></taxii_11:Poll_Request>)";
  v11::InboxMessage inbox;
  inbox.message_id = "1";
  inbox.destination_collection_names = {"default"};
  for (int i = 0; i < 100; ++i) {
    v11::ContentBlock b;
    b.binding_id = "urn:stix.mitre.org:xml:1.1.1";
    b.content = Mixed{stix_indicator(i)};
    inbox.content_blocks.push_back(std::move(b));
  }
  auto inbox_xml = xml::xml11().serialize(inbox);
  auto poll_msg = xml::xml11().parse(poll);
  if (!inbox_xml.ok() || !poll_msg.ok() || !xml::xml11().parse(*inbox_xml).ok()) {
    std::fprintf(stderr, "bench inputs do not parse\n");
    return 1;
  }
  v11::InboxMessage varied = inbox;
  for (int i = 0; i < 100; ++i) varied.content_blocks[i].content = Mixed{bench::stix_indicator(1, i)};
  auto varied_xml = xml::xml11().serialize(varied);
  if (!varied_xml.ok() || !xml::xml11().parse(*varied_xml).ok()) {
    std::fprintf(stderr, "bench inputs do not parse\n");
    return 1;
  }
  std::printf("# xml_bench: Poll_Request %zu bytes, Inbox_Message with 100 blocks %zu bytes, "
              "with 100 varied blocks (bench/run's) %zu bytes\n",
              poll.size(), inbox_xml->size(), varied_xml->size());
  run("parse+validate Poll_Request", seconds, poll.size(), [&] {
    if (!xml::xml11().parse(poll).ok()) std::abort();
  });
  run("serialize Poll_Request", seconds, poll.size(), [&] {
    if (!xml::xml11().serialize(*poll_msg).ok()) std::abort();
  });
  run("parse+validate Inbox_Message x100", seconds, inbox_xml->size(), [&] {
    if (!xml::xml11().parse(*inbox_xml).ok()) std::abort();
  });
  const Message inbox_m = inbox;
  run("serialize Inbox_Message x100", seconds, inbox_xml->size(), [&] {
    if (!xml::xml11().serialize(inbox_m).ok()) std::abort();
  });
  run("parse+validate Inbox_Message x100 varied", seconds, varied_xml->size(), [&] {
    if (!xml::xml11().parse(*varied_xml).ok()) std::abort();
  });
  const Message varied_m = varied;
  run("serialize Inbox_Message x100 varied", seconds, varied_xml->size(), [&] {
    if (!xml::xml11().serialize(varied_m).ok()) std::abort();
  });
  return 0;
}
