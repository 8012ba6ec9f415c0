// The XML parser has no network (docs/security.md): whatever URL reaches Xerces, nothing
// connects. A Tripwire on 127.0.0.1 stands where a fetch would go and must see no connection.
#define BOOST_TEST_MODULE xerces_offline
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <string>

#include <xercesc/util/PlatformUtils.hpp>
#include <xercesc/util/XMLException.hpp>
#include <xercesc/util/XMLURL.hpp>
#include <xercesc/util/BinInputStream.hpp>
#ifdef TAXII_XERCES_STATIC
#include <xercesc/util/NetAccessors/Curl/CurlNetAccessor.hpp>
#endif

#include "bindings/xml/xml_document.hpp"
#include "tests/support/tripwire.hpp"

namespace xc = xercesc;
using namespace taxii;
using taxii::test::Tripwire;

namespace {

std::u16string utf16(const std::string& s) { return std::u16string(s.begin(), s.end()); }
const XMLCh* xch(const std::u16string& s) { return reinterpret_cast<const XMLCh*>(s.c_str()); }

std::string discovery_request(const std::string& extra_prolog, const std::string& root_attrs) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>" + extra_prolog +
         "<taxii_11:Discovery_Request xmlns:taxii_11=\"http://taxii.mitre.org/messages/taxii_xml_binding-1.1\""
         " message_id=\"1\"" + root_attrs + "/>";
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_parser_has_no_net_accessor) {
  xml::preload_grammars();
  BOOST_TEST(xc::XMLPlatformUtils::fgNetAccessor == nullptr);

  Tripwire l;
  const auto u = utf16(l.url("/taxii.xsd"));
  xc::XMLURL url(xch(u));
  bool threw = false;
  try {
    delete url.makeNewStream();
  } catch (const xc::XMLException&) {
    threw = true;
  }
  BOOST_TEST(threw);
  BOOST_TEST(l.connections(200) == 0);
}

BOOST_AUTO_TEST_CASE(documents_naming_remote_resources_fetch_nothing) {
  Tripwire l;
  const xml::ParseLimits limits;
  // An external DTD, and schema location hints (Xerces would load these when asked to).
  const std::string dtd = discovery_request("<!DOCTYPE x SYSTEM \"" + l.url("/x.dtd") + "\">", "");
  const std::string hint = discovery_request(
      "", " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:schemaLocation=\""
          "http://taxii.mitre.org/messages/taxii_xml_binding-1.1 " + l.url("/taxii.xsd") + "\"");
  auto a = xml::parse_document(dtd, limits);
  BOOST_TEST(!a.ok());
  auto b = xml::parse_document(hint, limits);
  BOOST_TEST(b.ok(), (b.ok() ? std::string() : b.error().message()));  // the hint is ignored
  auto c = xml::parse_untyped(dtd, limits);
  BOOST_TEST(!c.ok());
  BOOST_TEST(l.connections(200) == 0);
}

BOOST_AUTO_TEST_CASE(a_static_xerces_runs_without_libcurl) {
#ifdef TAXII_XERCES_STATIC
  xml::preload_grammars();
  std::ifstream maps("/proc/self/maps");
  std::string line, found;
  while (std::getline(maps, line))
    if (line.find("libcurl") != std::string::npos || line.find("libxerces-c") != std::string::npos) found = line;
  BOOST_TEST(found.empty(), "mapped: " << found);

  // The accessor Xerces would have installed, on its own: its transfers fail, unconnected.
  Tripwire l;
  xc::CurlNetAccessor accessor;
  const auto u = utf16(l.url("/taxii.xsd"));
  xc::XMLURL url(xch(u));
  bool threw = false;
  try {
    delete accessor.makeNew(url);
  } catch (const xc::XMLException&) {
    threw = true;
  }
  BOOST_TEST(threw);
  BOOST_TEST(l.connections(200) == 0);
#else
  BOOST_TEST_MESSAGE("SKIP: built with the shared Xerces-C (TAXII_XERCES_STATIC off or no libxerces-c.a)");
#endif
}
