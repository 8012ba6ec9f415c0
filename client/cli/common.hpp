// What every network command of `taxii` shares: the common options (--url, --taxii, --user,
// TLS, proxy, --timeout, --json, -v), building a client::Session from them, the exit code and
// the one-line message for an error, the request/response trace of -v, a progress line, and
// option values that several commands parse (content bindings, timestamps, query files).
// Used from the main thread only; not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "client/cli/args.hpp"
#include "client/cli/command.hpp"
#include "client/cli/json.hpp"
#include "client/session.hpp"

namespace taxii::cli {

// The options of every network command (docs/cli.md, "Common options").
const std::vector<OptionSpec>& network_options();
// specs + network_options() + --help.
std::vector<OptionSpec> with_network_options(std::vector<OptionSpec> specs);
// The "options:" and "common options:" sections of a command's --help.
std::string help_options(const std::vector<OptionSpec>& all);

// Everything a network command runs with.
struct NetContext {
  std::string command;  // "poll", ...
  bool json = false;
  int verbose = 0;
  std::unique_ptr<client::Session> session;
  // For commands that print raw responses (poll --raw): sets a function called with the body
  // of every response received from then on.
  std::function<void(std::function<void(std::string_view body)>)> set_raw_response;
};

// The "Exit status:" lines of a network command's --help.
inline constexpr const char* kNetworkExitCodes =
    "\nExit status: 0 ok, 2 usage, 3 network/HTTP error, 4 TAXII error status, 5 local file error.\n";

// Parses a command's arguments against specs. A parse error, or a positional argument when
// `positional` is false, is a usage error; --help prints `usage`, the options and
// kNetworkExitCodes. Returns the exit code when the command is done, nullopt to go on.
std::optional<int> parse_command(const std::string& command, const std::vector<std::string>& argv,
                                 const std::vector<OptionSpec>& specs, const char* usage, Args& args,
                                 bool positional = false);

// Parses the common options and builds the session: addresses from --url / --host... /
// --discovery (asking the Discovery service when needed for `primary`). On failure prints
// the error (stderr, and JSON with --json) and returns the exit code in `exit_code`.
std::optional<NetContext> open_session(const std::string& command, const Args& args, ServiceType primary,
                                       int& exit_code);

// Exit code for a client error: Server 4; Http, Transport, Response 3; Local 2.
int exit_code_for(const Error& e);
// Prints "taxii: <describe(e)>" and a hint where one helps, on stderr.
void print_error(const Error& e);
// Prints "taxii: <describe(e)>" (and a hint where one helps) to stderr; with json, also the
// error document {"command", "ok": false, "error": {...}} to stdout. Returns exit_code_for(e).
int report(const NetContext& ctx, const Error& e);
// The "error" object of the JSON output.
void write_json_error(JsonWriter& w, const Error& e);
// A program's main after its own set-up: no arguments (usage on stderr, exit 2), --help / help
// [command], --version (prints `version`), or the command named by args[0].
int run_program(const std::vector<Command>& cmds, const std::vector<std::string>& args, void (*usage)(std::ostream&),
                const std::string& version);
// Prints one HTTP message of a -v trace on stderr (Authorization hidden): "> METHOD url" and the
// request's fields, or "< HTTP status" and the response's; then the body.
void print_wire(bool outgoing, std::string_view method, const std::string& url, int status,
                const http::HeaderFields& headers, std::string_view body);
// "taxii", or "taxii2" in the TAXII 2.1 program: the name in usage and file messages.
std::string& program_name();
// A usage problem (exit 2) or an unreadable file (exit 5), printed; nullopt when all is well.
using Problem = std::optional<int>;
// --ca, --cert, --key, --insecure, --proxy, --timeout into `to`.
Problem transport_options(const std::string& command, const Args& args, client::TransportOptions& to);
// --user / --password (default $TAXII_USER / $TAXII_PASSWORD) into `out`.
Problem basic_credentials(const std::string& command, const Args& args, std::optional<client::Credentials>& out);
// A usage error: message and "see --help" on stderr; returns kExitUsage.
int usage_error(const std::string& command, const std::string& message);

// "ID" or "ID>sub1,sub2" values of --binding, each followed by optional --subtype values.
std::optional<std::vector<v11::ContentBinding>> content_bindings(const Args& args, std::string& error);
// RFC 3339 (a missing zone is UTC). nullopt and `error` set if invalid.
std::optional<Timestamp> parse_time(const std::string& option, const std::string& text, std::string& error);
// A tdq:Default_Query file as a Query (format urn:taxii.mitre.org:query:default:1.0).
// Returns 0, or the exit code after printing the problem (5 unreadable, 2 invalid).
int read_query(const std::string& command, const std::string& path, std::optional<v11::Query>& out);
// Whole file ("-" = stdin). False if it cannot be read.
bool read_file(const std::string& path, std::string& out);

// "12.3 MB"
std::string human_bytes(uint64_t n);

// A progress line on stderr ("poll: 1200 blocks, 3.4 MB, 1.1 MB/s"), drawn only when stderr
// is a terminal, at most a few times a second, and only after the first second.
class Progress {
 public:
  // `unit` names what add() counts ("blocks"; "objects" for TAXII 2.1).
  Progress(std::string verb, bool enabled, std::string unit = "blocks");
  ~Progress();
  void add(uint64_t blocks, uint64_t bytes);
  void finish();  // erases the line

 private:
  void draw();
  std::string verb_, unit_;
  bool enabled_;
  bool drawn_ = false;
  uint64_t blocks_ = 0, bytes_ = 0;
  std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace taxii::cli
