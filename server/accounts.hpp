// Accounts for the authenticator: the users seeded by the configuration (auth.users, read-only)
// and those kept in the Store (accounts table; managed by `taxiid user ...`). A configured user
// shadows a stored one of the same name. API tokens (issue #22) are kept in the Store for either
// kind (`taxiid user token ...`). And the `taxiid user` admin commands.
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
  std::optional<std::string> token_owner(std::string_view hash) const override;

 private:
  auth::StaticAccounts seeds_;
  storage::Store& store_;
};

// A stored record as an account; nullopt if its hash fields are damaged.
std::optional<auth::Account> account_from_record(const storage::Store::Account& r);

// `taxiid user add|passwd|del|list --config FILE [USER] [--password-stdin] [--groups a,b]`, and
// `taxiid user token add USER --config FILE [--label TEXT]` (prints the new token, once),
// `taxiid user token list [USER] --config FILE` (id, user, created, label; never a token),
// `taxiid user token revoke ID --config FILE`.
// Returns the process exit status; messages go to stdout/stderr.
int user_command(int argc, char** argv);

// The password: one line from stdin (--password-stdin), or typed at a prompt without echo.
bool read_password(bool from_stdin, std::string& out);

}  // namespace taxii::server
