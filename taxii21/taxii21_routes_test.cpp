// Request paths to resources (TAXII 2.1 §1.2 endpoint table, §3.1 trailing "/").
#define BOOST_TEST_MODULE taxii21_routes
#include <boost/test/unit_test.hpp>

#include "taxii21/routes.hpp"

using namespace taxii::taxii21;

namespace {

Taxii2Config config() {
  Taxii2Config c;
  ApiRootConfig r;
  r.path = "/api1/";
  c.roots.push_back(r);
  r.path = "/taxii2/root2/";
  c.roots.push_back(r);
  return c;
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_endpoint_with_and_without_the_final_slash) {
  const Taxii2Config c = config();
  struct Case {
    const char* path;
    Resource r;
  };
  for (const Case& k : {Case{"/taxii2/", Resource::Discovery}, Case{"/taxii2", Resource::Discovery},
                        Case{"/api1/", Resource::ApiRoot}, Case{"/api1", Resource::ApiRoot},
                        Case{"/api1/status/abc/", Resource::Status}, Case{"/api1/collections/", Resource::Collections},
                        Case{"/api1/collections/c1/", Resource::Collection},
                        Case{"/api1/collections/c1/manifest/", Resource::Manifest},
                        Case{"/api1/collections/c1/objects/", Resource::Objects},
                        Case{"/api1/collections/c1/objects/x--1/", Resource::Object},
                        Case{"/api1/collections/c1/objects/x--1", Resource::Object},
                        Case{"/api1/collections/c1/objects/x--1/versions/", Resource::Versions},
                        Case{"/api1/collections/c1/objects/x--1/versions", Resource::Versions},
                        Case{"/taxii2/root2/collections/", Resource::Collections},
                        Case{"/api1/collections/c1/objects/versions/", Resource::Object},
                        Case{"/api1/nothing/", Resource::None}, Case{"/api1/collections//", Resource::None},
                        Case{"/api1/collections/c1/objects/x/versions/more/", Resource::None},
                        Case{"/taxii2/other/", Resource::None}, Case{"/api1/status/", Resource::None}}) {
    BOOST_TEST_CONTEXT(k.path) {
      const Target t = route(c, k.path);
      BOOST_TEST(static_cast<int>(t.resource) == static_cast<int>(k.r));
    }
  }
  const Target t = route(c, "/api1/collections/c1/objects/x--1/versions/");
  BOOST_TEST(t.collection == "c1");
  BOOST_TEST(t.object_id == "x--1");
  BOOST_TEST(t.root == &c.roots[0]);
  BOOST_TEST(route(c, "/api1/status/s-1/").status_id == "s-1");
}

BOOST_AUTO_TEST_CASE(methods_per_resource) {
  BOOST_TEST(method_allowed(Resource::Objects, "POST"));
  BOOST_TEST(!method_allowed(Resource::Collections, "POST"));
  BOOST_TEST(method_allowed(Resource::Object, "DELETE"));
  BOOST_TEST(!method_allowed(Resource::Objects, "DELETE"));
  BOOST_TEST(method_allowed(Resource::Status, "HEAD"));
  BOOST_TEST(std::string(allowed_methods(Resource::Objects)) == "GET, HEAD, POST");
}
