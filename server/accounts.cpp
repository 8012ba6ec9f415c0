#include "server/accounts.hpp"

#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

#include "auth/password.hpp"
#include "auth/token.hpp"
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

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& x : v) out += (out.empty() ? "" : ",") + x;
  return out;
}

// The arguments after `taxiid user`: VERB [token's VERB] --config FILE [NAME] [options].
struct Args {
  std::string verb, config, name, groups, label;
  bool token = false, from_stdin = false, has_groups = false;
};

// Fills `a`; returns "" or what is wrong.
std::string parse(int argc, char** argv, Args& a) {
  int i = 2;
  a.verb = argc > i ? argv[i++] : "";
  if (a.verb == "token") {
    a.token = true;
    a.verb = argc > i ? argv[i++] : "";
  }
  for (; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--config" && i + 1 < argc) a.config = argv[++i];
    else if (arg == "--password-stdin" && !a.token) a.from_stdin = true;
    else if (arg == "--groups" && i + 1 < argc && !a.token) a.groups = argv[++i], a.has_groups = true;
    else if (arg == "--label" && i + 1 < argc && a.token) a.label = argv[++i];
    else if (a.name.empty() && !arg.empty() && arg[0] != '-') a.name = arg;
    else return "unexpected argument " + arg;
  }
  if (a.config.empty()) return "--config FILE is required";
  if (a.verb != "list" && a.name.empty()) return (a.token ? "token " : "") + a.verb + " needs a " +
                                                 (a.token && a.verb == "revoke" ? "token id" : "user name");
  return "";
}

// The configuration's store, opened as the server opens it; null after saying why not.
std::unique_ptr<storage::Store> open_configured_store(const std::string& config, ConfigLoad& cfg) {
  cfg = load_config(config);
  for (const auto& e : cfg.errors) std::fprintf(stderr, "%s\n", e.c_str());
  if (!cfg.config) return nullptr;
  const std::string& uri = cfg.config->storage_uri;
  if (uri.rfind("sqlite:///", 0) == 0) {  // as the server does: the file's directory may not exist yet
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(uri.substr(9)).parent_path(), ec);
  }
  auto store = storage::open_store(uri);
  if (!store.ok()) {
    fail("storage: " + store.error().message());
    return nullptr;
  }
  return std::move(store).value();
}

int list_accounts(const ServerConfig& config, storage::Store& s) {
  if (config.auth)
    for (const auto& a : config.auth->users) std::printf("%s\tconfig\t%s\n", a.user.c_str(), join(a.groups).c_str());
  auto all = s.list_accounts();
  if (!all.ok()) return fail(all.error().message());
  for (const auto& a : *all) std::printf("%s\tstore\t%s\n", a.username.c_str(), join(a.groups).c_str());
  return 0;
}

// add, passwd, del, list.
int account_command(const Args& a, const ServerConfig& config, storage::Store& s) {
  if (a.verb == "list") return list_accounts(config, s);
  if (a.verb == "del") {
    auto r = s.delete_account(a.name);
    if (!r.ok()) return fail(r.error().message());
    if (!*r) return fail("no account " + a.name + " in the store");
    return 0;
  }
  if (a.verb != "add" && a.verb != "passwd")
    return fail("unknown command " + a.verb + " (add, passwd, del, list, hash, token)");
  auto existing = s.get_account(a.name);
  if (!existing.ok()) return fail(existing.error().message());
  if (a.verb == "add" && existing->has_value()) return fail("account " + a.name + " exists; use passwd");
  if (a.verb == "passwd" && !existing->has_value()) return fail("no account " + a.name + " in the store");
  std::string password;
  if (!read_password(a.from_stdin, password)) return fail("empty password");
  const uint32_t iterations = config.auth ? config.auth->iterations : auth::kDefaultIterations;
  auto encoded = auth::hash_password(password, iterations);
  std::memset(password.data(), 0, password.size());
  if (!encoded.ok()) return fail(encoded.error().message());
  const auto h = *auth::parse_hash(*encoded);
  storage::Store::Account rec;
  rec.username = a.name;
  rec.hash = auth::base64_encode(h.key);
  rec.salt = auth::base64_encode(h.salt);
  rec.iterations = h.iterations;
  rec.groups = a.has_groups ? split(a.groups) : (existing->has_value() ? (*existing)->groups : std::vector<std::string>{});
  if (auto st = s.put_account(rec); !st.ok()) return fail(st.error().message());
  return 0;
}

// token add USER: a new token for an account of the store or of the configuration, printed once
// (only its SHA-256 is kept).
int add_token(const Args& a, const ServerConfig& config, storage::Store& s) {
  bool known = false;
  if (config.auth)
    for (const auto& u : config.auth->users) known = known || u.user == a.name;
  if (!known) {
    auto stored = s.get_account(a.name);
    if (!stored.ok()) return fail(stored.error().message());
    if (!stored->has_value()) return fail("no account " + a.name);
  }
  auto token = auth::new_token();
  auto id = auth::new_token_id();
  if (!token.ok() || !id.ok()) return fail("could not make a token");
  storage::Store::Token t{*id, a.name, auth::token_hash(*token), a.label, Timestamp::now()};
  if (auto st = s.put_token(t); !st.ok()) return fail(st.error().message());
  std::printf("%s\n", token->c_str());
  std::fprintf(stderr, "taxiid user: token %s for %s (shown once: keep it now)\n", id->c_str(), a.name.c_str());
  return 0;
}

int token_command(const Args& a, const ServerConfig& config, storage::Store& s) {
  if (a.verb == "add") return add_token(a, config, s);
  if (a.verb == "list") {
    auto all = s.list_tokens(a.name);
    if (!all.ok()) return fail(all.error().message());
    for (const auto& t : *all)
      std::printf("%s\t%s\t%s\t%s\n", t.id.c_str(), t.username.c_str(), t.created.to_string().c_str(),
                  t.label.c_str());
    return 0;
  }
  if (a.verb == "revoke") {
    auto r = s.delete_token(a.name);
    if (!r.ok()) return fail(r.error().message());
    if (!*r) return fail("no token " + a.name);
    return 0;
  }
  return fail("unknown command token " + a.verb + " (add, list, revoke)");
}

}  // namespace

std::optional<std::string> StoreAccounts::token_owner(std::string_view hash) const {
  auto r = store_.find_token(hash);
  if (!r.ok() || !r->has_value()) return std::nullopt;  // a store error fails the login, logged by the store
  return (*r)->username;
}

int user_command(int argc, char** argv) {
  Args a;
  if (const std::string wrong = parse(argc, argv, a); !wrong.empty()) return fail(wrong);
  ConfigLoad cfg;
  const auto store = open_configured_store(a.config, cfg);
  if (!store) return 1;
  return a.token ? token_command(a, *cfg.config, *store) : account_command(a, *cfg.config, *store);
}

}  // namespace taxii::server
