// `taxiid user token add|list|revoke` (API tokens, issue #22) run as a process on a configuration
// with a SQLite store, and the tokens it makes checked by the authenticator the server builds
// (server/accounts.hpp StoreAccounts over the same store): a token is its account, with the
// account's groups; a revoked token, or one of a deleted account, logs no one in.
#define BOOST_TEST_MODULE user_token_cli
#include <boost/test/unit_test.hpp>

#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "auth/authenticator.hpp"
#include "auth/password.hpp"
#include "auth/token.hpp"
#include "server/accounts.hpp"
#include "server/config.hpp"
#include "storage/store.hpp"
#include "tests/support/config_file.hpp"

using namespace taxii;

namespace {

struct Run {
  int status = -1;
  std::string out;  // stdout
};

// Runs `taxiid <args>` through the shell with `input` on stdin; its stderr goes to the test's log.
Run taxiid(const std::string& args, const std::string& input = "") {
  const std::string err =
      (std::filesystem::temp_directory_path() / ("taxii-user-token-cli-" + std::to_string(::getpid()) + ".err")).string();
  const std::string cmd = (input.empty() ? std::string() : "printf '%s\\n' '" + input + "' | ") + TAXIID_PATH + " " +
                          args + " 2>" + err;
  Run r;
  FILE* p = popen(cmd.c_str(), "r");
  BOOST_TEST_REQUIRE(p != nullptr);
  char buf[4096];
  std::size_t n = 0;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  std::ifstream e(err);
  for (std::string line; std::getline(e, line);) BOOST_TEST_MESSAGE("  taxiid " << args << ": " << line);
  return r;
}

std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t nl; (nl = s.find('\n', start)) != std::string::npos; start = nl + 1)
    out.push_back(s.substr(start, nl - start));
  return out;
}

struct Fixture {
  test::ConfigFile config{""};
  std::string dir = config.path().parent_path().string();
  std::string uri = "sqlite://" + dir + "/store.db";
  Fixture() {
    const std::string yaml =
        "listeners:\n  - port: 0\nstorage: " + uri + "\nservices:\n  - {id: poll, type: poll, path: /poll}\n"
        "collections:\n  - name: a\n    service_ids: [poll]\n"
        "auth:\n  pbkdf2_iterations: 1000\n  users:\n"
        "    - {name: alice, password_hash: '" + *auth::hash_password("alice-pw", 1000) + "', groups: [ops]}\n";
    std::ofstream(config.path()) << yaml;
  }
  std::string opt() const { return " --config " + config.path().string(); }
  // What the server would make of `Authorization: Bearer <token>` over HTTPS.
  auth::AuthResult login(const std::string& token) {
    const auto cfg = config.load();
    BOOST_TEST_REQUIRE(cfg.config.has_value());
    auto store = storage::open_store(uri);
    BOOST_TEST_REQUIRE(store.ok());
    server::StoreAccounts accounts(cfg.config->auth->users, **store);
    auth::Authenticator a(accounts, cfg.config->auth->options);
    return a.authenticate({"Bearer " + token, true, "", "127.0.0.1:1", {}});
  }
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(tokens_are_made_listed_used_and_revoked, Fixture) {
  const Run made = taxiid("user token add alice" + opt() + " --label ci-feed");
  BOOST_TEST_REQUIRE(made.status == 0);
  BOOST_TEST_REQUIRE(lines(made.out).size() == 1u);
  const std::string alice_token = lines(made.out)[0];
  BOOST_TEST(auth::looks_like_token(alice_token));
  BOOST_TEST(taxiid("user token add nobody" + opt()).status == 1);  // no such account
  BOOST_TEST(taxiid("user add carol" + opt() + " --password-stdin --groups analysts", "carol-pw").status == 0);
  const Run carol = taxiid("user token add carol" + opt());
  BOOST_TEST_REQUIRE(carol.status == 0);
  const std::string carol_token = lines(carol.out).at(0);
  BOOST_TEST(carol_token != alice_token);

  // A token is its account, with its groups (so its permissions).
  auto a = login(alice_token);
  BOOST_TEST(!a.error.has_value());
  BOOST_TEST(a.identity.user == "alice");
  BOOST_TEST((a.identity.groups == std::vector<std::string>{"ops"}));
  auto c = login(carol_token);
  BOOST_TEST(c.identity.user == "carol");
  BOOST_TEST((c.identity.groups == std::vector<std::string>{"analysts"}));
  BOOST_TEST(login(*auth::new_token()).error.has_value());

  // list: ids, users, labels; never a token.
  const Run all = taxiid("user token list" + opt());
  BOOST_TEST_REQUIRE(all.status == 0);
  BOOST_TEST(lines(all.out).size() == 2u);
  BOOST_TEST(all.out.find("taxii_") == std::string::npos);
  BOOST_TEST(all.out.find("\talice\t") != std::string::npos);
  BOOST_TEST(all.out.find("\tci-feed") != std::string::npos);
  const Run carols = taxiid("user token list carol" + opt());
  BOOST_TEST_REQUIRE(lines(carols.out).size() == 1u);
  const std::string carol_id = carols.out.substr(0, carols.out.find('\t'));

  // revoke: the token logs no one in from the next request on.
  BOOST_TEST(taxiid("user token revoke " + carol_id + opt()).status == 0);
  BOOST_TEST(taxiid("user token revoke " + carol_id + opt()).status == 1);
  BOOST_TEST(login(carol_token).error.has_value());
  BOOST_TEST(login(alice_token).identity.user == "alice");
  // del: an account's tokens go with it.
  const Run again = taxiid("user token add carol" + opt());
  BOOST_TEST(login(lines(again.out).at(0)).identity.user == "carol");
  BOOST_TEST(taxiid("user del carol" + opt()).status == 0);
  BOOST_TEST(login(lines(again.out).at(0)).error.has_value());
  BOOST_TEST(lines(taxiid("user token list carol" + opt()).out).empty());
}

BOOST_FIXTURE_TEST_CASE(usage_errors, Fixture) {
  BOOST_TEST(taxiid("user token frob" + opt()).status == 1);
  BOOST_TEST(taxiid("user token add" + opt()).status == 1);        // no user
  BOOST_TEST(taxiid("user token revoke" + opt()).status == 1);     // no id
  BOOST_TEST(taxiid("user token add alice").status == 1);          // no --config
  BOOST_TEST(taxiid("user token add alice --groups x" + opt()).status == 1);
  const Run help = taxiid("--help");
  BOOST_TEST(help.status == 0);
  BOOST_TEST(help.out.find("taxiid user token add USER") != std::string::npos);
}
