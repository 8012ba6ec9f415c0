// SqlStore: accounts (store.hpp, section "Accounts (issue #7)"; schemas/shared/003_accounts.sql)
// and their API tokens (schemas/shared/005_tokens.sql).
// An account's groups are kept in one text column, comma-separated (group names hold no comma:
// `taxiid user add --groups a,b` splits at commas).
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>

#include "storage/adapter_guard.hpp"
#include "storage/sql/sql_store.hpp"

namespace taxii::storage {
namespace {

using detail::guarded;
using Poco::Int64;
using Poco::Data::Statement;
using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;
using Poco::Data::Keywords::use;

std::string join_groups(const std::vector<std::string>& groups) {
  std::string out;
  for (const auto& g : groups) out += (out.empty() ? "" : ",") + g;
  return out;
}

std::vector<std::string> split_groups(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < s.size()) {
    const auto end = s.find(',', start);
    std::string g = s.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!g.empty()) out.push_back(std::move(g));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

// `where` is rendered and takes `username` when given.
std::vector<Store::Account> select_accounts(SqlStore::Session& s, const std::string& where,
                                            const std::string* username) {
  std::vector<std::string> names, hashes, salts, groups;
  std::vector<Int64> iterations;
  std::string u = username != nullptr ? *username : std::string();
  Statement st(s);
  st << "SELECT username, hash, salt, iterations, groups FROM accounts" + where + " ORDER BY username",
      into(names), into(hashes), into(salts), into(iterations), into(groups);
  if (username != nullptr) st, use(u);
  st.execute();
  std::vector<Store::Account> out;
  for (std::size_t i = 0; i < names.size(); ++i)
    out.push_back({names[i], hashes[i], salts[i], iterations[i], split_groups(groups[i])});
  return out;
}

// `where` is rendered and takes `value` when given.
std::vector<Store::Token> select_tokens(SqlStore::Session& s, const std::string& where,
                                        std::optional<std::string> value) {
  std::vector<std::string> ids, users, hashes, labels;
  std::vector<Int64> created;
  Statement st(s);
  st << "SELECT id, username, hash, label, created_at FROM api_tokens" + where + " ORDER BY username, created_at, id",
      into(ids), into(users), into(hashes), into(labels), into(created);
  if (value) st, use(*value);
  st.execute();
  std::vector<Store::Token> out;
  for (std::size_t i = 0; i < ids.size(); ++i)
    out.push_back({ids[i], users[i], hashes[i], labels[i], Timestamp::from_micros(created[i])});
  return out;
}

}  // namespace

Status SqlStore::put_account(const Account& a) {
  return guarded<Ok>("could not store the account", [&]() -> Status {
    std::string user = a.username, hash = a.hash, salt = a.salt, groups = join_groups(a.groups);
    Int64 iterations = a.iterations;
    write([&](Session& s) {
      s << sql("INSERT INTO accounts (username, hash, salt, iterations, groups) VALUES (?, ?, ?, ?, ?) "
               "ON CONFLICT (username) DO UPDATE SET hash = excluded.hash, salt = excluded.salt, "
               "iterations = excluded.iterations, groups = excluded.groups"),
          use(user), use(hash), use(salt), use(iterations), use(groups), now;
    });
    return ok_status();
  });
}

Result<std::optional<Store::Account>> SqlStore::get_account(std::string_view username) {
  using R = std::optional<Account>;
  return guarded<R>("could not read the account", [&]() -> Result<R> {
    const std::string u(username);
    auto rows = reading([&](Session& s) { return select_accounts(s, sql(" WHERE username = ?"), &u); });
    if (rows.empty()) return R{};
    return R{std::move(rows.front())};
  });
}

Result<bool> SqlStore::delete_account(std::string_view username) {
  return guarded<bool>("could not delete the account", [&]() -> Result<bool> {
    std::string u(username);
    std::size_t n = 0;
    const Status st = transaction([&](Session& s) {
      s << sql("DELETE FROM api_tokens WHERE username = ?"), use(u), now;
      Statement del(s);
      del << sql("DELETE FROM accounts WHERE username = ?"), use(u);
      n = del.execute();
      return ok_status();
    });
    if (!st.ok()) return st.error();
    return n > 0;
  });
}

Result<std::vector<Store::Account>> SqlStore::list_accounts() {
  using R = std::vector<Account>;
  return guarded<R>("could not list the accounts", [&]() -> Result<R> {
    return reading([&](Session& s) { return select_accounts(s, "", nullptr); });
  });
}

// --- API tokens --------------------------------------------------------------------------------

Status SqlStore::put_token(const Token& t) {
  return guarded<Ok>("could not store the token", [&]() -> Status {
    std::string id = t.id, user = t.username, hash = t.hash, label = t.label;
    Int64 created = t.created.micros();
    write([&](Session& s) {
      s << sql("INSERT INTO api_tokens (id, username, hash, label, created_at) VALUES (?, ?, ?, ?, ?)"), use(id),
          use(user), use(hash), use(label), use(created), now;
    });
    return ok_status();
  });
}

Result<std::optional<Store::Token>> SqlStore::find_token(std::string_view hash) {
  using R = std::optional<Token>;
  return guarded<R>("could not read the token", [&]() -> Result<R> {
    auto rows = reading([&](Session& s) { return select_tokens(s, sql(" WHERE hash = ?"), std::string(hash)); });
    if (rows.empty()) return R{};
    return R{std::move(rows.front())};
  });
}

Result<std::vector<Store::Token>> SqlStore::list_tokens(std::string_view username) {
  using R = std::vector<Token>;
  return guarded<R>("could not list the tokens", [&]() -> Result<R> {
    return reading([&](Session& s) {
      if (username.empty()) return select_tokens(s, "", std::nullopt);
      return select_tokens(s, sql(" WHERE username = ?"), std::string(username));
    });
  });
}

Result<bool> SqlStore::delete_token(std::string_view id) {
  return guarded<bool>("could not delete the token", [&]() -> Result<bool> {
    std::string i(id);
    return changed("DELETE FROM api_tokens WHERE id = ?", [&](Statement& st) { st, use(i); }) > 0;
  });
}

}  // namespace taxii::storage
