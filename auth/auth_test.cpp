#define BOOST_TEST_MODULE auth
#include <boost/test/unit_test.hpp>

#include <map>
#include <optional>

#include "auth/access.hpp"
#include "auth/authenticator.hpp"
#include "auth/password.hpp"
#include "auth/token.hpp"

using namespace taxii::auth;

namespace {

Account account(const std::string& user, const std::string& password, std::vector<std::string> groups = {}) {
  auto h = hash_password(password, 1000);
  BOOST_TEST_REQUIRE(h.ok());
  auto p = parse_hash(*h);
  BOOST_TEST_REQUIRE(p.ok());
  return {user, *p, std::move(groups)};
}

Credentials basic(const std::string& user_pass, bool https = true, const std::string& remote = "10.0.0.1:1234") {
  return {"Basic " + base64_encode(user_pass), https, "", remote, {}};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(password)

BOOST_AUTO_TEST_CASE(hash_round_trips_and_verifies) {
  auto h = hash_password("s3cret", 1000);
  BOOST_TEST_REQUIRE(h.ok());
  BOOST_TEST(h->rfind("pbkdf2-sha256$1000$", 0) == 0u);
  auto p = parse_hash(*h);
  BOOST_TEST_REQUIRE(p.ok());
  BOOST_TEST(verify_password("s3cret", *p));
  BOOST_TEST(!verify_password("s3cret ", *p));
  BOOST_TEST(!verify_password("", *p));
  BOOST_TEST(encode_hash(*p) == *h);
}

BOOST_AUTO_TEST_CASE(salts_differ) {
  BOOST_TEST(*hash_password("x", 1000) != *hash_password("x", 1000));
}

BOOST_AUTO_TEST_CASE(known_vector) {
  // Python: hashlib.pbkdf2_hmac('sha256', b'password', b'saltsalt', 1000), base64.
  auto p = parse_hash("pbkdf2-sha256$1000$c2FsdHNhbHQ=$E196ZhRPzw+wA84EjzHwJO1cv/MFJdO6C/sxmUeTYqY=");
  BOOST_TEST_REQUIRE(p.ok());
  BOOST_TEST(verify_password("password", *p));
  BOOST_TEST(!verify_password("Password", *p));
}

BOOST_AUTO_TEST_CASE(bad_hashes_are_rejected) {
  for (const char* bad : {"", "plain", "pbkdf2-sha256$10$AAAAAAAAAAA=$AAAA", "md5$1000$AAAAAAAAAAA=$AAAA",
                          "pbkdf2-sha256$x$AAAAAAAAAAA=$AAAA", "pbkdf2-sha256$1000$!!!!$AAAA"})
    BOOST_TEST(!parse_hash(bad).ok(), bad);
}

BOOST_AUTO_TEST_CASE(base64) {
  BOOST_TEST(base64_encode("") == "");
  BOOST_TEST(base64_encode("f") == "Zg==");
  BOOST_TEST(base64_encode("fo") == "Zm8=");
  BOOST_TEST(base64_encode("foo") == "Zm9v");
  BOOST_TEST(*base64_decode("Zm9vYg==") == "foob");
  BOOST_TEST(!base64_decode("Zm9").ok());
  BOOST_TEST(!base64_decode("Z=9v").ok());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(authenticator)

BOOST_AUTO_TEST_CASE(basic_over_https) {
  StaticAccounts accounts({account("alice", "pw", {"analysts"})});
  Authenticator a(accounts, {});
  auto r = a.authenticate(basic("alice:pw"));
  BOOST_TEST(!r.error.has_value());
  BOOST_TEST(r.identity.user == "alice");
  BOOST_TEST(r.identity.groups.at(0) == "analysts");
  BOOST_TEST((r.identity.method == AuthMethod::Basic));
  BOOST_TEST(a.authenticate(basic("alice:wrong")).error.has_value());
  BOOST_TEST(a.authenticate(basic("bob:pw")).error.has_value());
  BOOST_TEST(a.authenticate({"Basic !!!", true, "", "x:1", {}}).error.has_value());
  BOOST_TEST(a.authenticate({"Bearer abc", true, "", "x:1", {}}).error.has_value());
  BOOST_TEST(a.authenticate({"", true, "", "x:1", {}}).identity.anonymous());
}

BOOST_AUTO_TEST_CASE(basic_over_http_refused_unless_allowed) {
  StaticAccounts accounts({account("alice", "pw")});
  Authenticator strict(accounts, {});
  auto r = strict.authenticate(basic("alice:pw", false));
  BOOST_TEST_REQUIRE(r.error.has_value());
  BOOST_TEST(r.error->message().find("HTTPS") != std::string::npos);
  AuthOptions o;
  o.allow_basic_over_http = true;
  Authenticator lax(accounts, o);
  BOOST_TEST(!lax.authenticate(basic("alice:pw", false)).error.has_value());
}

BOOST_AUTO_TEST_CASE(failures_are_rate_limited_without_pbkdf2) {
  StaticAccounts accounts({account("alice", "pw")});
  std::vector<std::string> logged;
  AuthOptions o;
  o.burst = 3;
  o.refill = std::chrono::milliseconds(1000);
  Authenticator a(accounts, o, [&](const std::string& u, const std::string&, const std::string& why) {
    logged.push_back(u + ":" + why);
  });
  const auto t0 = Authenticator::Clock::now();
  for (int i = 0; i < 3; ++i) BOOST_TEST(a.authenticate(basic("alice:bad"), t0).error.has_value());
  // The bucket of this remote (and of alice) is empty: even the right password is refused.
  auto r = a.authenticate(basic("alice:pw"), t0);
  BOOST_TEST_REQUIRE(r.error.has_value());
  BOOST_TEST(r.error->message().find("too many") != std::string::npos);
  // Another remote is limited by alice's bucket too.
  BOOST_TEST(a.authenticate(basic("alice:pw", true, "10.9.9.9:1"), t0).error.has_value());
  // A refill later, the right password works again.
  BOOST_TEST(!a.authenticate(basic("alice:pw"), t0 + std::chrono::seconds(2)).error.has_value());
  BOOST_TEST(logged.size() == 5u);
  for (const auto& l : logged) BOOST_TEST(l.find("bad") == std::string::npos);  // never the password
}

BOOST_AUTO_TEST_CASE(success_is_cached_for_ttl) {
  StaticAccounts accounts({account("alice", "pw")});
  AuthOptions o;
  o.cache_ttl = std::chrono::seconds(5);
  Authenticator a(accounts, o);
  const auto t0 = Authenticator::Clock::now();
  BOOST_TEST(!a.authenticate(basic("alice:pw"), t0).error.has_value());
  const auto t1 = std::chrono::steady_clock::now();
  for (int i = 0; i < 100; ++i) BOOST_TEST(!a.authenticate(basic("alice:pw"), t0).error.has_value());
  BOOST_TEST((std::chrono::steady_clock::now() - t1 < std::chrono::milliseconds(200)));
}

namespace {
// Accounts that change while the authenticator runs (like the store under `taxiid user`).
class MutableAccounts final : public AccountSource {
 public:
  std::optional<Account> find(std::string_view user) const override {
    ++lookups;
    const auto it = accounts.find(std::string(user));
    if (it == accounts.end()) return std::nullopt;
    return it->second;
  }
  std::map<std::string, Account> accounts;
  mutable int lookups = 0;
};
}  // namespace

BOOST_AUTO_TEST_CASE(cached_login_ends_when_the_password_changes_or_the_account_goes) {
  MutableAccounts accounts;
  accounts.accounts["alice"] = account("alice", "old", {"g1"});
  AuthOptions o;
  o.cache_ttl = std::chrono::seconds(60);
  Authenticator a(accounts, o);
  const auto t0 = Authenticator::Clock::now();
  BOOST_TEST(!a.authenticate(basic("alice:old"), t0).error.has_value());
  // A cache hit sees group changes and still costs a look-up.
  accounts.accounts["alice"].groups = {"g2"};
  const int before = accounts.lookups;
  auto hit = a.authenticate(basic("alice:old"), t0);
  BOOST_TEST(!hit.error.has_value());
  BOOST_TEST(accounts.lookups == before + 1);
  BOOST_TEST((hit.identity.groups == std::vector<std::string>{"g2"}));
  // passwd: the old password fails at once (well within the TTL), the new one works.
  accounts.accounts["alice"] = account("alice", "new");
  BOOST_TEST(a.authenticate(basic("alice:old"), t0).error.has_value());
  BOOST_TEST(!a.authenticate(basic("alice:new"), t0).error.has_value());
  // del: the cached login ends too.
  accounts.accounts.clear();
  BOOST_TEST(a.authenticate(basic("alice:new"), t0).error.has_value());
}

BOOST_AUTO_TEST_CASE(client_certificates) {
  StaticAccounts accounts({account("alice", "pw", {"g"}), account("svc", "x")});
  AuthOptions o;
  o.certificates = CertificateMode::Map;
  o.certificate_map = {{"CN=client.example, O=Example", "svc", ""}};
  Authenticator map(accounts, o);
  auto r = map.authenticate({"", true, "/O=Example/CN=client.example", "x:1", {}});
  BOOST_TEST(!r.error.has_value());
  BOOST_TEST(r.identity.user == "svc");
  BOOST_TEST((r.identity.method == AuthMethod::ClientCertificate));
  BOOST_TEST(map.authenticate({"", true, "/O=Other/CN=client.example", "x:1", {}}).error.has_value());
  // By DNS subjectAltName.
  o.certificate_map.push_back({"", "alice", "alice.example.org"});
  Authenticator san(accounts, o);
  BOOST_TEST(san.authenticate({"", true, "/CN=whatever", "x:1", {"other.org", "alice.example.org"}}).identity.user == "alice");
  BOOST_TEST(san.authenticate({"", true, "/CN=whatever", "x:1", {"other.org"}}).error.has_value());
  o.certificates = CertificateMode::Cn;
  Authenticator cn(accounts, o);
  BOOST_TEST(cn.authenticate({"", true, "/O=X/CN=alice", "x:1", {}}).identity.user == "alice");
  BOOST_TEST(cn.authenticate({"", true, "/O=X/CN=mallory", "x:1", {}}).error.has_value());
}

namespace {
// Accounts with API tokens, as the store keeps them: token_hash -> user.
class TokenAccounts final : public AccountSource {
 public:
  explicit TokenAccounts(std::vector<Account> a) : accounts(std::move(a)) {}
  std::optional<Account> find(std::string_view user) const override { return accounts.find(user); }
  std::optional<std::string> token_owner(std::string_view hash) const override {
    ++lookups;
    const auto it = tokens.find(std::string(hash));
    if (it == tokens.end()) return std::nullopt;
    return it->second;
  }
  StaticAccounts accounts;
  std::map<std::string, std::string> tokens;
  mutable int lookups = 0;
};

Credentials bearer(const std::string& token, bool https = true, const std::string& remote = "10.0.0.1:1234") {
  return {"Bearer " + token, https, "", remote, {}};
}
}  // namespace

BOOST_AUTO_TEST_CASE(tokens_have_one_form_and_a_hash) {
  const std::string t = *new_token();
  BOOST_TEST(t.size() == 70u);
  BOOST_TEST(t.rfind("taxii_", 0) == 0u);
  BOOST_TEST(looks_like_token(t));
  BOOST_TEST(*new_token() != t);
  BOOST_TEST(new_token_id()->size() == 16u);
  BOOST_TEST(!looks_like_token(t.substr(1)));
  BOOST_TEST(!looks_like_token(t + "0"));
  BOOST_TEST(!looks_like_token("taxii_" + std::string(64, 'G')));
  BOOST_TEST(!looks_like_token("TAXII_" + t.substr(6)));
  // FIPS 180-2 example: SHA-256("abc").
  BOOST_TEST(token_hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

// An API token is its account: same user, same groups (so the same permissions); a wrong,
// malformed or revoked token, or one whose account is gone, is refused like a wrong password.
BOOST_AUTO_TEST_CASE(bearer_token_is_its_account) {
  TokenAccounts accounts({account("alice", "pw", {"analysts"})});
  const std::string t = *new_token(), gone = *new_token();
  accounts.tokens[token_hash(t)] = "alice";
  accounts.tokens[token_hash(gone)] = "deleted-user";
  std::vector<std::string> logged;
  Authenticator a(accounts, {}, [&](const std::string&, const std::string&, const std::string& why) {
    logged.push_back(why);
  });
  auto r = a.authenticate(bearer(t));
  BOOST_TEST_REQUIRE(!r.error.has_value());
  BOOST_TEST(r.identity.user == "alice");
  BOOST_TEST((r.identity.groups == std::vector<std::string>{"analysts"}));
  BOOST_TEST((r.identity.method == AuthMethod::Bearer));
  BOOST_TEST(!a.authenticate({"bearer  " + t, true, "", "x:1", {}}).error.has_value());  // scheme case, spaces
  const int asked = accounts.lookups;
  for (const std::string& bad : {std::string("abc"), std::string(), t + "x", *new_token(), gone}) {
    auto f = a.authenticate(bearer(bad, true, "10.0.0." + std::to_string(logged.size() + 2) + ":1"));
    BOOST_TEST_REQUIRE(f.error.has_value(), bad);
    BOOST_TEST((f.error->type() == taxii::StatusType::Unauthorized));
    BOOST_TEST(f.identity.anonymous());
  }
  BOOST_TEST(accounts.lookups == asked + 2);  // malformed ones never reach the store
  for (const auto& l : logged) BOOST_TEST(l.find("taxii_") == std::string::npos);  // never the token
  accounts.tokens.erase(token_hash(t));  // revoked: refused at once
  BOOST_TEST(a.authenticate(bearer(t, true, "10.1.1.1:1")).error.has_value());
}

BOOST_AUTO_TEST_CASE(bearer_over_http_refused_unless_allowed) {
  TokenAccounts accounts({account("alice", "pw")});
  const std::string t = *new_token();
  accounts.tokens[token_hash(t)] = "alice";
  Authenticator strict(accounts, {});
  auto r = strict.authenticate(bearer(t, false));
  BOOST_TEST_REQUIRE(r.error.has_value());
  BOOST_TEST(r.error->message().find("HTTPS") != std::string::npos);
  AuthOptions o;
  o.allow_basic_over_http = true;
  Authenticator lax(accounts, o);
  BOOST_TEST(lax.authenticate(bearer(t, false)).identity.user == "alice");
}

// Wrong tokens empty the remote address' bucket like wrong passwords, and the two share it.
BOOST_AUTO_TEST_CASE(wrong_tokens_are_rate_limited) {
  TokenAccounts accounts({account("alice", "pw")});
  const std::string t = *new_token();
  accounts.tokens[token_hash(t)] = "alice";
  AuthOptions o;
  o.burst = 3;
  o.refill = std::chrono::milliseconds(1000);
  Authenticator a(accounts, o);
  const auto t0 = Authenticator::Clock::now();
  for (int i = 0; i < 3; ++i) BOOST_TEST(a.authenticate(bearer(*new_token()), t0).error.has_value());
  const int asked = accounts.lookups;
  auto r = a.authenticate(bearer(t), t0);
  BOOST_TEST_REQUIRE(r.error.has_value());
  BOOST_TEST(r.error->message().find("too many") != std::string::npos);
  BOOST_TEST(accounts.lookups == asked);  // refused before the store is asked
  BOOST_TEST(a.authenticate(basic("alice:pw"), t0).error.has_value());  // the same remote's bucket
  BOOST_TEST(a.authenticate(bearer(t, true, "10.9.9.9:1"), t0).identity.user == "alice");  // another remote
  BOOST_TEST(a.authenticate(bearer(t), t0 + std::chrono::seconds(2)).identity.user == "alice");
}

BOOST_AUTO_TEST_CASE(dn_parsing) {
  BOOST_TEST(common_name("CN=a,O=b") == "a");
  BOOST_TEST(common_name("/C=US/cn=z") == "z");
  BOOST_TEST(remote_host("[::1]:80") == "::1");
  BOOST_TEST(remote_host("1.2.3.4:80") == "1.2.3.4");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(access_policy)

BOOST_AUTO_TEST_CASE(principals) {
  Identity alice{"alice", {"analysts"}, AuthMethod::Basic};
  Identity bob{"bob", {}, AuthMethod::Basic};
  Identity anon;
  std::map<std::string, Permissions, std::less<>> m;
  m["open"] = {{"anonymous", "*"}, {"@analysts"}};
  m["private"] = {{"bob"}, {"bob"}};
  AccessPolicy p(false, m);
  BOOST_TEST(p.can_read(anon, "open"));
  BOOST_TEST(p.can_read(alice, "open"));
  BOOST_TEST(p.can_write(alice, "open"));
  BOOST_TEST(!p.can_write(bob, "open"));
  BOOST_TEST(!p.can_read(alice, "private"));
  BOOST_TEST(p.can_read(bob, "private"));
  BOOST_TEST(p.can_read(alice, "unlisted"));  // default: any authenticated user
  BOOST_TEST(!p.can_read(anon, "unlisted"));
  BOOST_TEST(p.any_anonymous_read());
}

BOOST_AUTO_TEST_SUITE_END()
