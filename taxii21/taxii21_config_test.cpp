// The taxii2: section of taxiid's configuration (server/config_taxii2.cpp, docs/taxii21.md):
// the sample's section loads, defaults apply, and each mistake is named with its key and line.
#define BOOST_TEST_MODULE taxii2_config
#include <boost/test/unit_test.hpp>

#include <string>

#include "server/config.hpp"
#include "tests/support/config_file.hpp"

using namespace taxii;
using namespace taxii::test;

namespace {

const std::string kBase =
    "listeners: [{port: 0}]\nstorage: sqlite://data/x.db\n"
    "services: [{id: poll, type: poll, path: /services/poll}]\n";

const std::string kRoot =
    "  api_roots:\n    - path: /api1/\n      title: one\n      collections:\n"
    "        - {id: 9CFA669C-EE94-4ECE-AFD2-F8EDAC37D8FD, title: c, alias: c}\n";

bool has_error(const server::ConfigLoad& c, const std::string& key, const std::string& words) {
  for (const auto& e : c.errors)
    if (e.find(key + ":") != std::string::npos && e.find(words) != std::string::npos) return true;
  return false;
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_sample_serves_an_open_read_write_collection) {
  const auto c = server::load_config(std::string(TAXII_SOURCE_DIR) + "/samples/taxiid.yaml");
  BOOST_TEST_REQUIRE(c.config.has_value());
  BOOST_TEST_REQUIRE(c.config->taxii2.has_value());
  const auto& t = *c.config->taxii2;
  BOOST_TEST(t.prefix == "/taxii2/");
  BOOST_TEST(t.default_root == "/api1/");
  BOOST_TEST_REQUIRE(t.roots.size() == 1u);
  BOOST_TEST_REQUIRE(t.roots[0].collections.size() == 1u);
  BOOST_TEST(!t.roots[0].collections[0].permissions.has_value());
  BOOST_TEST(!c.config->auth.has_value());  // open to anonymous requests
}

BOOST_AUTO_TEST_CASE(defaults_and_normalisation) {
  ConfigFile f(kBase + "taxii2:\n" + kRoot);
  const auto c = f.load();
  BOOST_TEST_REQUIRE(c.config.has_value());
  const auto& t = *c.config->taxii2;
  BOOST_TEST(t.max_page == 1000u);
  BOOST_TEST(t.status_retention.count() == 7 * 86400);
  BOOST_TEST(t.roots[0].max_content_length == c.config->limits.max_body_bytes);
  BOOST_TEST(t.roots[0].collections[0].id == "9cfa669c-ee94-4ece-afd2-f8edac37d8fd");  // lower case
  BOOST_TEST(t.roots[0].collections[0].media_types.at(0) == "application/stix+json;version=2.1");
}

BOOST_AUTO_TEST_CASE(permissions_use_the_1x_model_and_need_auth) {
  const std::string perms =
      "          permissions: {read: ['@analysts', anonymous], write: [alice]}\n";
  const std::string root = "  api_roots:\n    - path: /api1/\n      title: one\n      collections:\n"
                           "        - id: 9cfa669c-ee94-4ece-afd2-f8edac37d8fd\n          title: c\n" + perms;
  ConfigFile without(kBase + "taxii2:\n" + root);
  BOOST_TEST(has_error(without.load(), "taxii2.api_roots[0].collections[0].permissions", "needs an auth: section"));
  ConfigFile with(kBase + "auth:\n  users: [{name: alice}]\ntaxii2:\n" + root);
  const auto c = with.load();
  BOOST_TEST_REQUIRE(c.config.has_value());
  const auto& p = *c.config->taxii2->roots[0].collections[0].permissions;
  BOOST_TEST(p.read == (std::vector<std::string>{"@analysts", "anonymous"}));
  BOOST_TEST(p.write == (std::vector<std::string>{"alice"}));
}

BOOST_AUTO_TEST_CASE(mistakes_are_named_with_key_and_reason) {
  struct Case {
    std::string yaml, key, words;
  };
  const std::string col = "      collections:\n        - {id: 9cfa669c-ee94-4ece-afd2-f8edac37d8fd, title: c}\n";
  for (const Case& k : std::vector<Case>{
           {"taxii2: {title: x}\n", "taxii2.api_roots", "at least one API root"},
           {"taxii2:\n  prefix: /services/\n" + kRoot, "taxii2.prefix", "contains the TAXII 1.x service path"},
           {"taxii2:\n  api_roots:\n    - {path: /services/, title: a}\n", "taxii2.api_roots[0].path",
            "contains the TAXII 1.x service path"},
           {"taxii2:\n  api_roots:\n    - {path: /taxii2/, title: a}\n", "taxii2.api_roots[0].path", "discovery path"},
           {"taxii2:\n  api_roots:\n    - {path: /, title: a}\n", "taxii2.api_roots[0].path", "/health"},
           {"taxii2:\n  api_roots:\n    - {path: 'a b', title: a}\n", "taxii2.api_roots[0].path", "absolute URL path"},
           {"taxii2:\n  api_roots:\n    - {path: /a/}\n", "taxii2.api_roots[0].title", "is required"},
           {"taxii2:\n  api_roots:\n    - {path: /a/, title: a, versions: [application/taxii+json;version=2.0]}\n",
            "taxii2.api_roots[0].versions", "serves application/taxii+json;version=2.1 only"},
           {"taxii2:\n  api_roots:\n    - {path: /a/, title: a, max_content_length: 0}\n",
            "taxii2.api_roots[0].max_content_length", "between 1 and"},
           {"taxii2:\n  api_roots:\n    - path: /a/\n      title: a\n      collections:\n        - {id: x, title: c}\n",
            "taxii2.api_roots[0].collections[0].id", "version 4 UUID"},
           {"taxii2:\n  api_roots:\n    - path: /a/\n      title: a\n" + col + "    - path: /b/\n      title: b\n" + col,
            "taxii2.api_roots[1].collections[0].id", "duplicate collection id"},
           {"taxii2:\n  default_root: /b/\n" + kRoot, "taxii2.default_root", "is not the path"},
           {"taxii2:\n  status_retention: 60\n" + kRoot, "taxii2.status_retention", "between 86400"},
           {"taxii2:\n  cursor_secret: short\n" + kRoot, "taxii2.cursor_secret", "at least 16"},
           {"taxii2:\n  colour: red\n" + kRoot, "taxii2.colour", "unknown key"},
       }) {
    ConfigFile f(kBase + k.yaml);
    const auto c = f.load();
    BOOST_TEST(!c.config.has_value(), k.yaml);
    BOOST_TEST(has_error(c, k.key, k.words), k.key << " / " << k.words);
  }
}
