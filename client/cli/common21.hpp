// What the commands of `taxii2` (the TAXII 2.1 command-line client, docs/cli.md "TAXII 2.1")
// share: their common options (--url, Basic auth, TLS, proxy, --timeout, --json, -v), the
// client21::Client built from them, the API root to talk to, the filter options of the
// paginated commands, error reports and exit codes. Main thread only; not thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/cli/args.hpp"
#include "client/cli/common.hpp"
#include "client/cli/json.hpp"
#include "client/taxii21/client.hpp"

namespace taxii::cli {

// taxii2's exit codes besides those of command.hpp (docs/cli.md, "TAXII 2.1").
inline constexpr int kExitPending = 6;  // add/status --wait: still pending at --wait-timeout
inline constexpr const char* kExitCodes21 =
    "\nExit status: 0 ok, 2 usage, 3 network/TLS error or an unusable answer, 4 the server\n"
    "answered an HTTP error (its error resource is shown) or refused objects, 5 local file\n"
    "error, 6 the status is still pending after --wait-timeout.\n";

struct Context21 {
  std::string command;
  bool json = false;
  int verbose = 0;
  client21::Url url;   // --url as given
  client21::Url root;  // the API root (open21 with resolve)
  std::unique_ptr<client21::Client> client;
};

// specs + the common options + --help.
std::vector<OptionSpec> with_options21(std::vector<OptionSpec> specs);
// Parses; --help prints `usage`, the options and kExitCodes21. Returns the exit code when the
// command is done, nullopt to go on. No positional arguments unless `positional`.
std::optional<int> parse21(const std::string& command, const std::vector<std::string>& argv,
                           const std::vector<OptionSpec>& specs, const char* usage, Args& args, bool positional = false);
// The client from the common options and, when `resolve` is set, the API root of --url
// (client21::Client::resolve_root) in Context21::root. On failure prints the problem (usage
// error, unreadable file, or the error of asking the server) and sets exit_code.
std::optional<Context21> open21(const std::string& command, const Args& args, int& exit_code, bool resolve = true);
// A required option's value; nullopt after a usage error (exit_code set).
std::optional<std::string> required21(const std::string& command, const Args& args, const char* name, int& exit_code);
// --added-after, --match-id, --type, --version, --spec-version, --limit, --next into `f`
// (those of `allowed` only). nullopt, or the exit code of a usage error.
Problem filter21(const std::string& command, const Args& args, const std::vector<std::string>& allowed,
                 client21::Filter& f);
// The filter options' specs, by name.
std::vector<OptionSpec> filter_specs21(const std::vector<std::string>& names);

// Exit code for an error: Server 4, Transport/Response/Http 3, Local 2.
int exit_code21(const Error& e);
// "taxii2 <command>: <message>" on stderr; with --json also {"command","ok":false,"error":{...}}
// on stdout. Returns exit_code21(e).
int report21(const Context21& ctx, const Error& e);
// The "error" member: origin, message, http_status (a number or null) and, when the server
// sent one, "resource": its error resource's fields (title, description, http_status ...).
void write_error21(JsonWriter& w, const Error& e);

}  // namespace taxii::cli
