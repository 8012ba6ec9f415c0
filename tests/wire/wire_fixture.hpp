// Boost.Test fixtures over wire_support.hpp: a taxiid that a test (or a test suite's fixture)
// owns and that must exit cleanly when it is stopped. Include after <boost/test/unit_test.hpp>.
#pragma once

#include <boost/test/unit_test.hpp>

#include "tests/wire/wire_support.hpp"

namespace taxii::wire {

// Stops `server` and fails the test unless it exits cleanly (status 0; under the sanitizers
// also: no leak, no error report).
inline void expect_clean_exit(TaxiidProcess& server) {
  const int status = server.terminate();
  BOOST_TEST(status == 0, "taxiid exit status " << status << "\n" << server.log());
}

// A fixture's taxiid, started from `spec` and stopped by expect_clean_exit() at the end.
struct ServerFixture {
  explicit ServerFixture(const ServerSpec& spec = {}) : server(spec) {}
  ~ServerFixture() { expect_clean_exit(server); }
  ServerFixture(const ServerFixture&) = delete;
  ServerFixture& operator=(const ServerFixture&) = delete;

  TaxiidProcess server;
};

}  // namespace taxii::wire
