// The payload fast path of parse_document (payload_scan.hpp) against the full Xerces path
// (parse_document_full): for every input both must agree — same success or the same error
// message, and on success the same mapped Message (so the same captured payload bytes and
// namespace splice). Inputs: the samples, the hostile corpus, hand-written tricky payloads,
// and deterministic random mutations of a message of bench/run's STIX indicators.
#define BOOST_TEST_MODULE payload_scan
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "bench/stix_content.hpp"
#include "bindings/xml/binding_internal.hpp"
#include "bindings/xml/xml_document.hpp"
#include "core/urn.hpp"
#include "tests/support/files.hpp"

using namespace taxii;
namespace fs = std::filesystem;

namespace {

int g_fast = 0;  // inputs the fast path took

Result<Message> map(const Result<xml::XmlDocument>& doc) {
  if (!doc.ok()) return doc.error();
  return xml::map_any(*doc);
}

// Returns whether the fast path was taken.
bool agree(const std::string& body, const std::string& what, xml::ParseLimits limits = {}) {
  auto fast = xml::parse_document(body, limits);
  auto full = xml::parse_document_full(body, limits);
  BOOST_TEST_REQUIRE(fast.ok() == full.ok(), what << ": fast " << (fast.ok() ? "ok" : fast.error().message())
                                                  << " / full " << (full.ok() ? "ok" : full.error().message()));
  if (!fast.ok()) {
    BOOST_TEST(fast.error().message() == full.error().message(), what);
    return false;
  }
  auto a = map(fast);
  auto b = map(full);
  BOOST_TEST_REQUIRE(a.ok() == b.ok(), what << ": mapping " << (a.ok() ? "ok" : a.error().message()) << " / "
                                            << (b.ok() ? "ok" : b.error().message()));
  if (a.ok()) BOOST_TEST((*a == *b), what << ": messages differ");
  else BOOST_TEST(a.error().message() == b.error().message(), what);
  const bool used = !fast->fragments.empty();
  g_fast += used ? 1 : 0;
  return used;
}

const std::string kNs11 = std::string(urn::kNsXml11);
const std::string kNs10 = std::string(urn::kNsXml10);

// A filler block large enough for the fast path to be worth taking.
std::string filler() { return bench::stix_indicator(7, 3); }

std::string inbox11(const std::vector<std::string>& payloads, const std::string& root_extra = "") {
  std::string s = "<t:Inbox_Message xmlns:t=\"" + kNs11 + "\" message_id=\"1\"" + root_extra + ">";
  for (const auto& p : payloads)
    s += "<t:Content_Block><t:Content_Binding binding_id=\"urn:stix.mitre.org:xml:1.1.1\"/><t:Content>" + p +
         "</t:Content></t:Content_Block>";
  return s + "</t:Inbox_Message>";
}

std::string inbox10(const std::vector<std::string>& payloads) {
  std::string s = "<taxii:Inbox_Message xmlns:taxii=\"" + kNs10 + "\" message_id=\"1\">";
  for (const auto& p : payloads)
    s += "<taxii:Content_Block><taxii:Content_Binding>urn:stix.mitre.org:xml:1.1.1</taxii:Content_Binding>"
         "<taxii:Content>" + p + "</taxii:Content></taxii:Content_Block>";
  return s + "</taxii:Inbox_Message>";
}

std::string strip_prolog(std::string s) {
  for (;;) {
    const size_t b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return s;
    if (s.compare(b, 2, "<?") == 0) s = s.substr(s.find("?>", b) + 2);
    else if (s.compare(b, 4, "<!--") == 0) s = s.substr(s.find("-->", b) + 3);
    else return s.substr(b);
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(generated_indicators_take_the_fast_path_and_agree) {
  std::vector<std::string> blocks;
  for (int i = 0; i < 20; ++i) blocks.push_back(bench::stix_indicator(1, i));
  BOOST_TEST(agree(inbox11(blocks), "20 indicators (1.1)"));
  BOOST_TEST(agree(inbox10(blocks), "20 indicators (1.0)"));
}

// A UTF-8 byte order mark before the message: Xerces counts its offsets from after the BOM;
// taken as they came, every payload lost its last three bytes and gained "nt>" (the end of
// "<t:Content>") in front, on both paths (xml_binding_fuzz found it through a namespace
// splice that differed). The payload must come back exactly, small or large, 1.1 or 1.0,
// with or without an XML declaration.
BOOST_AUTO_TEST_CASE(a_byte_order_mark_does_not_shift_payloads) {
  const std::string small = "<a xmlns=\"urn:a\">h\xC3\xA9llo</a>";
  const std::string large = filler();
  for (const std::string& decl : {std::string(), std::string("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")}) {
    for (const bool v11 : {true, false}) {
      const std::string body = "\xEF\xBB\xBF" + decl + (v11 ? inbox11({small, large}) : inbox10({small, large}));
      BOOST_TEST(agree(body, "BOM " + std::string(v11 ? "1.1" : "1.0") + (decl.empty() ? "" : " + declaration")));
      for (auto* parse : {&xml::parse_document, &xml::parse_document_full}) {
        auto m = map(parse(body, {}));
        BOOST_TEST_REQUIRE(m.ok());
        if (v11) {
          const auto& in = std::get<v11::InboxMessage>(*m);
          BOOST_TEST_REQUIRE(in.content_blocks.size() == 2u);
          BOOST_TEST(in.content_blocks[0].content.xml == small);
          BOOST_TEST(in.content_blocks[1].content.xml == large);
        } else {
          const auto& in = std::get<v10::InboxMessage>(*m);
          BOOST_TEST_REQUIRE(in.content_blocks.size() == 2u);
          BOOST_TEST(in.content_blocks[0].content.xml == small);
          BOOST_TEST(in.content_blocks[1].content.xml == large);
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(sample_files_agree) {
  std::vector<fs::path> files;
  for (const char* d : {"samples/stix", "tests/hostile/corpus", "tests/conformance/roundtrip", "tests/conformance/invalid"})
    for (auto& f : test::xml_files(test::source_dir() / d)) files.push_back(f);
  if (test::have_shared_spec())
    for (const char* d : {"1.1", "1.0"})
      for (auto& f : test::xml_files(test::shared_spec() / "samples" / d)) files.push_back(f);
  for (const auto& f : files) {
    const std::string body = test::read_file(f);
    agree(body, f.string());
    // As the content of a block too (samples/stix are the interesting ones).
    agree(inbox11({filler(), strip_prolog(body)}), "in a block: " + f.string());
  }
  BOOST_TEST_MESSAGE(files.size() << " files, fast path taken " << g_fast << " times");
}

BOOST_AUTO_TEST_CASE(tricky_payloads_agree) {
  const std::string root_extra =
      " xmlns:b=\"urn:b\" xmlns:c=\"urn:b\" xmlns:v=\"urn:vocab\" xmlns=\"urn:default\""
      " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns:xs=\"http://www.w3.org/2001/XMLSchema\"";
  const std::vector<std::pair<std::string, bool>> cases = {
      // {payload, expected to take the fast path}
      {"<x/>", true},
      {"text only &amp; &#x41;&#66; <![CDATA[ <raw> & ]]> more", true},
      {"<b:x b:a=\"1\" c:z=\"2\"/>", true},
      {"<a:x xmlns:a=\"urn:a\"><a:y type=\"v:T\">v:text</a:y></a:x>", true},
      {"<x xsi:type=\"v:T\">  \n v:lead</x>", true},
      {"<x>&#118;:fromref</x>", true},
      {"<x attr=\"&#118;:ref\"/>", true},
      {"<x><!-- c - c --><?pi data?><?pi?><![CDATA[v:cdata]]></x>", true},
      {"<x>one</x> between <y>two</y><!--c-->", true},
      {"<x xmlns=\"\"><y/></x>", true},
      {"<p:x xmlns:p=\"urn:p\"><p:y xmlns:p=\"urn:q\" b:a=\"v:x\"/></p:x>", true},
      {"<x xml:lang=\"en\">caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80</x>", true},
      {"<x>\r\nline\r\n</x>\n<y\n a='1'\n/>", true},
      {"<x a=\"&lt;&gt;&quot;&apos;\" b:c='\"'/>", true},
      // Unusual but valid: left to Xerces.
      {"<caf\xC3\xA9/>", false},
      {"<x xsi:nil=\"true\"/>", false},
      {"<x xsi:type=\"xs:string\">s</x>", false},
      {"<x xsi:type=\"T\"/>", false},
      {"<t:Discovery_Request xmlns:t=\"" + kNs11 + "\" message_id=\"2\"/>", false},
      {"<t:Bogus xmlns:t=\"" + kNs11 + "\"/>", false},
      {"<x><ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"/></x>", false},
      {"<?xml-stylesheet href=\"a\"?><x/>", true},
      // Errors.
      {"<u:x/>", false},
      {"<x>&bogus;</x>", false},
      {"<x>]]></x>", false},
      {"<x>\x01</x>", false},
      {"<x>\xC0\x80</x>", false},
      {"<x>\xED\xA0\x80</x>", false},
      {"<x>\xF4\x90\x80\x80</x>", false},
      {"<x>\xEF\xBF\xBE</x>", false},
      {"<x>&#0;</x>", false},
      {"<x>&#xD800;</x>", false},
      {"<x></y>", false},
      {"<x a=\"1\" a=\"2\"/>", false},
      {"<x b:a=\"1\" c:a=\"2\"/>", false},
      {"<x a=1/>", false},
      {"<x a=\"<\"/>", false},
      {"<x a=\"1\"b=\"2\"/>", false},
      {"<x xmlns:p=\"\"/>", false},
      {"<!DOCTYPE x><x/>", false},
      {"<x><!-- a -- b --></x>", false},
      {"<x><!-- a ---></x>", false},
      {"<?xml version=\"1.0\"?><x/>", false},
      {"<x><![CDATA[ unterminated </x>", false},
      {"<x>", false},
      {"</x>", false},
      {"<x:y:z xmlns:x=\"urn:x\"/>", false},
      {"<x xmlns:xml=\"urn:nope\"/>", false},
      {"<x xmlns:p=\"http://www.w3.org/XML/1998/namespace\"/>", false},
      {"<x>&#x110000;</x>", false},
      {"<x>&amp</x>", false},
      {"<x><?pi unterminated</x>", false},
  };
  for (const auto& [payload, fast] : cases) {
    const bool used = agree(inbox11({filler(), payload}, root_extra), payload);
    if (fast) BOOST_TEST(used, "fast path expected for: " << payload);
    else BOOST_TEST(!used, "full path expected for: " << payload);
    agree(inbox10({filler(), payload}), "1.0: " + payload);
    agree(inbox11({filler(), "<w>" + payload + "</w>"}, root_extra), "wrapped: " + payload);
  }
  // Limits: depth and element count count the payload too.
  std::string deep = filler();
  for (int i = 0; i < 300; ++i) deep += "<d>";
  for (int i = 0; i < 300; ++i) deep += "</d>";
  BOOST_TEST(!agree(inbox11({deep}), "300 deep"));
  xml::ParseLimits few;
  few.max_elements = 12;
  BOOST_TEST(!agree(inbox11({filler()}), "element limit", few));
  // A flood of top-level siblings is left to Xerces (bounded bookkeeping in the scanner).
  std::string flat;
  for (int i = 0; i < 1025; ++i) flat += "<e/>";
  BOOST_TEST(!agree(inbox11({filler(), flat}), "1025 top-level elements"));
  BOOST_TEST(agree(inbox11({filler(), "<w>" + flat + "</w>"}), "1025 nested elements"));
  // Text and attribute values that start with a long run of name characters (a hex dump, a
  // long identifier) stay on the fast path; only a prefix longer than 256 bytes leaves it.
  const std::string hex(4096, 'a');
  BOOST_TEST(agree(inbox11({filler(), "<x>" + hex + "</x>"}), "4 KiB of hex text"));
  BOOST_TEST(agree(inbox11({filler(), "<x v=\"" + hex + "\"/>"}), "4 KiB of hex in an attribute"));
  BOOST_TEST(agree(inbox11({filler(), "<x>" + std::string(256, 'p') + ":T</x>"}), "256-byte prefix"));
  BOOST_TEST(!agree(inbox11({filler(), "<x>" + std::string(257, 'p') + ":T</x>"}), "257-byte prefix"));
  // An envelope error after a payload on the same line reads exactly as without the fast path.
  std::string bad = inbox11({filler(), filler()});
  bad.insert(bad.rfind("</t:Content_Block>"), "<t:Unexpected/>");
  BOOST_TEST(!agree(bad, "envelope error"));
}

BOOST_AUTO_TEST_CASE(random_mutations_agree) {
  std::vector<std::string> blocks;
  for (int i = 0; i < 3; ++i) blocks.push_back(bench::stix_indicator(3, i));
  blocks.push_back("<a:x xmlns:a=\"urn:a\" b:k=\"v:1\">v:t<![CDATA[x]]>&#65;<!--c--><?p d?></a:x>");
  const std::string base = inbox11(blocks, " xmlns:b=\"urn:b\" xmlns:v=\"urn:v\"");
  bench::Rng rng{12345};
  static const char* const kBits[] = {"<", ">", "&", ";", ":", "\"", "'", "/", "]]>", "<!--", "-->", "&#", "\xC3",
                                      "\xA9", "\x01", " ", "\n", "xmlns:q=\"urn:q\" ", "<![CDATA[", "?>", "=", "q:"};
  int fast = 0;
  const int n = 3000;
  for (int k = 0; k < n; ++k) {
    std::string s = base;
    const int edits = 1 + static_cast<int>(rng.below(3));
    for (int e = 0; e < edits; ++e) {
      const size_t at = rng.below(s.size());
      switch (rng.below(4)) {
        case 0: s.erase(at, 1 + rng.below(8)); break;
        case 1: s.insert(at, rng.pick(kBits)); break;
        case 2: s[at] = static_cast<char>(rng.below(256)); break;
        default: {
          const size_t from = rng.below(s.size());
          s.insert(at, s.substr(from, 1 + rng.below(40)));
        }
      }
    }
    fast += agree(s, "mutation " + std::to_string(k)) ? 1 : 0;
  }
  BOOST_TEST_MESSAGE(n << " mutations, fast path taken " << fast << " times");
  BOOST_TEST(fast > n / 10);  // the mutations mostly hit payload bytes, which the scanner checks
}

// Past the small-set thresholds of the namespace splice (docs/security.md "Linear-time
// parsing"): 40 envelope declarations (20 of them used only in values, 2 bound to the TAXII
// namespace), 12 own declarations, 30 prefixes in names and values, 10,000 value prefixes
// the envelope does not declare, more than 8 attributes with prefixes. Both paths must splice
// the same declarations, in the same order.
BOOST_AUTO_TEST_CASE(many_prefixes_splice_alike) {
  std::string root_extra;
  for (int i = 0; i < 40; ++i) root_extra += " xmlns:e" + std::to_string(i) + "=\"urn:e" + std::to_string(i) + "\"";
  root_extra += " xmlns:tx=\"" + kNs11 + "\" xmlns:ty=\"" + kNs11 + "\"";
  std::string p = "<e0:top";
  for (int i = 0; i < 12; ++i) p += " xmlns:o" + std::to_string(i) + "=\"urn:o\"";
  for (int i = 1; i < 12; ++i) p += " e" + std::to_string(i) + ":a=\"v\"";
  p += " kind=\"tx:T\">";
  for (int i = 12; i < 20; ++i) p += "<e" + std::to_string(i) + ":c o" + std::to_string(i % 12) + ":b=\"1\"/>";
  for (int i = 20; i < 40; ++i) p += "<v a=\"e" + std::to_string(i) + ":x\">ty:y</v>";
  for (int i = 0; i < 10000; ++i) p += "<w>z" + std::to_string(i) + ":x</w>";
  p += "</e0:top>";
  for (const bool full : {false, true}) {
    const std::string body = inbox11({full ? "<\xC3\xA9/>" + p : p, filler()}, root_extra);
    BOOST_TEST(agree(body, full ? "many prefixes (Xerces path)" : "many prefixes") == !full);
    auto m = map(xml::parse_document(body, {}));
    BOOST_TEST_REQUIRE(m.ok(), (m.ok() ? "" : m.error().message()));
    const std::string& got = std::get<v11::InboxMessage>(*m).content_blocks[0].content.xml;
    // Every envelope prefix the payload uses, in the envelope's order; none of the TAXII ones
    // (used in values only), none it does not use.
    std::string want = "<e0:top";
    for (int i = 0; i < 40; ++i) want += " xmlns:e" + std::to_string(i) + "=\"urn:e" + std::to_string(i) + "\"";
    BOOST_TEST(got.find(want + " xmlns:o0=") != std::string::npos, got.substr(0, 1200));
    BOOST_TEST(got.find("xmlns:tx") == std::string::npos);
    BOOST_TEST(got.find("xmlns:ty") == std::string::npos);
  }
}
