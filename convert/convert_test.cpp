// Unit tests of the STIX 1.x -> 2.1 mapping on small inline documents (docs/bridge.md).
#define BOOST_TEST_MODULE convert
#include <boost/test/unit_test.hpp>

#include <chrono>

#include <simdjson.h>

#include "convert/convert.hpp"
#include "convert/ids.hpp"

using namespace taxii::convert;

namespace {

const char* kHead =
    R"(<stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" )"
    R"(xmlns:indicator="http://stix.mitre.org/Indicator-2" xmlns:cybox="http://cybox.mitre.org/cybox-2" )"
    R"(xmlns:stixCommon="http://stix.mitre.org/common-1" xmlns:ttp="http://stix.mitre.org/TTP-1" )"
    R"(xmlns:marking="http://data-marking.mitre.org/Marking-1" xmlns:tlp="http://data-marking.mitre.org/extensions/MarkingStructure#TLP-1" )"
    R"(xmlns:AddressObj="http://cybox.mitre.org/objects#AddressObject-2" xmlns:FileObj="http://cybox.mitre.org/objects#FileObject-2" )"
    R"(xmlns:cyboxCommon="http://cybox.mitre.org/common-2" xmlns:ex="http://example.com/" )"
    R"(id="ex:Package-11111111-2222-4333-8444-555555555555" timestamp="2014-05-08T09:00:00Z" version="1.2">)";

Conversion convert_ok(const std::string& body, Options o = {}) {
  auto r = elevate(std::string(kHead) + body + "</stix:STIX_Package>", o);
  BOOST_REQUIRE_MESSAGE(r.ok(), (r.ok() ? std::string() : r.error().message()));
  return r.value();
}

simdjson::dom::element parse(simdjson::dom::parser& p, const std::string& s) {
  simdjson::dom::element e;
  BOOST_REQUIRE(p.parse(s).get(e) == simdjson::SUCCESS);
  return e;
}

simdjson::dom::element object_at(simdjson::dom::element bundle, size_t i) {
  simdjson::dom::element e;
  BOOST_REQUIRE(bundle["objects"].at(i).get(e) == simdjson::SUCCESS);
  return e;
}

std::string str(simdjson::dom::element e, const char* key) {
  std::string_view v;
  if (e[key].get(v) != simdjson::SUCCESS) return {};
  return std::string(v);
}

const char* kIpIndicator =
    R"(<stix:Indicators><stix:Indicator xsi:type="indicator:IndicatorType" id="ex:Indicator-53fe3b22-0201-47cf-85d0-97c02164528d">
         <indicator:Title>C2</indicator:Title><indicator:Type>IP Watchlist</indicator:Type>
         <indicator:Observable id="ex:Observable-1"><cybox:Object><cybox:Properties xsi:type="AddressObj:AddressObjectType" category="ipv4-addr">
           <AddressObj:Address_Value condition="Equals">10.0.0.1</AddressObj:Address_Value></cybox:Properties></cybox:Object></indicator:Observable>
       </stix:Indicator></stix:Indicators>)";

}  // namespace

BOOST_AUTO_TEST_CASE(indicator_with_address_becomes_pattern) {
  Conversion c = convert_ok(kIpIndicator);
  simdjson::dom::parser p;
  auto bundle = parse(p, c.document);
  BOOST_CHECK_EQUAL(str(bundle, "type"), "bundle");
  BOOST_CHECK_EQUAL(str(bundle, "id"), "bundle--11111111-2222-4333-8444-555555555555");
  auto ind = object_at(bundle, 0);
  BOOST_CHECK_EQUAL(str(ind, "id"), "indicator--53fe3b22-0201-47cf-85d0-97c02164528d");
  BOOST_CHECK_EQUAL(str(ind, "pattern"), "[ipv4-addr:value = '10.0.0.1']");
  BOOST_CHECK_EQUAL(str(ind, "pattern_type"), "stix");
  BOOST_CHECK_EQUAL(str(ind, "name"), "C2");
  BOOST_CHECK_EQUAL(str(ind, "created"), "2014-05-08T09:00:00.000Z");
  BOOST_CHECK(c.document.find(R"("indicator_types":["ip-watchlist"])") != std::string::npos);
  BOOST_CHECK(c.warnings.empty());
}

BOOST_AUTO_TEST_CASE(same_input_same_ids) {
  const std::string body = std::string(kIpIndicator) +
      R"(<stix:TTPs><stix:TTP xsi:type="ttp:TTPType" id="ex:ttp-no-uuid"><ttp:Behavior><ttp:Malware><ttp:Malware_Instance>
           <ttp:Name>Ivy</ttp:Name></ttp:Malware_Instance></ttp:Malware></ttp:Behavior></stix:TTP></stix:TTPs>)";
  Options o;
  o.default_timestamp = "2020-01-01T00:00:00Z";
  BOOST_CHECK_EQUAL(convert_ok(body, o).document, convert_ok(body, o).document);
  // An id without a UUID is hashed (UUIDv5), never random.
  BOOST_CHECK(convert_ok(body, o).document.find(stix_id_for("malware", "ex:ttp-no-uuid")) != std::string::npos);
  BOOST_CHECK_EQUAL(stix_id_for("malware", "ex:ttp-no-uuid").substr(9 + 14, 1), "5");
}

BOOST_AUTO_TEST_CASE(sco_ids_are_stix_deterministic) {
  // STIX 2.1 §2.9 example value: ipv4-addr 10.0.0.0 under the SCO namespace.
  BOOST_CHECK_EQUAL(uuid_text(uuid_v5(kStixScoNamespace, R"({"value":"10.0.0.0"})")),
                    "9de1cadd-e20b-59f0-8a46-1c5dc050cbde");
}

BOOST_AUTO_TEST_CASE(file_hashes_and_composition) {
  Conversion c = convert_ok(
      R"(<stix:Indicators><stix:Indicator xsi:type="indicator:IndicatorType" id="ex:Indicator-1"><indicator:Observable>
           <cybox:Observable_Composition operator="OR">
             <cybox:Observable><cybox:Object><cybox:Properties xsi:type="FileObj:FileObjectType"><FileObj:Hashes><cyboxCommon:Hash>
               <cyboxCommon:Type>MD5</cyboxCommon:Type><cyboxCommon:Simple_Hash_Value>d41d8cd98f00b204e9800998ecf8427e</cyboxCommon:Simple_Hash_Value>
             </cyboxCommon:Hash></FileObj:Hashes><FileObj:Size_In_Bytes>12</FileObj:Size_In_Bytes></cybox:Properties></cybox:Object></cybox:Observable>
             <cybox:Observable><cybox:Object><cybox:Properties xsi:type="AddressObj:AddressObjectType" category="e-mail">
               <AddressObj:Address_Value>a@b.c</AddressObj:Address_Value></cybox:Properties></cybox:Object></cybox:Observable>
           </cybox:Observable_Composition></indicator:Observable></stix:Indicator></stix:Indicators>)");
  simdjson::dom::parser p;
  auto ind = object_at(parse(p, c.document), 0);
  BOOST_CHECK_EQUAL(str(ind, "pattern"),
                    "[(file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e' AND file:size = 12) OR email-addr:value = 'a@b.c']");
}

BOOST_AUTO_TEST_CASE(losses_are_warnings_with_paths_or_refusal) {
  const std::string body =
      R"(<stix:Indicators><stix:Indicator xsi:type="indicator:IndicatorType" id="ex:Indicator-1">
           <indicator:Producer>somebody</indicator:Producer></stix:Indicator></stix:Indicators>)";
  Conversion c = convert_ok(body);
  bool found = false;
  for (const auto& w : c.warnings)
    if (w.code == 101 && w.path == "/STIX_Package/Indicators/Indicator/Producer") found = true;
  BOOST_CHECK(found);
  Options strict;
  strict.policy = LossPolicy::Refuse;
  auto r = elevate(std::string(kHead) + body + "</stix:STIX_Package>", strict);
  BOOST_REQUIRE(!r.ok());
  BOOST_CHECK(r.error().message().find("refused") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(tlp_marking_refers_to_the_predefined_definition) {
  Conversion c = convert_ok(
      R"(<stix:STIX_Header><stix:Handling><marking:Marking><marking:Controlled_Structure>//node() | //@*</marking:Controlled_Structure>
           <marking:Marking_Structure xsi:type="tlp:TLPMarkingStructureType" color="AMBER"/></marking:Marking></stix:Handling></stix:STIX_Header>)" +
      std::string(kIpIndicator));
  BOOST_CHECK(c.document.find(R"("object_marking_refs":["marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"])") !=
              std::string::npos);
}

BOOST_AUTO_TEST_CASE(hostile_and_foreign_input_is_an_error) {
  BOOST_CHECK(!elevate("<a/>", {}).ok());
  BOOST_CHECK(!elevate("not xml", {}).ok());
  BOOST_CHECK(!elevate(R"(<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>)", {}).ok());
  std::string deep(std::string(kHead) + "<stix:Indicators><stix:Indicator id='ex:i'><indicator:Observable>");
  for (int i = 0; i < 200; ++i) deep += "<cybox:Observable_Composition operator='AND'><cybox:Observable>";
  auto r = elevate(deep, {});  // not well-formed (unclosed), or too deep: an error either way
  BOOST_CHECK(!r.ok());
}

BOOST_AUTO_TEST_CASE(shared_references_stay_linear) {
  // 40 compositions, each naming the next one twice: 2^40 paths without the work budget.
  std::string body = "<stix:Observables>";
  for (int i = 0; i < 40; ++i)
    body += "<cybox:Observable id='ex:o" + std::to_string(i) + "'><cybox:Observable_Composition operator='OR'>"
            "<cybox:Observable idref='ex:o" + std::to_string(i + 1) + "'/><cybox:Observable idref='ex:o" +
            std::to_string(i + 1) + "'/></cybox:Observable_Composition></cybox:Observable>";
  body += R"(<cybox:Observable id='ex:o40'><cybox:Object><cybox:Properties xsi:type="AddressObj:AddressObjectType">
             <AddressObj:Address_Value>10.0.0.1</AddressObj:Address_Value></cybox:Properties></cybox:Object></cybox:Observable>
             </stix:Observables><stix:Indicators><stix:Indicator id="ex:Indicator-1"><indicator:Observable idref="ex:o0"/>
             </stix:Indicator></stix:Indicators>)";
  const auto start = std::chrono::steady_clock::now();
  Conversion c = convert_ok(body);
  BOOST_CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
  bool budget_warning = false;
  for (const auto& w : c.warnings) budget_warning = budget_warning || w.message.find("too often") != std::string::npos;
  BOOST_CHECK(budget_warning);
}

BOOST_AUTO_TEST_CASE(every_prefix_and_byte_flip_is_answered) {
  // Hostile input is answered (converted or refused), never a crash: every prefix of a
  // document, and the document with each byte replaced in turn.
  const std::string doc = std::string(kHead) + kIpIndicator + "</stix:STIX_Package>";
  size_t ok = 0;
  for (size_t n = 0; n < doc.size(); ++n) ok += elevate(doc.substr(0, n), {}).ok();
  BOOST_CHECK_EQUAL(ok, 0u);  // no proper prefix is a well-formed document
  for (size_t i = 0; i < doc.size(); i += 3) {
    std::string bad = doc;
    bad[i] = static_cast<char>(bad[i] ^ 0x5a);
    auto r = elevate(bad, {});
    if (r.ok()) BOOST_CHECK(r->document.rfind(R"({"type":"bundle")", 0) == 0);
  }
}
