// Wire tests of authentication and authorization (issue #7, docs/security.md) against a real
// taxiid: users x collections x services x HTTP/HTTPS. HTTP Basic over HTTPS, Basic over
// plain HTTP refused (or allowed by configuration), client certificates mapped to accounts,
// anonymous access, UNAUTHORIZED (no or bad credentials) versus DENIED (authenticated, not
// permitted), collections invisible in Collection_Information_Response, read versus write.
#define BOOST_TEST_MODULE wire_auth
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdlib>

#include "auth/password.hpp"
#include "bindings/xml/message_binding.hpp"
#include "core/urn.hpp"
#include "tests/wire/wire_support.hpp"

using namespace taxii;
using namespace taxii::wire;

namespace {

std::string hash(const std::string& pw) { return *auth::hash_password(pw, 1000); }

// Users: alice (group analysts), bob, svc (analysts; reached by client certificate only).
// Collections: default  read @analysts, bob      write alice
//              second   read bob                 write bob
//              set      read anonymous, *        write *
//              typed    (no permissions: any authenticated user reads and writes)
ServerSpec spec(bool https, const std::string& extra_auth) {
  ServerSpec s;
  s.tls = https;
  s.client_certificates = "optional";
  s.collection_yaml["default"] = "    permissions: {read: ['@analysts', bob], write: [alice]}\n";
  s.collection_yaml["second"] = "    permissions: {read: [bob], write: [bob]}\n";
  s.collection_yaml["set"] = "    permissions: {read: [anonymous, '*'], write: ['*']}\n";
  s.extra_yaml = "auth:\n" + extra_auth +
                 "  users:\n"
                 "    - {name: alice, password_hash: '" + hash("alice-pw") + "'}\n"
                 "    - {name: bob, password_hash: '" + hash("bob-pw") + "'}\n"
                 "    - {name: svc}\n"
                 "  groups:\n    analysts: [alice, svc]\n"
                 "  client_certificates:\n    map: [{subject: 'CN=wire test client, O=taxii', user: svc}]\n";
  return s;
}

struct Secure {
  TaxiidProcess server{spec(true, "  public_discovery: true\n")};
  ~Secure() {
    const int status = server.terminate();
    BOOST_TEST(status == 0, "taxiid exit status " << status << "\n" << server.log());
  }
  Reply send(Client& c, const std::string& path, const Message& m, const std::string& user_pw, bool https) {
    Headers h = taxii_headers(version_of(m), https);
    if (!user_pw.empty()) h.emplace_back("Authorization", "Basic " + auth::base64_encode(user_pw));
    return c.post(path, *xml::serialize_any(m), h);
  }
  Reply https(const std::string& path, const Message& m, const std::string& user_pw = "", bool cert = false) {
    Client c(server.https_port(), client_context(server.pki(), cert));
    return send(c, path, m, user_pw, true);
  }
  Reply http(const std::string& path, const Message& m, const std::string& user_pw = "") {
    Client c(server.http_port());
    return send(c, path, m, user_pw, false);
  }
};

v11::DiscoveryRequest discovery() {
  v11::DiscoveryRequest d;
  d.message_id = next_id();
  return d;
}

v11::CollectionInformationRequest info() {
  v11::CollectionInformationRequest r;
  r.message_id = next_id();
  return r;
}

std::vector<std::string> names(const Reply& r) {
  std::vector<std::string> out;
  if (!r.message) return out;
  for (const auto& c : r.as<v11::CollectionInformationResponse>().collections) out.push_back(c.collection_name);
  return out;
}

bool is_poll_response(const Reply& r) {
  return r.message && std::holds_alternative<v11::PollResponse>(*r.message);
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(auth_https, Secure)

BOOST_AUTO_TEST_CASE(public_discovery_needs_no_credentials) {
  Reply r = http("/services/discovery", discovery());
  BOOST_TEST_REQUIRE(r.message.has_value(), r.parse_error);
  BOOST_TEST(std::holds_alternative<v11::DiscoveryResponse>(*r.message));
}

BOOST_AUTO_TEST_CASE(basic_over_plain_http_is_unauthorized_even_for_discovery) {
  Reply r = http("/services/discovery", discovery(), "alice:alice-pw");
  BOOST_TEST(r.status == 200);
  BOOST_TEST(r.status_type() == "UNAUTHORIZED");
  BOOST_TEST(r.status_text().find("HTTPS") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(wrong_password_and_unknown_user_are_unauthorized) {
  BOOST_TEST(https("/services/poll", poll11("set"), "alice:nope").status_type() == "UNAUTHORIZED");
  BOOST_TEST(https("/services/poll", poll11("set"), "mallory:x").status_type() == "UNAUTHORIZED");
  BOOST_TEST(https("/services/discovery", discovery(), "alice:nope").status_type() == "UNAUTHORIZED");
  const std::string log = server.log();
  BOOST_TEST(log.find("login_failed") != std::string::npos);
  BOOST_TEST(log.find("nope") == std::string::npos);  // never the password
}

BOOST_AUTO_TEST_CASE(collection_information_lists_only_readable_collections) {
  using V = std::vector<std::string>;
  BOOST_TEST(names(https("/services/collection-management", info(), "alice:alice-pw")) ==
             (V{"default", "set", "typed"}), boost::test_tools::per_element());
  BOOST_TEST(names(https("/services/collection-management", info(), "bob:bob-pw")) ==
             (V{"default", "second", "set", "typed"}), boost::test_tools::per_element());
  BOOST_TEST(names(https("/services/collection-management", info())) == (V{"set"}), boost::test_tools::per_element());
  BOOST_TEST(names(http("/services/collection-management", info())) == (V{"set"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(poll_read_permissions) {
  BOOST_TEST(is_poll_response(https("/services/poll", poll11("default"), "alice:alice-pw")));
  BOOST_TEST(is_poll_response(https("/services/poll", poll11("typed"), "alice:alice-pw")));
  BOOST_TEST(https("/services/poll", poll11("second"), "alice:alice-pw").status_type() == "DENIED");
  BOOST_TEST(is_poll_response(https("/services/poll", poll11("second"), "bob:bob-pw")));
  BOOST_TEST(https("/services/poll", poll11("default")).status_type() == "UNAUTHORIZED");
  BOOST_TEST(http("/services/poll", poll11("typed")).status_type() == "UNAUTHORIZED");
  BOOST_TEST(is_poll_response(http("/services/poll", poll11("set"))));
  BOOST_TEST(is_poll_response(https("/services/poll", poll11("set"))));
}

BOOST_AUTO_TEST_CASE(inbox_write_permissions_and_defaults) {
  BOOST_TEST(https("/services/inbox", inbox11({"default"}, {Mixed::text("a")}), "alice:alice-pw").status_type() == "SUCCESS");
  BOOST_TEST(https("/services/inbox", inbox11({"default"}, {Mixed::text("b")}), "bob:bob-pw").status_type() == "DENIED");
  // No destination: the inbox's default collection (default) decides.
  BOOST_TEST(https("/services/inbox", inbox11({}, {Mixed::text("c")}), "bob:bob-pw").status_type() == "DENIED");
  BOOST_TEST(https("/services/inbox", inbox11({}, {Mixed::text("d")}), "alice:alice-pw").status_type() == "SUCCESS");
  // One forbidden destination refuses the whole message.
  BOOST_TEST(https("/services/inbox", inbox11({"set", "second"}, {Mixed::text("e")}), "alice:alice-pw").status_type() ==
             "DENIED");
  BOOST_TEST(https("/services/inbox", inbox11({"set"}, {Mixed::text("f")})).status_type() == "UNAUTHORIZED");
  BOOST_TEST(https("/services/inbox", inbox11({"set"}, {Mixed::text("g")}), "bob:bob-pw").status_type() == "SUCCESS");
  // Writing does not imply reading: bob wrote to set and reads it; alice wrote to default.
  Reply p = https("/services/poll", poll11("default"), "bob:bob-pw");
  BOOST_TEST_REQUIRE(is_poll_response(p));
  BOOST_TEST(p.as<v11::PollResponse>().content_blocks.size() == 2u);  // a and d, not the refused ones
}

BOOST_AUTO_TEST_CASE(subscription_management_needs_read) {
  v11::ManageCollectionSubscriptionRequest m;
  m.message_id = next_id();
  m.action = v11::SubscriptionAction::Status;
  m.collection_name = "second";
  BOOST_TEST(https("/services/collection-management", m, "alice:alice-pw").status_type() == "DENIED");
  BOOST_TEST(https("/services/collection-management", m).status_type() == "UNAUTHORIZED");
  Reply ok = https("/services/collection-management", m, "bob:bob-pw");
  BOOST_TEST(ok.status_type() != "DENIED");
  BOOST_TEST(ok.status_type() != "UNAUTHORIZED");
}

BOOST_AUTO_TEST_CASE(client_certificate_maps_to_an_account) {
  BOOST_TEST(is_poll_response(https("/services/poll", poll11("default"), "", true)));   // svc is an analyst
  BOOST_TEST(https("/services/poll", poll11("second"), "", true).status_type() == "DENIED");
  BOOST_TEST(https("/services/inbox", inbox11({"default"}, {Mixed::text("x")}), "", true).status_type() == "DENIED");
  // Basic credentials take precedence over the certificate.
  BOOST_TEST(is_poll_response(https("/services/poll", poll11("second"), "bob:bob-pw", true)));
}

BOOST_AUTO_TEST_CASE(store_accounts_made_with_taxiid_user_add) {
  const std::string cmd = std::string("echo carol-pw | ") + TAXIID_PATH + " user add carol --config " +
                          server.dir().file("taxiid.yaml") + " --password-stdin --groups analysts";
  BOOST_TEST_REQUIRE(std::system(cmd.c_str()) == 0);
  BOOST_TEST(is_poll_response(https("/services/poll", poll11("default"), "carol:carol-pw")));  // an analyst
  BOOST_TEST(https("/services/poll", poll11("second"), "carol:carol-pw").status_type() == "DENIED");
  BOOST_TEST(https("/services/poll", poll11("default"), "carol:wrong").status_type() == "UNAUTHORIZED");
}

BOOST_AUTO_TEST_CASE(taxii_10_requests_are_checked_too) {
  v10::PollRequest p;
  p.message_id = next_id();
  p.feed_name = "default";
  Reply anon = https("/services/poll", p);
  BOOST_TEST(anon.status_type() == "UNAUTHORIZED");
  Reply alice = https("/services/poll", p, "alice:alice-pw");
  BOOST_TEST_REQUIRE(alice.message.has_value(), alice.parse_error);
  BOOST_TEST(std::holds_alternative<v10::PollResponse>(*alice.message));
  p.feed_name = "second";
  BOOST_TEST(https("/services/poll", p, "alice:alice-pw").status_type() == "DENIED");
}

BOOST_AUTO_TEST_SUITE_END()

namespace {

struct Lax {
  TaxiidProcess server{spec(false, "  allow_basic_over_http: true\n  rate_limit: {burst: 3, refill_ms: 60000}\n")};
  ~Lax() {
    const int status = server.terminate();
    BOOST_TEST(status == 0, "taxiid exit status " << status << "\n" << server.log());
  }
  Reply http(const Message& m, const std::string& path, const std::string& user_pw = "") {
    Client c(server.http_port());
    Headers h = taxii_headers(version_of(m), false);
    if (!user_pw.empty()) h.emplace_back("Authorization", "Basic " + auth::base64_encode(user_pw));
    return c.post(path, *xml::serialize_any(m), h);
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(auth_http_allowed, Lax)

BOOST_AUTO_TEST_CASE(discovery_is_not_public_unless_configured) {
  BOOST_TEST(http(discovery(), "/services/discovery").status_type() == "UNAUTHORIZED");
  Reply r = http(discovery(), "/services/discovery", "alice:alice-pw");
  BOOST_TEST_REQUIRE(r.message.has_value());
  BOOST_TEST(std::holds_alternative<v11::DiscoveryResponse>(*r.message));
}

BOOST_AUTO_TEST_CASE(basic_over_http_when_allowed) {
  BOOST_TEST(is_poll_response(http(poll11("default"), "/services/poll", "alice:alice-pw")));
  BOOST_TEST(http(poll11("second"), "/services/poll", "alice:alice-pw").status_type() == "DENIED");
}

BOOST_AUTO_TEST_CASE(brute_force_is_cut_off_quickly) {
  for (int i = 0; i < 3; ++i)
    BOOST_TEST(http(poll11("set"), "/services/poll", "bob:guess" + std::to_string(i)).status_type() == "UNAUTHORIZED");
  const auto t0 = std::chrono::steady_clock::now();
  Reply r = http(poll11("set"), "/services/poll", "bob:bob-pw");  // right, but the bucket is empty
  BOOST_TEST(r.status_type() == "UNAUTHORIZED");
  BOOST_TEST(r.status_text().find("too many") != std::string::npos);
  BOOST_TEST((std::chrono::steady_clock::now() - t0 < std::chrono::seconds(2)));
}

BOOST_AUTO_TEST_SUITE_END()
