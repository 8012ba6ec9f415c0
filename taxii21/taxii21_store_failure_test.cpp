// The TAXII 2.1 application when the store fails (storage/testing/failing_store.hpp): 500 with
// an error resource and nothing half-stored, and the `next` key (cursor_key.hpp) kept in the
// store, shared, or made up with a warning when the store cannot keep it.
#define BOOST_TEST_MODULE taxii21_store_failure
#include <boost/test/unit_test.hpp>

#include <sstream>
#include <string>

#include "storage/testing/failing_store.hpp"
#include "storage/testing/memory_store.hpp"
#include "taxii21/cursor_key.hpp"
#include "taxii21/rest_app.hpp"

using namespace taxii;
using namespace taxii::taxii21;
using storage::testing::Fault;
using storage::testing::StoreCall;

namespace {

constexpr const char* kC1 = "2a1b5c9e-7d43-4c1e-9f0a-0b1c2d3e4f51";
constexpr const char* kMedia = "application/taxii+json;version=2.1";
const std::string kObjects = std::string("/api1/collections/") + kC1 + "/objects/";
const std::string kIndicator =
    "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f\","
    "\"created\":\"2024-01-01T00:00:00.000Z\",\"modified\":\"2024-01-01T00:00:00.000Z\"}";

Taxii2Config config() {
  Taxii2Config c;
  ApiRootConfig r;
  r.path = "/api1/";
  r.title = "one";
  CollectionConfig col;
  col.id = kC1;
  col.title = "c1";
  r.collections.push_back(col);
  c.roots.push_back(r);
  return c;
}

struct Failing {
  storage::testing::MemoryStore memory;
  storage::testing::FailingStore store{memory};
  RestApplication app{config(), [this] {
                        RestDeps d;
                        d.store = &store;
                        d.cursor_key = "k";
                        return d;
                      }()};
  Failing() { BOOST_TEST_REQUIRE(memory.ensure_object_collection(kC1).ok()); }
  http::Answer call(const std::string& method, const std::string& uri, const std::string& body = "") {
    http::Request r;
    r.method = method;
    r.uri = uri;
    r.headers = {{"Accept", kMedia}, {"Content-Type", kMedia}};
    std::istringstream in(body);
    if (method == "POST") r.body = &in;
    return app.answer(r, http::ConnectionInfo{});
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(store_failure, Failing)

BOOST_AUTO_TEST_CASE(a_failed_add_is_500_and_stores_nothing) {
  store.fail({StoreCall::AddObjects});
  const http::Answer a = call("POST", kObjects, "{\"objects\":[" + kIndicator + "]}");
  BOOST_TEST(a.status == 500);
  BOOST_TEST(a.body.find("\"http_status\":\"500\"") != std::string::npos, a.body);
  BOOST_TEST(a.body.find("injected") == std::string::npos);  // store details go to the log only
  BOOST_TEST(call("GET", kObjects).body == "{}");
}

BOOST_AUTO_TEST_CASE(failed_reads_are_500) {
  BOOST_TEST(call("POST", kObjects, "{\"objects\":[" + kIndicator + "]}").status == 202);
  for (const std::string& uri : {kObjects, kObjects + "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f/",
                                 std::string("/api1/status/01234567-89ab-4def-8123-456789abcdef/")}) {
    store.fail({std::nullopt});
    const http::Answer a = call("GET", uri);
    BOOST_TEST(a.status == 500, uri);
    BOOST_TEST(a.body.find("\"title\"") != std::string::npos);
    store.heal();
  }
  store.fail({StoreCall::DeleteObjects});
  BOOST_TEST(call("DELETE", kObjects + "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f/").status == 500);
}

BOOST_AUTO_TEST_CASE(the_cursor_key_is_kept_in_the_store_and_shared) {
  std::string warning;
  const std::string first = cursor_key(config(), memory, warning);
  BOOST_TEST(warning.empty());
  BOOST_TEST(first.size() == 64u);
  BOOST_TEST(cursor_key(config(), memory, warning) == first);  // a second instance reads it
  Taxii2Config configured = config();
  configured.cursor_secret = "0123456789abcdef";
  BOOST_TEST(cursor_key(configured, memory, warning) != first);
  // The reserved record is never a status of any API root.
  BOOST_TEST(call("GET", std::string("/api1/status/") + kCursorKeyRecord + "/").status == 404);
}

BOOST_AUTO_TEST_CASE(without_the_store_the_key_is_this_instances_with_a_warning) {
  store.fail({StoreCall::GetStatus});
  std::string warning;
  const std::string k = cursor_key(config(), store, warning);
  BOOST_TEST(k.size() == 64u);
  BOOST_TEST(warning.find("cursor_secret") != std::string::npos, warning);
}

BOOST_AUTO_TEST_SUITE_END()
