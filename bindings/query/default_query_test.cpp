#define BOOST_TEST_MODULE default_query
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "bindings/query/default/default_query.hpp"
#include "bindings/query/query_format.hpp"
#include "bindings/xml/message_binding.hpp"
#include "bindings/xml/xml_document.hpp"
#include "core/urn.hpp"
#include "tests/support/files.hpp"
#include "tests/support/query_corpus.hpp"

using namespace taxii;
using namespace taxii::query;
namespace fs = std::filesystem;

namespace {

const fs::path kCorpus = test::query_corpus();

v11::Query default_query(std::string body) { return {std::string(urn::kQueryDefault10), Mixed{std::move(body)}}; }

std::string dq(const std::string& criteria, const std::string& vocab = "urn:stix.mitre.org:xml:1.2") {
  return R"(<tdq:Default_Query xmlns:tdq="http://taxii.mitre.org/query/taxii_default_query-1" targeting_expression_id=")" +
         vocab + "\">" + criteria + "</tdq:Default_Query>";
}

std::string criterion(const std::string& target, const std::string& relationship, const std::string& params,
                      const std::string& cap = "core-1") {
  return "<tdq:Criterion><tdq:Target>" + target + "</tdq:Target><tdq:Test capability_id=\"urn:taxii.mitre.org:query:capability:" +
         cap + "\" relationship=\"" + relationship + "\">" + params + "</tdq:Test></tdq:Criterion>";
}

std::string param(const std::string& name, const std::string& value) {
  return "<tdq:Parameter name=\"" + name + "\">" + value + "</tdq:Parameter>";
}

std::string and_of(const std::string& inner) { return "<tdq:Criteria operator=\"AND\">" + inner + "</tdq:Criteria>"; }

std::string package(const std::string& inner) {
  return R"(<stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1" id="x:1" version="1.2">)" + inner +
         "</stix:STIX_Package>";
}

std::string title_doc(const std::string& title) {
  return package("<stix:STIX_Header><stix:Title>" + title + "</stix:Title></stix:STIX_Header>");
}

std::unique_ptr<Predicate> compile_ok(const tdq::DefaultQueryFormat& f, const std::string& body) {
  auto r = f.compile(default_query(body));
  BOOST_TEST_REQUIRE(r.ok(), (r.ok() ? "" : r.error().message()));
  return std::move(r).value();
}

// Status details as NAME=value strings (StatusDetail has no operator<< for Boost.Test).
std::vector<std::string> details_of(const Error& e) {
  std::vector<std::string> out;
  for (const auto& d : e.details()) out.push_back(d.name + "=" + d.value);
  return out;
}

std::string join(const std::set<std::string>& s) {
  std::string out;
  for (const auto& x : s) out += (out.empty() ? "" : " ") + x;
  return out.empty() ? "-" : out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(corpus)

// Every query of samples/query-corpus against every document, compared with the results
// worked out by hand in expected.txt; error queries with their status type and details.
BOOST_AUTO_TEST_CASE(every_query_gives_the_hand_worked_result) {
  const auto manifest = test::read_manifest();
  std::map<std::string, std::string> docs;
  for (const auto& p : test::xml_files(kCorpus / "content")) docs.emplace(p.stem().string(), test::read_file(p));
  BOOST_TEST_REQUIRE(docs.size() >= 12u);

  const tdq::DefaultQueryFormat format;
  size_t queries = 0, errors = 0;
  for (const auto& path : test::xml_files(kCorpus / "queries")) {
    const std::string name = path.filename().string();
    BOOST_TEST_CONTEXT(name) {
      const auto it = manifest.find(name);
      BOOST_TEST_REQUIRE((it != manifest.end()), "no line in expected.txt");
      const test::Expectation& want = it->second;
      auto compiled = format.compile(default_query(test::read_file(path)));
      if (want.error) {
        ++errors;
        BOOST_TEST_REQUIRE(!compiled.ok(), "compiled, expected " << want.status);
        const Error& e = compiled.error();
        BOOST_TEST(std::string(wire_name(e.type())) == want.status, e.message());
        BOOST_TEST(details_of(e) == want.details, boost::test_tools::per_element());
        for (const auto& w : want.words) BOOST_TEST(e.message().find(w) != std::string::npos, e.message() << " lacks " << w);
        continue;
      }
      ++queries;
      BOOST_TEST_REQUIRE(compiled.ok(), (compiled.ok() ? "" : compiled.error().message()));
      std::set<std::string> got;
      for (const auto& [doc, markup] : docs)
        if ((*compiled)->matches(markup)) got.insert(doc);
      BOOST_TEST(join(got) == join(want.docs));
    }
  }
  BOOST_TEST(queries >= 45u);
  BOOST_TEST(errors >= 10u);
  BOOST_TEST(queries + errors == manifest.size(), "expected.txt names a query file that does not exist");
}

// The corpus documents are what the content registry calls STIX, so can_evaluate holds.
BOOST_AUTO_TEST_CASE(corpus_documents_can_be_evaluated) {
  auto p = compile_ok(tdq::DefaultQueryFormat{}, dq(and_of(criterion("**", "exists", ""))));
  for (const auto& path : test::xml_files(kCorpus / "content")) {
    const std::string stem = path.stem().string();
    const std::string version = stem.substr(stem.rfind('-') + 1);
    BOOST_TEST(p->can_evaluate("urn:stix.mitre.org:xml:" + version), stem);
    BOOST_TEST(p->matches(test::read_file(path)), stem);
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(evaluation)

BOOST_AUTO_TEST_CASE(catastrophic_regex_is_bounded) {
  const std::string doc = title_doc(std::string(10000, 'a') + "!");
  const tdq::DefaultQueryFormat f;
  auto p = compile_ok(f, dq(and_of(criterion("**/Title", "matches", param("value", "(a+)+$"), "regex-1"))));
  const auto t0 = std::chrono::steady_clock::now();
  BOOST_TEST(!p->matches(doc));
  auto nested = compile_ok(f, dq(and_of(criterion("**/Title", "matches", param("value", "^(a|aa|a*)*(b|$)"), "regex-1"))));
  BOOST_TEST(!nested->matches(doc));
  BOOST_TEST(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() < 2.0);
  auto yes = compile_ok(f, dq(and_of(criterion("**/Title", "matches", param("value", "(a+)+!$"), "regex-1"))));
  BOOST_TEST(yes->matches(doc));
}

BOOST_AUTO_TEST_CASE(regex_limits_make_a_block_unevaluable_even_under_negation) {
  tdq::DefaultQueryOptions o;
  o.regex_budget = 1000;
  const tdq::DefaultQueryFormat f(o);
  const std::string doc = title_doc(std::string(5000, 'x'));
  const std::string test = criterion("**/Title", "matches", param("value", "y"), "regex-1");
  BOOST_TEST(!compile_ok(f, dq(and_of(test)))->matches(doc));
  const std::string negated = "<tdq:Criterion negate=\"true\"" + test.substr(std::string("<tdq:Criterion").size());
  BOOST_TEST(!compile_ok(f, dq(and_of(negated)))->matches(doc));  // over budget: no match either way
  BOOST_TEST(compile_ok(f, dq(and_of(negated)))->matches(title_doc("xx")));  // within budget: negation works

  tdq::DefaultQueryOptions small;
  small.regex_max_input = 100;
  const tdq::DefaultQueryFormat g(small);
  BOOST_TEST(!compile_ok(g, dq(and_of(negated)))->matches(doc));
  BOOST_TEST(compile_ok(g, dq(and_of(negated)))->matches(title_doc("short")));
}

BOOST_AUTO_TEST_CASE(content_that_is_not_xml_does_not_match) {
  auto p = compile_ok(tdq::DefaultQueryFormat{}, dq(and_of(criterion("**", "does_not_exist", ""))));
  BOOST_TEST(!p->matches(""));
  BOOST_TEST(!p->matches("MIAGCSqGSIb3DQEHA6CAMIACAQAx"));
  BOOST_TEST(!p->matches("<a><b></a>"));
  BOOST_TEST(!p->matches(R"(<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>)"));
  BOOST_TEST(!p->can_evaluate("http://www.w3.org/2001/04/xmlenc#|urn:stix.mitre.org:xml:1.1.1"));
  BOOST_TEST(!p->can_evaluate(std::string(urn::kCap12)));
  BOOST_TEST(p->can_evaluate(std::string(urn::kStix10)));
}

BOOST_AUTO_TEST_CASE(element_values_are_own_text_trimmed) {
  const tdq::DefaultQueryFormat f;
  const std::string eq = param("match_type", "case_sensitive_string");
  // Mixed content: an element's value is its own character data, not its descendants'.
  const std::string doc = package("<stix:STIX_Header><stix:Description>\n  part one <b>bold</b> part two\n</stix:Description></stix:STIX_Header>");
  BOOST_TEST(compile_ok(f, dq(and_of(criterion("**/Description", "equals", eq + param("value", "part one  part two")))))->matches(doc));
  BOOST_TEST(!compile_ok(f, dq(and_of(criterion("**/Description", "contains", param("value", "bold")))))->matches(doc));
  // A container's value is empty.
  BOOST_TEST(compile_ok(f, dq(and_of(criterion("STIX_Package/STIX_Header", "equals", eq + param("value", "")))))->matches(doc));
}

BOOST_AUTO_TEST_CASE(predicates_are_shared_between_threads) {
  auto p = compile_ok(tdq::DefaultQueryFormat{},
                      dq(and_of(criterion("**/Title", "matches", param("value", "^T\\d+$"), "regex-1"))));
  std::atomic<int> wrong{0};
  auto work = [&](int seed) {
    for (int i = 0; i < 300; ++i) {
      const bool want = (i + seed) % 2 == 0;
      if (p->matches(title_doc(want ? "T" + std::to_string(i) : "U" + std::to_string(i))) != want) ++wrong;
    }
  };
  std::thread a(work, 0), b(work, 1);
  a.join();
  b.join();
  BOOST_TEST(wrong.load() == 0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(compile_checks)

BOOST_AUTO_TEST_CASE(nesting_is_bounded) {
  const std::string leaf = criterion("**", "exists", "");
  auto nest = [&](int levels) {
    std::string s = leaf;
    for (int i = 0; i < levels; ++i) s = "<tdq:Criteria operator=\"" + std::string(i % 2 ? "OR" : "AND") + "\">" + s + "</tdq:Criteria>";
    return dq(s);
  };
  const tdq::DefaultQueryFormat f;
  BOOST_TEST(compile_ok(f, nest(64))->matches(title_doc("t")));
  auto r = f.compile(default_query(nest(65)));
  BOOST_TEST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().type() == StatusType::BadMessage);
  BOOST_TEST(r.error().message().find("deeper than 64") != std::string::npos);
  // Far beyond: the parser's own depth limit answers, still BAD_MESSAGE.
  r = f.compile(default_query(nest(400)));
  BOOST_TEST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().type() == StatusType::BadMessage);
}

BOOST_AUTO_TEST_CASE(criterion_count_and_target_length_are_bounded) {
  tdq::DefaultQueryOptions o;
  o.max_criterion = 3;
  const tdq::DefaultQueryFormat f(o);
  const std::string c = criterion("**", "exists", "");
  BOOST_TEST(f.compile(default_query(dq(and_of(c + c + c)))).ok());
  auto r = f.compile(default_query(dq(and_of(c + c + c + c))));
  BOOST_TEST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().type() == StatusType::BadMessage);

  std::string long_target = "STIX_Package";
  for (int i = 0; i < 40; ++i) long_target += "/**";
  r = tdq::DefaultQueryFormat{}.compile(default_query(dq(and_of(criterion(long_target, "exists", "")))));
  BOOST_TEST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().type() == StatusType::UnsupportedTargetingExpression);
}

BOOST_AUTO_TEST_CASE(body_must_be_a_valid_default_query) {
  const tdq::DefaultQueryFormat f;
  for (const std::string& body :
       {std::string(), std::string("not xml"), std::string("<tdq:Default_Query xmlns:tdq=\"urn:wrong\"/>"),
        std::string(R"(<tdq:Default_Query_Info xmlns:tdq="http://taxii.mitre.org/query/taxii_default_query-1"><tdq:Targeting_Expression_Info targeting_expression_id="urn:stix.mitre.org:xml:1.2"><tdq:Allowed_Scope>**</tdq:Allowed_Scope></tdq:Targeting_Expression_Info><tdq:Capability_Module>urn:taxii.mitre.org:query:capability:core-1</tdq:Capability_Module></tdq:Default_Query_Info>)"),
        dq("<tdq:Criteria operator=\"AND\"/>"), dq("")}) {
    BOOST_TEST_CONTEXT(body) {
      auto r = f.compile(default_query(body));
      BOOST_TEST_REQUIRE(!r.ok());
      BOOST_TEST(r.error().type() == StatusType::BadMessage);
    }
  }
}

BOOST_AUTO_TEST_CASE(queries_in_reference_messages_compile) {
  // The Default Query bodies of the reference sample messages (optional material): libtaxii's
  // zone-less timestamps, nested Criteria, every relationship of the three modules.
  if (!test::have_shared_spec()) return;
  const tdq::DefaultQueryFormat f;
  size_t compiled = 0;
  for (const auto& path : test::xml_files(test::shared_spec() / "samples" / "1.1")) {
    const std::string text = test::read_file(path);
    auto doc = xml::parse_untyped(text, xml::ParseLimits{});
    BOOST_TEST_REQUIRE(doc.ok());
    for (int32_t i = 0; i < static_cast<int32_t>(doc->nodes.size()); ++i) {
      const xml::XmlNode& n = doc->node(i);
      if (n.kind != xml::XmlNode::Kind::Element || n.local != "Default_Query" || n.ns != urn::kNsDefaultQuery) continue;
      BOOST_TEST_CONTEXT(path.filename()) {
        auto r = f.compile(default_query(doc->outer_xml(i)));
        BOOST_TEST(r.ok(), (r.ok() ? "" : r.error().message()));
        compiled += r.ok();
      }
    }
  }
  BOOST_TEST(compiled >= 5u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(registry)

BOOST_AUTO_TEST_CASE(duplicate_format_is_an_error) {
  QueryFormatRegistry r;
  BOOST_TEST_REQUIRE(register_builtin_query_formats(r).ok());
  auto st = r.add(std::make_unique<tdq::DefaultQueryFormat>());
  BOOST_TEST_REQUIRE(!st.ok());
  BOOST_TEST(st.error().type() == StatusType::Failure);
  BOOST_TEST(st.error().message().find(std::string(urn::kQueryDefault10)) != std::string::npos);
  BOOST_TEST(!register_builtin_query_formats(r).ok());
  BOOST_TEST(!r.add(nullptr).ok());
  BOOST_TEST(r.size() == 1u);
  BOOST_TEST(r.find(urn::kQueryDefault10) != nullptr);
  BOOST_TEST(r.ids() == std::vector<std::string>{std::string(urn::kQueryDefault10)}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(unknown_format_lists_the_supported_ones) {
  QueryFormatRegistry r;
  BOOST_TEST_REQUIRE(register_builtin_query_formats(r).ok());
  auto c = r.compile({"urn:example.com:query:sql:1.0", Mixed{"SELECT 1"}});
  BOOST_TEST_REQUIRE(!c.ok());
  BOOST_TEST(c.error().type() == StatusType::UnsupportedQuery);
  const std::vector<std::string> want{"SUPPORTED_QUERY=" + std::string(urn::kQueryDefault10)};
  BOOST_TEST(details_of(c.error()) == want, boost::test_tools::per_element());

  QueryFormatRegistry none;  // no query support at all: no details
  c = none.compile({std::string(urn::kQueryDefault10), Mixed{}});
  BOOST_TEST_REQUIRE(!c.ok());
  BOOST_TEST(c.error().type() == StatusType::UnsupportedQuery);
  BOOST_TEST(c.error().details().empty());

  // A known format compiles through the registry.
  auto ok = r.compile(default_query(dq(and_of(criterion("**", "exists", "")))));
  BOOST_TEST(ok.ok());
}

// Services 1.1 §4.2: each Supported_Query of a Service_Instance names a different format.
BOOST_AUTO_TEST_CASE(supported_queries_are_schema_valid_one_per_format) {
  QueryFormatRegistry r;
  BOOST_TEST_REQUIRE(register_builtin_query_formats(r).ok());
  const auto sq = r.supported_queries();
  BOOST_TEST_REQUIRE(sq.size() == 1u);
  BOOST_TEST(sq[0].format_id == std::string(urn::kQueryDefault10));
  auto doc = xml::parse_document(sq[0].body.xml, xml::ParseLimits{});  // validates
  BOOST_TEST_REQUIRE(doc.ok(), (doc.ok() ? "" : doc.error().message()));
  BOOST_TEST(sq[0].body.xml.find("targeting_expression_id=\"urn:stix.mitre.org:xml:1.1.1\"") != std::string::npos);
  BOOST_TEST(sq[0].body.xml.find("<tdq:Allowed_Scope>**</tdq:Allowed_Scope>") != std::string::npos);
  for (const auto& m : r.find(urn::kQueryDefault10)->capability_modules())
    BOOST_TEST(sq[0].body.xml.find(m) != std::string::npos);
  const auto mods = r.find(urn::kQueryDefault10)->capability_modules();
  BOOST_TEST(mods.size() == 3u);
}

BOOST_AUTO_TEST_SUITE_END()
