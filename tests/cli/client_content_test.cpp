// client/content.hpp: files become Content so that push -> server -> poll --output-dir gives
// the same bytes. The server and the polling client are simulated by the XML binding: the
// Inbox_Message is parsed as a server would, its content re-sent in a Poll_Response and parsed
// again as the client does.
#define BOOST_TEST_MODULE client_content
#include <boost/test/unit_test.hpp>

#include "bindings/xml/message_binding.hpp"
#include "client/content.hpp"
#include "client/errors.hpp"
#include "tests/support/files.hpp"

using namespace taxii;

namespace {

const std::string kDecl(client::kXmlDeclaration);

template <class T>
std::string why(const Result<T>& r) {
  return r.ok() ? std::string() : r.error().message();
}

const std::string kCanonicalStix =
    "<stix:STIX_Package xmlns:stix=\"http://stix.mitre.org/stix-1\" xmlns:indicator=\"http://stix.mitre.org/Indicator-2\" "
    "id=\"example:Package-1\" version=\"1.2\">\n"
    "  <stix:Indicators>\n"
    "    <stix:Indicator id=\"example:indicator-1\" timestamp=\"2014-05-08T09:00:00Z\">\n"
    "      <indicator:Title>Bad &amp; worse &lt;IP&gt;</indicator:Title>\n"
    "    </stix:Indicator>\n"
    "  </stix:Indicators>\n"
    "</stix:STIX_Package>\n";

// m as the other side reads it: serialized and parsed again by the XML binding.
template <class M>
M reparsed(const M& m) {
  auto r = xml::parse_any(*xml::serialize_any(Message{m}));
  BOOST_TEST_REQUIRE(r.ok(), why(r));
  return std::get<M>(*r);
}

// `content` pushed in block `b` of an Inbox_Message, stored as the server parsed it, and sent
// back in the same block of Poll_Response `pr`: the bytes the polling client writes.
template <class Inbox, class Block, class Poll>
std::string through_server(const Mixed& content, Block b, Poll pr) {
  Inbox in;
  in.message_id = "1";
  b.content = content;
  in.content_blocks.push_back(b);
  b.content = reparsed(in).content_blocks.at(0).content;
  pr.message_id = "2";
  pr.in_response_to = "1";
  pr.content_blocks.push_back(b);
  return client::file_bytes(reparsed(pr).content_blocks.at(0).content);
}

// Bytes after push, storage and poll, as `taxii poll --output-dir` writes them.
std::string round_trip(const std::string& file, client::ContentForm form, Version v, bool* as_xml = nullptr) {
  auto p = client::prepare_content(file, form, v);
  BOOST_TEST_REQUIRE(p.ok(), why(p));
  if (as_xml) *as_xml = p->as_xml;
  if (v == Version::V11) {
    v11::ContentBlock b;
    b.binding_id = "urn:stix.mitre.org:xml:1.2";
    v11::PollResponse pr;
    pr.collection_name = "c";
    pr.inclusive_end = Timestamp::from_micros(1);
    return through_server<v11::InboxMessage>(p->content, b, pr);
  }
  v10::ContentBlock b;
  b.binding = "urn:stix.mitre.org:xml:1.1.1";
  v10::PollResponse pr;
  pr.feed_name = "c";
  return through_server<v10::InboxMessage>(p->content, b, pr);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(auto_form)

BOOST_AUTO_TEST_CASE(a_canonical_stix_file_goes_as_markup_and_comes_back_identical) {
  const std::string file = kDecl + kCanonicalStix;
  for (Version v : {Version::V11, Version::V10}) {
    bool as_xml = false;
    BOOST_TEST(round_trip(file, client::ContentForm::Auto, v, &as_xml) == file);
    BOOST_TEST(as_xml);
  }
  auto p = client::prepare_content(file, client::ContentForm::Auto, Version::V11);
  BOOST_TEST(p->content.xml == kCanonicalStix);  // no declaration inside Content
}

BOOST_AUTO_TEST_CASE(files_whose_markup_would_change_go_as_text_and_come_back_identical) {
  const std::vector<std::string> files = {
      kCanonicalStix,                                                    // no declaration
      "\xEF\xBB\xBF" + kDecl + kCanonicalStix,                           // BOM
      "<?xml version='1.0' encoding='utf-8'?>\n" + kCanonicalStix,       // other declaration
      kDecl + "<a><b></a>\n",                                            // not well-formed
      kDecl + "<!DOCTYPE a><a/>\n",                                      // DOCTYPE
      "plain text, \"quoted\" & <angled>\n\ttabbed\r\n",                 // not XML at all
      "",                                                                // empty
      "{\"type\": \"bundle\"}",                                          // JSON
  };
  for (const auto& f : files) {
    bool as_xml = true;
    BOOST_TEST(round_trip(f, client::ContentForm::Auto, Version::V11, &as_xml) == f);
    BOOST_TEST(!as_xml);
  }
}

// The XML binding keeps any-content as the sender's bytes, so markup that a parser would
// normalize (line breaks inside tags, quote style, <a></a>, '>' and character references,
// CR LF) still goes as XML and comes back byte for byte.
BOOST_AUTO_TEST_CASE(markup_goes_as_xml_and_comes_back_identical) {
  const std::vector<std::string> files = {
      kDecl + "<a\n    b=\"1\"\n    c='2'></a>\n",
      kDecl + "<a>x &gt; y > z &#65;</a>\n",
      kDecl + "<a>\r\n</a>\r\n",
  };
  for (const auto& f : files) {
    bool as_xml = false;
    BOOST_TEST(round_trip(f, client::ContentForm::Auto, Version::V11, &as_xml) == f);
    BOOST_TEST(as_xml);
  }
}

BOOST_AUTO_TEST_CASE(the_shared_stix_samples_come_back_identical) {
  if (!test::have_shared_spec()) {
    BOOST_TEST_MESSAGE("SKIP shared STIX samples: ../shared/spec not present");
    return;
  }
  int n = 0;
  for (const auto& p : test::xml_files(test::shared_spec() / "samples" / "stix")) {
    const std::string file = test::read_file(p);
    BOOST_TEST(round_trip(file, client::ContentForm::Auto, Version::V11) == file, p.filename());
    BOOST_TEST(round_trip(kDecl + file, client::ContentForm::Auto, Version::V11) == kDecl + file, p.filename());
    ++n;
  }
  BOOST_TEST(n > 0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(forced_forms)

BOOST_AUTO_TEST_CASE(xml_strips_bom_and_declaration_and_refuses_non_xml) {
  auto p = client::prepare_content("\xEF\xBB\xBF<?xml version='1.0'?>\r\n\n<a  x='1'/>", client::ContentForm::Xml, Version::V11);
  BOOST_TEST_REQUIRE(p.ok(), why(p));
  BOOST_TEST(p->as_xml);
  BOOST_TEST(p->content.xml == "<a  x='1'/>");
  BOOST_TEST(round_trip("<a  x='1'/>", client::ContentForm::Xml, Version::V11) == kDecl + "<a  x='1'/>");
  auto bad = client::prepare_content("<a><b></a>", client::ContentForm::Xml, Version::V11);
  BOOST_TEST_REQUIRE(!bad.ok());
  BOOST_TEST(bad.error().message().find("not well-formed") != std::string::npos);
  BOOST_TEST(!client::prepare_content("just text", client::ContentForm::Xml, Version::V11).ok());
}

BOOST_AUTO_TEST_CASE(text_is_verbatim) {
  const std::string f = kDecl + kCanonicalStix;
  auto p = client::prepare_content(f, client::ContentForm::Text, Version::V11);
  BOOST_TEST(!p->as_xml);
  BOOST_TEST(p->content.text_value() == f);
  BOOST_TEST(round_trip(f, client::ContentForm::Text, Version::V11) == f);
}

BOOST_AUTO_TEST_CASE(what_xml_cannot_carry_is_refused) {
  for (const std::string& f : {std::string("a\0b", 3), std::string("\xC3\x28"), std::string("\xFF\xFE<\0a\0"),
                               std::string("bell\x07")}) {
    auto p = client::prepare_content(f, client::ContentForm::Auto, Version::V11);
    BOOST_TEST_REQUIRE(!p.ok());
    BOOST_TEST(client::origin_of(p.error()) == client::ErrorOrigin::Local);
  }
  auto latin = client::prepare_content("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<a>caf\xC3\xA9</a>",
                                       client::ContentForm::Auto, Version::V11);
  BOOST_TEST_REQUIRE(!latin.ok());
  BOOST_TEST(latin.error().message().find("ISO-8859-1") != std::string::npos);
  BOOST_TEST(client::prepare_content("caf\xC3\xA9 \xF0\x9F\x98\x80", client::ContentForm::Auto, Version::V11).ok());
}

BOOST_AUTO_TEST_CASE(extensions_follow_the_content) {
  BOOST_TEST(client::file_extension(Mixed{"<a/>"}) == ".xml");
  BOOST_TEST(client::file_extension(Mixed::text("  <?xml version=\"1.0\"?><a/>")) == ".xml");
  BOOST_TEST(client::file_extension(Mixed::text("{\"a\": 1}")) == ".txt");
  BOOST_TEST(client::stream_bytes(Mixed{"<a/>"}) == "<a/>");
  BOOST_TEST(client::file_bytes(Mixed{"<a/>"}) == kDecl + "<a/>");
}

BOOST_AUTO_TEST_SUITE_END()
