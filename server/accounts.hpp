// Accounts for the authenticator: the users seeded by the configuration (auth.users, read-only)
// and those kept in the Store (accounts table; managed by `taxiid user ...`). A configured user
// shadows a stored one of the same name. And the `taxiid user` admin commands.
//
// StoreAccounts is thread-safe (the Store is); user_command runs on the main thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/authenticator.hpp"
#include "storage/store.hpp"

namespace taxii::server {

class StoreAccounts final : public auth::AccountSource {
 public:
  StoreAccounts(std::vector<auth::Account> seeds, storage::Store& store);
  std::optional<auth::Account> find(std::string_view user) const override;

 private:
  auth::StaticAccounts seeds_;
  storage::Store& store_;
};

// A stored record as an account; nullopt if its hash fields are damaged.
std::optional<auth::Account> account_from_record(const storage::Store::Account& r);

// `taxiid user add|passwd|del|list --config FILE [USER] [--password-stdin] [--groups a,b]`.
// Returns the process exit status; messages go to stdout/stderr.
int user_command(int argc, char** argv);

// The password: one line from stdin (--password-stdin), or typed at a prompt without echo.
bool read_password(bool from_stdin, std::string& out);

}  // namespace taxii::server
