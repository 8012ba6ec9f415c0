// taxii2: the TAXII 2.1 command-line client. `taxii2 <command> [options]`; `taxii2 help
// <command>`. It shares option parsing, the TLS/auth options and the progress line with
// `taxii` (client/cli/common.hpp); docs/cli.md, "TAXII 2.1", says why it is a program of its own.
#include <csignal>
#include <iostream>
#include <string>
#include <vector>

#include "client/cli/command21.hpp"
#include "client/cli/common.hpp"
#include "client/cli/common21.hpp"

namespace taxii::cli {

const std::vector<Command>& commands21() {
  static const std::vector<Command> cmds = {
      {"discover", "the server's API roots (discovery) and their information", run_discover21},
      {"collections", "the collections of an API root", run_collections21},
      {"get", "fetch objects of a collection (every page; filters)", run_get21},
      {"add", "add objects from files (envelopes, STIX bundles) and wait for the status", run_add21},
      {"status", "show (or wait for) the status of an add", run_status21},
      {"manifest", "list the manifest of a collection (object versions and dates)", run_manifest21},
      {"versions", "list the versions of an object", run_versions21},
      {"delete", "delete an object (or some of its versions)", run_delete21},
  };
  return cmds;
}

}  // namespace taxii::cli

namespace {

void usage(std::ostream& os) {
  os << "usage: taxii2 <command> --url URL [options]\n\n"
        "TAXII 2.1 command-line client (for TAXII 1.1 / 1.0 servers: taxii).\n\ncommands:\n";
  for (const auto& c : taxii::cli::commands21())
    os << "  " << c.name << std::string(13 - std::min<size_t>(12, c.name.size()), ' ') << c.summary << "\n";
  os << "\nRun 'taxii2 <command> --help' for the options of a command.\n" << taxii::cli::kExitCodes21;
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);  // a closed connection or stdout is an error, not a silent death
  taxii::cli::program_name() = "taxii2";
  return taxii::cli::run_program(taxii::cli::commands21(), std::vector<std::string>(argv + 1, argv + argc), usage,
                                 std::string("taxii2 ") + TAXII_VERSION + " (TAXII 2.1)");
}
