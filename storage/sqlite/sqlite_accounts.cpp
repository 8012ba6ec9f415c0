// SqliteStore: accounts (store.hpp, section "Accounts (issue #7)"; schemas/sqlite/003_accounts.sql).
#include <exception>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>

#include "storage/sqlite/sqlite_store.hpp"
#include "storage/account_groups.hpp"
#include "storage/adapter_guard.hpp"

namespace taxii::storage {
namespace {

using Poco::Int64;
using Poco::Data::Session;
using Poco::Data::Statement;
using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;
using Poco::Data::Keywords::use;

using detail::guarded;
using detail::join_groups;
using detail::split_groups;

std::vector<Store::Account> select_accounts(Session& s, const std::string* username) {
  std::vector<std::string> names, hashes, salts, groups;
  std::vector<Int64> iterations;
  Statement st(s);
  st << "SELECT username, hash, salt, iterations, groups FROM accounts", into(names), into(hashes), into(salts),
      into(iterations), into(groups);
  std::string u;
  if (username != nullptr) {
    u = *username;
    st << " WHERE username = ?", use(u);
  }
  st << " ORDER BY username";
  st.execute();
  std::vector<Store::Account> out;
  for (std::size_t i = 0; i < names.size(); ++i)
    out.push_back({names[i], hashes[i], salts[i], iterations[i], split_groups(groups[i])});
  return out;
}

}  // namespace

Status SqliteStore::put_account(const Account& a) {
  return guarded<Ok>("could not store the account", [&]() -> Status {
    std::string user = a.username, hash = a.hash, salt = a.salt, groups = join_groups(a.groups);
    Int64 iterations = a.iterations;
    std::lock_guard<std::mutex> lock(write_mu_);
    Session& s = *writer_;
    s << "INSERT OR REPLACE INTO accounts (username, hash, salt, iterations, groups) VALUES (?, ?, ?, ?, ?)", use(user), use(hash), use(salt), use(iterations), use(groups), now;
    return Ok{};
  });
}

Result<std::optional<Store::Account>> SqliteStore::get_account(std::string_view username) {
  using R = std::optional<Account>;
  return guarded<R>("could not read the account", [&]() -> Result<R> {
    const std::string u(username);
    std::lock_guard<std::mutex> lock(write_mu_);
    Session& s = *writer_;
    auto rows = select_accounts(s, &u);
    if (rows.empty()) return R{};
    return R{std::move(rows.front())};
  });
}

Result<bool> SqliteStore::delete_account(std::string_view username) {
  return guarded<bool>("could not delete the account", [&]() -> Result<bool> {
    std::string u(username);
    std::lock_guard<std::mutex> lock(write_mu_);
    Session& s = *writer_;
    Statement st(s);
    st << "DELETE FROM accounts WHERE username = ?", use(u);
    return st.execute() > 0;
  });
}

Result<std::vector<Store::Account>> SqliteStore::list_accounts() {
  using R = std::vector<Account>;
  return guarded<R>("could not list the accounts", [&]() -> Result<R> {
    std::lock_guard<std::mutex> lock(write_mu_);
    Session& s = *writer_;
    return select_accounts(s, nullptr);
  });
}

}  // namespace taxii::storage
