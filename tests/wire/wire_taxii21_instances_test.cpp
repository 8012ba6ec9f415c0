// Two taxiid instances on one PostgreSQL store serve one TAXII 2.1 API (docs/taxii21.md, "The
// `next` key"): an object added through one is listed by the other, a status made on one is
// read on the other, and a `next` value from one continues on the other (both read the cursor
// key the first wrote into the store). Without TAXII_TEST_POSTGRES_URI the test prints
// "SKIP ..." and exits 77 (CTest: skipped).
#define BOOST_TEST_MODULE wire_taxii21_instances
#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <set>
#include <string>

#include "storage/test_store.hpp"
#include "tests/wire/wire_taxii21_support.hpp"

using namespace taxii;
using namespace taxii::wire;
using namespace taxii::wire::t21;
namespace testing = taxii::storage::testing;

namespace {

// Without a database to share, skip before any case runs (CTest: SKIP_RETURN_CODE).
[[maybe_unused]] const bool have_postgres = [] {
  if (testing::postgres_uri().empty()) {
    std::puts("SKIP wire_taxii21_instances_test: TAXII_TEST_POSTGRES_URI is not set");
    std::fflush(stdout);
    std::_Exit(testing::kSkipExitCode);
  }
  return true;
}();

const std::string kObjects = std::string("/api1/collections/") + kC1 + "/objects/";

std::string ind(int n) {
  char id[64];
  std::snprintf(id, sizeof id, "indicator--00000000-0000-4000-8000-%012d", n);
  return std::string("{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"") + id +
         "\",\"created\":\"2024-01-01T00:00:00.000Z\",\"modified\":\"2024-01-01T00:00:00.000Z\","
         "\"pattern\":\"[ipv4-addr:value = '10.0.0.1']\",\"pattern_type\":\"stix\",\"valid_from\":"
         "\"2024-01-01T00:00:00Z\"}";
}

struct Pair {
  Pair() : schema("taxii21") {
    ServerSpec s;
    s.storage_uri = schema.uri();
    s.extra_yaml = taxii2_yaml();
    a = std::make_unique<TaxiidProcess>(s);  // writes the cursor key
    b = std::make_unique<TaxiidProcess>(s);  // reads it
  }
  ~Pair() {
    for (auto* p : {a.get(), b.get()}) {
      const int status = p->terminate();
      BOOST_TEST(status == 0, "taxiid exit status " << status << "\n" << p->log());
    }
    b.reset();
    a.reset();
  }
  Reply call(TaxiidProcess& p, const std::string& method, const std::string& path, const std::string& body = "") {
    Client c(p.http_port());
    return request(c, method, path, body);
  }
  testing::ScratchSchema schema;  // outlives both processes
  std::unique_ptr<TaxiidProcess> a, b;
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(instances, Pair)

BOOST_AUTO_TEST_CASE(next_from_one_instance_continues_on_the_other) {
  std::string env = "{\"objects\":[";
  for (int i = 1; i <= 9; ++i) env += (i > 1 ? "," : "") + ind(i);
  const Reply added = call(*a, "POST", kObjects, env + "]}");
  BOOST_TEST_REQUIRE(added.status == 202, added.body);
  const Reply status = call(*b, "GET", "/api1/status/" + Json(added.body).str("id") + "/");
  BOOST_TEST(status.body == added.body);

  std::set<std::string> seen;
  std::string next;
  for (int page = 0; page < 10; ++page) {
    TaxiidProcess& p = page % 2 == 0 ? *a : *b;  // alternate instances
    const Reply r = call(p, "GET", kObjects + "?limit=2" + (next.empty() ? "" : "&next=" + next));
    BOOST_TEST_REQUIRE(r.status == 200, r.body);
    Json j(r.body);
    for (auto o : simdjson::dom::array(j["objects"])) seen.insert(std::string(std::string_view(o["id"])));
    if (!bool(j["more"])) break;
    next = j.str("next");
  }
  BOOST_TEST(seen.size() == 9u);
}

BOOST_AUTO_TEST_SUITE_END()
