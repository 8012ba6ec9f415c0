// The commands of `taxii2`, the TAXII 2.1 command-line client (docs/cli.md, "TAXII 2.1").
// Each gets its own arguments (argv[0] is the command name) and returns the exit code
// (command.hpp, common21.hpp).
#pragma once

#include <string>
#include <vector>

#include "client/cli/command.hpp"

namespace taxii::cli {

const std::vector<Command>& commands21();

int run_discover21(const std::vector<std::string>& args);
int run_collections21(const std::vector<std::string>& args);
int run_get21(const std::vector<std::string>& args);
int run_manifest21(const std::vector<std::string>& args);
int run_versions21(const std::vector<std::string>& args);
int run_add21(const std::vector<std::string>& args);
int run_status21(const std::vector<std::string>& args);
int run_delete21(const std::vector<std::string>& args);

}  // namespace taxii::cli
