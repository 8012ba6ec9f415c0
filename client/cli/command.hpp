// The `taxii` command line: git-style subcommands. Each command is a function that gets
// its own arguments (argv[0] is the command name) and returns the process exit code.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace taxii::cli {

// Exit codes (documented in docs/cli.md).
enum ExitCode : int {
  kExitOk = 0,
  kExitInvalid = 1,      // validate: at least one message invalid
  kExitUsage = 2,        // bad command line
  kExitTransport = 3,    // connection, TLS or HTTP failure
  kExitTaxiiStatus = 4,  // the server answered with a non-success TAXII status
  kExitIo = 5,           // local file could not be read or written
};

struct Command {
  std::string name;
  std::string summary;
  std::function<int(const std::vector<std::string>& args)> run;
};

const std::vector<Command>& commands();

int run_validate(const std::vector<std::string>& args);
int run_discover(const std::vector<std::string>& args);
int run_collections(const std::vector<std::string>& args);
int run_poll(const std::vector<std::string>& args);
int run_fulfill(const std::vector<std::string>& args);
int run_push(const std::vector<std::string>& args);
int run_subscribe(const std::vector<std::string>& args);
int run_convert(const std::vector<std::string>& args);

}  // namespace taxii::cli
