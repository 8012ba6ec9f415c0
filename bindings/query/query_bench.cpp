// Micro-benchmark of the TAXII Default Query (issue #10): blocks per second evaluating three
// representative compiled queries over 100,000 generated STIX 1.2 blocks (~1.3 KB each, held
// in memory), single thread:
//  - end to end, matches(markup): parse (parse_untyped) + evaluation, as a Poll pays it;
//  - evaluation only, matches(tree), over 1,000 pre-parsed blocks taken 100 times each;
//  - the bare parse, for reference.
// Usage: query_bench [blocks (default 100000)]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "bindings/query/default/default_query.hpp"
#include "bindings/xml/xml_document.hpp"
#include "core/urn.hpp"

using namespace taxii;
using Clock = std::chrono::steady_clock;

namespace {

std::string block(int i) {
  const std::string n = std::to_string(i);
  const char* conf[] = {"High", "Medium", "Low"};
  const char* types[] = {"IP Watchlist", "File Hash Watchlist", "Domain Watchlist", "Malicious E-mail"};
  char ts[40];
  std::snprintf(ts, sizeof ts, "2015-%02d-%02dT%02d:%02d:00Z", 1 + i % 12, 1 + i % 28, i % 24, i % 60);
  return R"(<stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1" xmlns:stixCommon="http://stix.mitre.org/common-1" )"
         R"(xmlns:indicator="http://stix.mitre.org/Indicator-2" xmlns:cybox="http://cybox.mitre.org/cybox-2" )"
         R"(xmlns:AddressObj="http://cybox.mitre.org/objects#AddressObject-2" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" )"
         R"(xmlns:acme="http://acme.example.com/" id="acme:Package-)" + n + R"(" version="1.2" timestamp=")" + ts + R"(">)"
         R"(<stix:STIX_Header><stix:Title>Bench package )" + n + R"(</stix:Title></stix:STIX_Header><stix:Indicators>)"
         R"(<stix:Indicator xsi:type="indicator:IndicatorType" id="acme:Indicator-)" + n + R"(" timestamp=")" + ts + R"(">)"
         R"(<indicator:Title>Indicator number )" + n + R"(</indicator:Title><indicator:Type>)" + types[i % 4] +
         R"(</indicator:Type><indicator:Description>Observed beaconing from several hosts to this address; )"
         R"(block it at the perimeter and investigate the hosts that contacted it.</indicator:Description>)"
         R"(<indicator:Observable id="acme:Observable-)" + n + R"("><cybox:Object><cybox:Properties )"
         R"(xsi:type="AddressObj:AddressObjectType" category="ipv4-addr"><AddressObj:Address_Value condition="Equals">198.51.)" +
         std::to_string(i / 256 % 256) + "." + std::to_string(i % 256) +
         R"(</AddressObj:Address_Value></cybox:Properties></cybox:Object></indicator:Observable>)"
         R"(<indicator:Confidence><stixCommon:Value>)" + conf[i % 3] +
         R"(</stixCommon:Value></indicator:Confidence></stix:Indicator></stix:Indicators></stix:STIX_Package>)";
}

const char* kCore = "urn:taxii.mitre.org:query:capability:core-1";
const char* kRegex = "urn:taxii.mitre.org:query:capability:regex-1";
const char* kTs = "urn:taxii.mitre.org:query:capability:timestamp-1";

std::string criterion(const std::string& target, const char* cap, const char* rel, const std::string& params) {
  return "<tdq:Criterion><tdq:Target>" + target + "</tdq:Target><tdq:Test capability_id=\"" + cap +
         "\" relationship=\"" + rel + "\">" + params + "</tdq:Test></tdq:Criterion>";
}
std::string param(const char* name, const std::string& v) { return "<tdq:Parameter name=\"" + std::string(name) + "\">" + v + "</tdq:Parameter>"; }
std::string default_query(const std::string& criteria) {
  return R"(<tdq:Default_Query xmlns:tdq="http://taxii.mitre.org/query/taxii_default_query-1" targeting_expression_id="urn:stix.mitre.org:xml:1.2">)" +
         criteria + "</tdq:Default_Query>";
}

void run(const char* name, const std::vector<std::string>& blocks, const std::function<bool(const std::string&)>& f) {
  size_t hits = 0;
  const auto t0 = Clock::now();
  for (const auto& b : blocks) hits += f(b);
  const double s = std::chrono::duration<double>(Clock::now() - t0).count();
  std::printf("%-46s %9.0f blocks/s %8.2f us/block  %6zu matched\n", name, static_cast<double>(blocks.size()) / s,
              s * 1e6 / static_cast<double>(blocks.size()), hits);
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 100000;
  std::vector<std::string> blocks;
  blocks.reserve(static_cast<size_t>(n));
  size_t bytes = 0;
  for (int i = 0; i < n; ++i) {
    blocks.push_back(block(i));
    bytes += blocks.back().size();
  }
  std::printf("%d blocks, %.0f bytes each on average\n", n, static_cast<double>(bytes) / n);

  const query::tdq::DefaultQueryFormat format;
  auto compile = [&](const std::string& body) {
    auto r = format.compile({std::string(urn::kQueryDefault10), Mixed{body}});
    if (!r.ok()) {
      std::fprintf(stderr, "query does not compile: %s\n", r.error().message().c_str());
      std::exit(1);
    }
    return std::move(r).value();
  };
  // 1. An exact path and one equality (the common watchlist lookup).
  auto exact = compile(default_query("<tdq:Criteria operator=\"AND\">" +
                             criterion("STIX_Package/Indicators/Indicator/Observable/Object/Properties/Address_Value",
                                       kCore, "equals", param("match_type", "case_sensitive_string") + param("value", "198.51.1.7")) +
                             "</tdq:Criteria>"));
  // 2. A case-insensitive substring over every node (** : all elements and attributes).
  auto everywhere = compile(default_query("<tdq:Criteria operator=\"AND\">" +
                                  criterion("**", kCore, "contains", param("case_sensitive", "false") + param("value", "NUMBER 4242")) +
                                  "</tdq:Criteria>"));
  // 3. Nested AND/OR with a regex and a time window.
  auto mixed = compile(default_query(
      "<tdq:Criteria operator=\"AND\">"
      "<tdq:Criteria operator=\"OR\">" +
      criterion("**/Type", kCore, "equals", param("match_type", "case_insensitive_string") + param("value", "ip watchlist")) +
      criterion("**/Address_Value", kRegex, "matches", param("value", "^198\\.51\\.(1|2)\\.\\d+$")) +
      "</tdq:Criteria>" +
      criterion("STIX_Package/Indicators/Indicator/@timestamp", kTs, "greater_than_or_equals", param("value", "2015-06-01T00:00:00Z")) +
      criterion("**/Confidence/Value", kCore, "equals", param("match_type", "case_sensitive_string") + param("value", "Low")) +
      "</tdq:Criteria>"));

  run("parse only (parse_untyped)", blocks, [](const std::string& b) { return xml::parse_untyped(b, xml::ParseLimits{}).ok(); });
  run("1. exact path equals", blocks, [&](const std::string& b) { return exact->matches(b); });
  run("2. ** contains, case-insensitive", blocks, [&](const std::string& b) { return everywhere->matches(b); });
  run("3. AND/OR + regex + timestamp", blocks, [&](const std::string& b) { return mixed->matches(b); });

  // Evaluation alone: trees of the first 1,000 blocks, each evaluated n / 1000 times.
  std::vector<xml::XmlDocument> trees;
  for (size_t i = 0; i < 1000 && i < blocks.size(); ++i) trees.push_back(std::move(xml::parse_untyped(blocks[i], xml::ParseLimits{})).value());
  std::vector<const xml::XmlDocument*> order;
  for (int i = 0; i < n; ++i) order.push_back(&trees[static_cast<size_t>(i) % trees.size()]);
  auto run_trees = [&](const char* name, const query::Predicate& p) {
    size_t hits = 0;
    const auto t0 = Clock::now();
    for (const auto* t : order) hits += p.matches(*t);
    const double s = std::chrono::duration<double>(Clock::now() - t0).count();
    std::printf("%-46s %9.0f blocks/s %8.2f us/block  %6zu matched\n", name, static_cast<double>(order.size()) / s,
                s * 1e6 / static_cast<double>(order.size()), hits);
  };
  run_trees("1. exact path equals (evaluation only)", *exact);
  run_trees("2. ** contains, ci (evaluation only)", *everywhere);
  run_trees("3. AND/OR + regex + ts (evaluation only)", *mixed);
  return 0;
}
