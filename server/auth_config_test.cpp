// Unit tests of the `auth:` configuration (issue #7): users with hashes, groups, certificate
// mapping, per-collection permissions, and the errors for plaintext or broken hashes.
#define BOOST_TEST_MODULE server_auth_config
#include <boost/test/unit_test.hpp>

#include <string>

#include "auth/password.hpp"
#include "server/config.hpp"
#include "tests/support/config_file.hpp"

using namespace taxii;
using namespace taxii::server;
using namespace taxii::test;

namespace {

const std::string kBase =
    "listeners:\n  - port: 0\nstorage: sqlite://data/x.db\nservices:\n"
    "  - {id: poll, type: poll, path: /poll}\n"
    "collections:\n  - name: a\n    service_ids: [poll]\n    permissions: {read: ['@g', anonymous], write: [bob]}\n"
    "  - name: b\n    service_ids: [poll]\n";

}  // namespace

BOOST_AUTO_TEST_CASE(auth_section_loads) {
  const std::string h = *auth::hash_password("pw", 1000);
  const ServerConfig c = loads(kBase + "auth:\n  public_discovery: true\n  rate_limit: {burst: 5, refill_ms: 100}\n  users:\n"
                     "    - {name: alice, password_hash: '" + h + "', groups: [x]}\n    - {name: svc}\n"
                     "  groups:\n    g: [alice]\n"
                     "  client_certificates:\n    map: [{subject: 'CN=svc', user: svc}]\n");
  BOOST_TEST_REQUIRE(c.auth.has_value());
  const AuthConfig& a = *c.auth;
  BOOST_TEST(a.public_discovery);
  BOOST_TEST(a.options.burst == 5.0);
  BOOST_TEST_REQUIRE(a.users.size() == 2u);
  BOOST_TEST(a.users[0].groups.size() == 2u);  // x, and g from auth.groups
  BOOST_TEST(auth::verify_password("pw", a.users[0].hash));
  BOOST_TEST((a.options.certificates == auth::CertificateMode::Map));
  BOOST_TEST(a.permissions.count("a") == 1u);
  BOOST_TEST(a.permissions.count("b") == 0u);  // the default applies
  BOOST_TEST(a.permissions.at("a").write.at(0) == "bob");
}

BOOST_AUTO_TEST_CASE(no_auth_section_means_open) {
  const ServerConfig c = loads(
      "listeners:\n  - port: 0\nstorage: sqlite://data/x.db\nservices:\n  - {id: poll, type: poll, path: /poll}\n"
      "collections:\n  - name: a\n    service_ids: [poll]\n");
  BOOST_TEST(!c.auth.has_value());
}

BOOST_AUTO_TEST_CASE(permissions_without_auth_is_an_error) {
  BOOST_TEST(has_error(ConfigFile(kBase).load(), "needs an auth: section"));
}

BOOST_AUTO_TEST_CASE(plaintext_or_broken_hashes_are_errors) {
  const ConfigFile f(kBase + "auth:\n  users:\n    - {name: alice, password_hash: secret}\n    - {name: bob, password: x}\n"
                     "  groups:\n    g: [nobody]\n  client_certificates: {mode: sometimes}\n");
  const auto c = f.load();
  BOOST_TEST(has_error(c, "auth.users[0].password_hash"));
  BOOST_TEST(has_error(c, "taxiid user hash"));
  BOOST_TEST(has_error(c, "auth.users[1].password"));  // unknown key: no plaintext passwords
  BOOST_TEST(has_error(c, "no user nobody"));
  BOOST_TEST(has_error(c, "auth.client_certificates.mode"));
}

BOOST_AUTO_TEST_CASE(tls_min_version_is_checked) {
  const ConfigFile f(
      "listeners:\n  - port: 0\n    tls: {cert: /dev/null, key: /dev/null, min_version: '1.0'}\n"
      "storage: sqlite://data/x.db\nservices:\n  - {id: poll, type: poll, path: /poll}\n");
  BOOST_TEST(has_error(f.load(), "min_version"));
}
