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
