#include "server/accounts.hpp"

#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>

#include "auth/password.hpp"
#include "server/config.hpp"

namespace taxii::server {

StoreAccounts::StoreAccounts(std::vector<auth::Account> seeds, storage::Store& store)
    : seeds_(std::move(seeds)), store_(store) {}

std::optional<auth::Account> StoreAccounts::find(std::string_view user) const {
  if (auto a = seeds_.find(user)) return a;
  auto r = store_.get_account(user);
  if (!r.ok() || !r->has_value()) return std::nullopt;  // a store error fails the login, logged by the store
  return account_from_record(**r);
}

std::optional<auth::Account> account_from_record(const storage::Store::Account& r) {
  auto salt = auth::base64_decode(r.salt);
  auto key = auth::base64_decode(r.hash);
  if (!salt.ok() || !key.ok() || r.iterations < auth::kMinIterations || r.iterations > UINT32_MAX) return std::nullopt;
  auth::Account a;
  a.user = r.username;
  a.hash = {static_cast<uint32_t>(r.iterations), std::move(salt).value(), std::move(key).value()};
  a.groups = r.groups;
  return a;
}

bool read_password(bool from_stdin, std::string& out) {
  const bool tty = !from_stdin && isatty(STDIN_FILENO);
  termios old{};
  if (tty) {
    std::fputs("password: ", stderr);
    tcgetattr(STDIN_FILENO, &old);
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  out.clear();
  int ch = 0;
  while ((ch = std::getchar()) != EOF && ch != '\n') out += static_cast<char>(ch);
  if (!out.empty() && out.back() == '\r') out.pop_back();
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
    std::fputs("\n", stderr);
  }
  return !out.empty();
}

namespace {

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    const auto end = s.find(',', start);
    std::string g = s.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!g.empty()) out.push_back(g);
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

int fail(const std::string& m) {
  std::fprintf(stderr, "taxiid user: %s\n", m.c_str());
  return 1;
}

}  // namespace

int user_command(int argc, char** argv) {
  // argv: taxiid user VERB --config FILE [USER] [--password-stdin] [--groups a,b]
  const std::string verb = argc > 2 ? argv[2] : "";
  std::string config, user, groups;
  bool from_stdin = false, has_groups = false;
  for (int i = 3; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--config" && i + 1 < argc) config = argv[++i];
    else if (a == "--password-stdin") from_stdin = true;
    else if (a == "--groups" && i + 1 < argc) groups = argv[++i], has_groups = true;
    else if (user.empty() && !a.empty() && a[0] != '-') user = a;
    else return fail("unexpected argument " + a);
  }
  if (config.empty()) return fail("--config FILE is required");
  if (verb != "list" && user.empty()) return fail(verb + " needs a user name");
  const ConfigLoad cfg = load_config(config);
  for (const auto& e : cfg.errors) std::fprintf(stderr, "%s\n", e.c_str());
  if (!cfg.config) return 1;
  const std::string& uri = cfg.config->storage_uri;
  if (uri.rfind("sqlite:///", 0) == 0) {  // as the server does: the file's directory may not exist yet
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(uri.substr(9)).parent_path(), ec);
  }
  auto store = storage::open_store(uri);
  if (!store.ok()) return fail("storage: " + store.error().message());
  storage::Store& s = **store;
  const uint32_t iterations = cfg.config->auth ? cfg.config->auth->iterations : auth::kDefaultIterations;

  if (verb == "list") {
    if (cfg.config->auth)
      for (const auto& a : cfg.config->auth->users) std::printf("%s\tconfig\t%s\n", a.user.c_str(), [&] {
          std::string g;
          for (const auto& x : a.groups) g += (g.empty() ? "" : ",") + x;
          return g;
        }().c_str());
    auto all = s.list_accounts();
    if (!all.ok()) return fail(all.error().message());
    for (const auto& a : *all) {
      std::string g;
      for (const auto& x : a.groups) g += (g.empty() ? "" : ",") + x;
      std::printf("%s\tstore\t%s\n", a.username.c_str(), g.c_str());
    }
    return 0;
  }
  if (verb == "del") {
    auto r = s.delete_account(user);
    if (!r.ok()) return fail(r.error().message());
    if (!*r) return fail("no account " + user + " in the store");
    return 0;
  }
  if (verb != "add" && verb != "passwd") return fail("unknown command " + verb + " (add, passwd, del, list, hash)");
  auto existing = s.get_account(user);
  if (!existing.ok()) return fail(existing.error().message());
  if (verb == "add" && existing->has_value()) return fail("account " + user + " exists; use passwd");
  if (verb == "passwd" && !existing->has_value()) return fail("no account " + user + " in the store");
  std::string password;
  if (!read_password(from_stdin, password)) return fail("empty password");
  auto encoded = auth::hash_password(password, iterations);
  std::memset(password.data(), 0, password.size());
  if (!encoded.ok()) return fail(encoded.error().message());
  const auto h = *auth::parse_hash(*encoded);
  storage::Store::Account rec;
  rec.username = user;
  rec.hash = auth::base64_encode(h.key);
  rec.salt = auth::base64_encode(h.salt);
  rec.iterations = h.iterations;
  rec.groups = has_groups ? split(groups) : (existing->has_value() ? (*existing)->groups : std::vector<std::string>{});
  if (auto st = s.put_account(rec); !st.ok()) return fail(st.error().message());
  return 0;
}

}  // namespace taxii::server
