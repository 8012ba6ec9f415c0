// Command-line parsing for the `taxii` subcommands: long options (`--name value`,
// `--name=value`), flags, one-letter aliases (-v, -h, -o), repeatable options, positional
// arguments, and `--` to end options. Options keep their order (`--binding A --subtype s`
// pairs by position). Plain values; not thread-safe.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace taxii::cli {

struct OptionSpec {
  std::string name;        // without "--"
  char short_name = 0;     // e.g. 'v' for -v; 0 = none
  std::string value_name;  // empty = a flag
  std::string help;
};

class Args {
 public:
  bool has(const std::string& name) const;
  // The last value given for the option.
  std::optional<std::string> get(const std::string& name) const;
  std::vector<std::string> all(const std::string& name) const;
  // Every option occurrence in command-line order (flags have an empty value).
  const std::vector<std::pair<std::string, std::string>>& sequence() const { return seq_; }
  const std::vector<std::string>& positional() const { return pos_; }

 private:
  friend std::optional<std::string> parse_args(const std::vector<std::string>&, const std::vector<OptionSpec>&, Args&);
  std::vector<std::pair<std::string, std::string>> seq_;
  std::vector<std::string> pos_;
};

// Parses args[1..] (args[0] is the command name). Returns an error message, or nullopt.
std::optional<std::string> parse_args(const std::vector<std::string>& args, const std::vector<OptionSpec>& specs,
                                      Args& out);
// "  --name VALUE   help" lines, aligned.
std::string format_options(const std::vector<OptionSpec>& specs);

}  // namespace taxii::cli
