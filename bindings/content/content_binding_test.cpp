#define BOOST_TEST_MODULE content_binding
#include <boost/test/unit_test.hpp>

#include "bindings/content/content_binding.hpp"
#include "core/urn.hpp"

using namespace taxii;
using namespace taxii::content;

namespace {

std::string stix_package(const std::string& version) {
  return R"(<stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1" id="x:1" version=")" + version +
         R"("><stix:STIX_Header><stix:Title>t</stix:Title></stix:STIX_Header></stix:STIX_Package>)";
}

v11::ContentBinding cb(std::string id, std::vector<std::string> subtypes = {}) { return {std::move(id), std::move(subtypes)}; }

}  // namespace

// The registry is not copyable (pointers into it stay valid): build it in place.
#define BUILTIN(name)                 \
  ContentBindingRegistry name;        \
  BOOST_TEST_REQUIRE(register_builtin_content_bindings(name).ok())

BOOST_AUTO_TEST_SUITE(registry)

BOOST_AUTO_TEST_CASE(builtin_bindings_are_all_there) {
  BUILTIN(r);
  for (std::string_view id : {urn::kStix10, urn::kStix101, urn::kStix11, urn::kStix111, urn::kStix12, urn::kCybox20,
                              urn::kCybox201, urn::kCybox21, urn::kCap11, urn::kCap12, urn::kXmlEnc, urn::kSmime}) {
    BOOST_TEST_CONTEXT(id) { BOOST_TEST(r.find(id) != nullptr); }
  }
  BOOST_TEST(r.size() == 12u);
  BOOST_TEST(r.find("urn:stix.mitre.org:xml:9.9") == nullptr);
  BOOST_TEST(r.find("URN:STIX.MITRE.ORG:XML:1.1.1") == nullptr);  // exact strings (Services 1.1 §4.1.7)
  BOOST_TEST(r.find(urn::kCybox21)->third_party());
  BOOST_TEST(!r.find(urn::kStix111)->third_party());
  BOOST_TEST(r.find(urn::kStix111)->name() == "STIX 1.1.1");
}

BOOST_AUTO_TEST_CASE(smime_has_libtaxii_alias) {
  BUILTIN(r);
  const ContentBinding* a = r.find(urn::kSmime);
  const ContentBinding* b = r.find(urn::kSmimeLibtaxii);
  BOOST_TEST_REQUIRE(a != nullptr);
  BOOST_TEST(a == b);
  const auto ids = r.ids();
  BOOST_TEST(ids.size() == 13u);  // 12 bindings + 1 alias
  BOOST_TEST(std::count(ids.begin(), ids.end(), std::string(urn::kSmimeLibtaxii)) == 1);
  BOOST_TEST(ids.front() == std::string(urn::kStix10));  // registration order
}

BOOST_AUTO_TEST_CASE(duplicate_urn_is_an_error_and_adds_nothing) {
  BUILTIN(r);
  auto st = r.add(ContentBinding{std::string(urn::kStix111), "again", RootSignature{}});
  BOOST_TEST_REQUIRE(!st.ok());
  BOOST_TEST(st.error().type() == StatusType::Failure);
  BOOST_TEST(st.error().message().find(std::string(urn::kStix111)) != std::string::npos);
  // A new id whose alias collides is refused whole.
  st = r.add(ContentBinding{"urn:example.com:new", "new", RootSignature{}, {std::string(urn::kSmimeLibtaxii)}});
  BOOST_TEST(!st.ok());
  BOOST_TEST(r.find("urn:example.com:new") == nullptr);
  // An id repeated among its own aliases too.
  st = r.add(ContentBinding{"urn:example.com:x", "x", RootSignature{}, {"urn:example.com:x"}});
  BOOST_TEST(!st.ok());
  // Registering the built-ins twice fails.
  BOOST_TEST(!register_builtin_content_bindings(r).ok());
  BOOST_TEST(r.size() == 12u);
}

BOOST_AUTO_TEST_CASE(a_new_binding_is_one_registration) {
  ContentBindingRegistry r;
  RootSignature sig{RootSignature::Kind::XmlElement, "urn:example.com:feed", {"Feed"}, {{"v", {"2"}, false}}};
  BOOST_TEST(r.add(ContentBinding{"urn:example.com:feed:2", "Example feed 2", sig, {}, {"urn:example.com:sub:a"}, true}).ok());
  const ContentBinding* b = r.find("urn:example.com:feed:2");
  BOOST_TEST_REQUIRE(b != nullptr);
  BOOST_TEST(b->subtypes().size() == 1u);
  auto root = RootInfo::of_markup(R"(<f:Feed xmlns:f="urn:example.com:feed" v="2"/>)");
  BOOST_TEST_REQUIRE(root.ok());
  BOOST_TEST(b->recognises(*root));
  BOOST_TEST(r.identify(*root) == b);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(recognition)

BOOST_AUTO_TEST_CASE(stix_by_namespace_and_version) {
  BUILTIN(r);
  for (const char* v : {"1.0", "1.0.1", "1.1", "1.1.1", "1.2"}) {
    auto root = RootInfo::of_markup(stix_package(v));
    BOOST_TEST_REQUIRE(root.ok());
    const ContentBinding* b = r.identify(*root);
    BOOST_TEST_REQUIRE(b != nullptr);
    BOOST_TEST(b->id() == "urn:stix.mitre.org:xml:" + std::string(v));
  }
  auto doc = xml::parse_untyped(stix_package("1.2"), xml::ParseLimits{});
  BOOST_TEST_REQUIRE(doc.ok());
  BOOST_TEST(r.find(urn::kStix12)->recognises(*doc));
  BOOST_TEST(!r.find(urn::kStix111)->recognises(*doc));
}

BOOST_AUTO_TEST_CASE(cybox_cap_xmlenc_smime) {
  BUILTIN(r);
  auto id_of = [&](const std::string& markup) -> std::string {
    auto root = RootInfo::of_markup(markup);
    if (!root.ok()) return "error";
    const ContentBinding* b = r.identify(*root);
    return b == nullptr ? "none" : b->id();
  };
  const std::string cy = R"(<cybox:Observables xmlns:cybox="http://cybox.mitre.org/cybox-2" cybox_major_version="2" )";
  BOOST_TEST(id_of(cy + R"(cybox_minor_version="1"/>)") == std::string(urn::kCybox21));
  BOOST_TEST(id_of(cy + R"(cybox_minor_version="1" cybox_update_version="0"/>)") == std::string(urn::kCybox21));
  BOOST_TEST(id_of(cy + R"(cybox_minor_version="0"/>)") == std::string(urn::kCybox20));
  BOOST_TEST(id_of(cy + R"(cybox_minor_version="0" cybox_update_version="1"/>)") == std::string(urn::kCybox201));
  BOOST_TEST(id_of(cy + R"(cybox_minor_version="2"/>)") == "none");
  BOOST_TEST(id_of(R"(<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>1</identifier></alert>)") ==
             std::string(urn::kCap12));
  BOOST_TEST(id_of(R"(<cap:alert xmlns:cap="urn:oasis:names:tc:emergency:cap:1.1"/>)") == std::string(urn::kCap11));
  BOOST_TEST(id_of(R"(<xenc:EncryptedData xmlns:xenc="http://www.w3.org/2001/04/xmlenc#"/>)") ==
             std::string(urn::kXmlEnc));
  BOOST_TEST(id_of("MIME-Version: 1.0\nContent-Type: application/x-pkcs7-mime\n\nMIAGCSqGSIb3DQEH") ==
             std::string(urn::kSmime));
  BOOST_TEST(id_of("<unclosed") == "error");
  BOOST_TEST(id_of(R"(<other xmlns="urn:x"/>)") == "none");
}

BOOST_AUTO_TEST_CASE(check_declared_names_the_root) {
  BUILTIN(r);
  const ContentBinding& stix111 = *r.find(urn::kStix111);
  BOOST_TEST(check_declared(stix111, Mixed{"\n  " + stix_package("1.1.1") + "\n"}).ok());

  auto st = check_declared(stix111, Mixed{stix_package("1.2")});
  BOOST_TEST_REQUIRE(!st.ok());
  BOOST_TEST(st.error().type() == StatusType::BadMessage);
  BOOST_TEST(st.error().message() ==
             "content is not STIX 1.1.1: root element {http://stix.mitre.org/stix-1}STIX_Package has "
             "version=\"1.2\", expected \"1.1.1\"");

  st = check_declared(stix111, Mixed{R"(<x:Other xmlns:x="urn:x"/>)"});
  BOOST_TEST_REQUIRE(!st.ok());
  BOOST_TEST(st.error().message() == "content is not STIX 1.1.1: root element {urn:x}Other is not in namespace "
                                     "http://stix.mitre.org/stix-1");

  st = check_declared(stix111, Mixed{R"(<stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1"/>)"});
  BOOST_TEST_REQUIRE(!st.ok());
  BOOST_TEST(st.error().message().find("has no version attribute") != std::string::npos);

  st = check_declared(stix111, Mixed::text("just text"));
  BOOST_TEST_REQUIRE(!st.ok());
  BOOST_TEST(st.error().message() == "content is not STIX 1.1.1: the content has no XML element");

  st = check_declared(stix111, Mixed{"<a><b></a>"});
  BOOST_TEST_REQUIRE(!st.ok());
  BOOST_TEST(st.error().message().rfind("content is not STIX 1.1.1: ", 0) == 0);

  // A DOCTYPE in content is refused by the hardened parser, never expanded.
  st = check_declared(stix111, Mixed{R"(<!DOCTYPE x [<!ENTITY e "boom">]><x>&e;</x>)"});
  BOOST_TEST(!st.ok());

  const ContentBinding& smime = *r.find(urn::kSmime);
  BOOST_TEST(check_declared(smime, Mixed::text("MIAGCSqGSIb3DQEHA6CAMIACAQAx")).ok());
  BOOST_TEST(!check_declared(smime, Mixed{stix_package("1.2")}).ok());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(filtering)

BOOST_AUTO_TEST_CASE(nesting_expression_outermost_first) {
  auto n = parse_nesting("http://www.w3.org/2001/04/xmlenc#|urn:stix.mitre.org:xml:1.1.1");
  BOOST_TEST_REQUIRE(n.ok());
  BOOST_TEST_REQUIRE(n->size() == 2u);
  BOOST_TEST((*n)[0] == "http://www.w3.org/2001/04/xmlenc#");
  BOOST_TEST((*n)[1] == "urn:stix.mitre.org:xml:1.1.1");
  auto one = parse_nesting("urn:stix.mitre.org:xml:1.2");
  BOOST_TEST_REQUIRE(one.ok());
  BOOST_TEST(one->size() == 1u);
  for (const char* bad : {"", "|", "A|", "|A", "A||B"}) {
    BOOST_TEST_CONTEXT(bad) {
      auto r = parse_nesting(bad);
      BOOST_TEST_REQUIRE(!r.ok());
      BOOST_TEST(r.error().type() == StatusType::BadMessage);
    }
  }
}

BOOST_AUTO_TEST_CASE(filter_semantics) {
  const std::string s111(urn::kStix111), s12(urn::kStix12), enc(urn::kXmlEnc);
  const std::optional<std::string> none;
  const std::optional<std::string> sub_a = std::string("urn:example.com:sub:a");
  const std::optional<std::string> sub_b = std::string("urn:example.com:sub:b");

  BOOST_TEST(matches({}, s111, none));  // no filter: everything
  BOOST_TEST(matches({}, "anything|at|all", sub_a));
  BOOST_TEST(matches({cb(s111)}, s111, none));
  BOOST_TEST(matches({cb(s111)}, s111, sub_a));  // no subtypes listed = any subtype
  BOOST_TEST(!matches({cb(s111)}, s12, none));
  BOOST_TEST(matches({cb(s12, {*sub_a})}, s12, sub_a));
  BOOST_TEST(!matches({cb(s12, {*sub_a})}, s12, sub_b));
  BOOST_TEST(matches({cb(s12, {*sub_a})}, s12, none));  // a block without subtype claims no refinement
  BOOST_TEST(matches({cb(s12, {*sub_a}), cb(s12)}, s12, sub_b));  // a second entry allows all
  // Nesting (Services 1.1 §5.3.4): every component must be listed.
  BOOST_TEST(matches({cb(enc), cb(s111)}, enc + "|" + s111, none));
  BOOST_TEST(!matches({cb(enc)}, enc + "|" + s111, none));
  BOOST_TEST(!matches({cb(s111)}, enc + "|" + s111, none));
  BOOST_TEST(!matches({cb(enc), cb(s111)}, enc + "||" + s111, none));
  BOOST_TEST(!matches({cb(s111)}, "", none));
}

BOOST_AUTO_TEST_SUITE_END()
