#define BOOST_TEST_MODULE taxii2_cli
#include <boost/test/unit_test.hpp>
BOOST_AUTO_TEST_CASE(placeholder) {}
