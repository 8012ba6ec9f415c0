// PostgresStore: accounts (store.hpp, section "Accounts (issue #7)"; schemas/postgres/003_accounts.sql).
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>

#include "storage/account_groups.hpp"
#include "storage/adapter_guard.hpp"
#include "storage/postgres/connection_pool.hpp"
#include "storage/postgres/postgres_store.hpp"

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
    st << " WHERE username = $1", use(u);
  }
  st << " ORDER BY username";
  st.execute();
  std::vector<Store::Account> out;
  for (std::size_t i = 0; i < names.size(); ++i)
    out.push_back({names[i], hashes[i], salts[i], iterations[i], split_groups(groups[i])});
  return out;
}

}  // namespace

Status PostgresStore::put_account(const Account& a) {
  return guarded<Ok>("could not store the account", [&]() -> Status {
    std::string user = a.username, hash = a.hash, salt = a.salt, groups = join_groups(a.groups);
    Int64 iterations = a.iterations;
    PostgresPool::Lease lease(*pool_);
    Session& s = *lease;
    s << "INSERT INTO accounts (username, hash, salt, iterations, groups) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (username) DO UPDATE SET hash = EXCLUDED.hash, salt = EXCLUDED.salt, iterations = EXCLUDED.iterations, groups = EXCLUDED.groups", use(user), use(hash), use(salt), use(iterations), use(groups), now;
    return Ok{};
  });
}

Result<std::optional<Store::Account>> PostgresStore::get_account(std::string_view username) {
  using R = std::optional<Account>;
  return guarded<R>("could not read the account", [&]() -> Result<R> {
    const std::string u(username);
    PostgresPool::Lease lease(*pool_);
    Session& s = *lease;
    auto rows = select_accounts(s, &u);
    if (rows.empty()) return R{};
    return R{std::move(rows.front())};
  });
}

Result<bool> PostgresStore::delete_account(std::string_view username) {
  return guarded<bool>("could not delete the account", [&]() -> Result<bool> {
    std::string u(username);
    PostgresPool::Lease lease(*pool_);
    Session& s = *lease;
    Statement st(s);
    st << "DELETE FROM accounts WHERE username = $1", use(u);
    return st.execute() > 0;
  });
}

Result<std::vector<Store::Account>> PostgresStore::list_accounts() {
  using R = std::vector<Account>;
  return guarded<R>("could not list the accounts", [&]() -> Result<R> {
    PostgresPool::Lease lease(*pool_);
    Session& s = *lease;
    return select_accounts(s, nullptr);
  });
}

}  // namespace taxii::storage
