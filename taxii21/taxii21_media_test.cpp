// Content negotiation (TAXII 2.1 §3.1, §1.6.8; docs/taxii21.md "Content negotiation").
#define BOOST_TEST_MODULE taxii21_media
#include <boost/test/unit_test.hpp>

#include <string>

#include "taxii21/media.hpp"

using namespace taxii::taxii21;

BOOST_AUTO_TEST_CASE(accept_values_that_allow_taxii_21) {
  for (const char* a : {"application/taxii+json;version=2.1", "application/taxii+json; version=2.1",
                        "APPLICATION/TAXII+JSON;Version=\"2.1\"", "application/taxii+json", "*/*", "application/*",
                        "", "text/html, application/taxii+json;version=2.1;q=0.5",
                        "application/json, text/plain, */*", "application/taxii+json;version=2.0, */*;q=0.1"})
    BOOST_TEST(accepts_taxii21(a), a);
}

BOOST_AUTO_TEST_CASE(accept_values_answered_406) {
  for (const char* a : {"application/taxii+json;version=2.0", "application/vnd.oasis.taxii+json",
                        "application/json", "text/html", "application/taxii+json;version=2.1;q=0",
                        "*/*;q=0", "garbage", ",,,", "application/taxii+json;version=2.10"})
    BOOST_TEST(!accepts_taxii21(a), a);
}

BOOST_AUTO_TEST_CASE(content_types_of_an_envelope) {
  for (const char* c : {"application/taxii+json;version=2.1", "application/taxii+json; version=2.1",
                        "application/taxii+json", "application/taxii+json;version=2.1;charset=utf-8",
                        "Application/TAXII+JSON;charset=UTF-8;version=2.1"})
    BOOST_TEST(is_taxii21_content(c), c);
  for (const char* c : {"", "application/json", "application/taxii+json;version=2.0",
                        "application/taxii+json;version=2.1;charset=latin1", "application/stix+json;version=2.1",
                        "*/*", "application/*"})
    BOOST_TEST(!is_taxii21_content(c), c);
}

BOOST_AUTO_TEST_CASE(a_long_hostile_accept_is_linear_and_refused) {
  std::string a;
  for (int i = 0; i < 100000; ++i) a += "a/b;;;=,";
  BOOST_TEST(!accepts_taxii21(a));
}
