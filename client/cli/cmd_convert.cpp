// taxii convert: STIX 1.x XML -> STIX 2.1 JSON with the conversion layer (convert/convert.hpp;
// docs/bridge.md). One file (or '-') -> the bundle on stdout; several -> one file each in
// --output DIR. Warnings (what was not converted, with its path) go to stderr.
#include <algorithm>
#include <fstream>
#include <iostream>

#include "client/cli/command.hpp"
#include "client/cli/common.hpp"
#include "convert/convert.hpp"
#include "core/json_writer.hpp"
#include "core/timestamp.hpp"

namespace taxii::cli {
namespace {

const char* kHelp =
    "usage: taxii convert [--to 2.1] [--json] [--strict] [--timestamp T] [--output DIR] FILE...\n\n"
    "Converts STIX 1.x XML documents (STIX 1.0-1.2 with CybOX 2.x) to STIX 2.1 bundles\n"
    "(docs/bridge.md). With one FILE ('-' reads standard input) the bundle goes to standard\n"
    "output; with several, --output DIR is required and FILE.xml becomes DIR/FILE.json.\n"
    "What cannot be converted is reported on standard error as\n"
    "  FILE: warning CODE at PATH: MESSAGE\n\n"
    "  --to 2.1        target version (STIX 2.1; the only one so far)\n"
    "  --json          warnings as one JSON object per file on standard error\n"
    "  --strict        refuse a document when anything in it would be lost\n"
    "  --timestamp T   created/modified for objects without a 1.x timestamp (RFC 3339);\n"
    "                  default: the time of the conversion (warning 105)\n"
    "  --output DIR    write DIR/<name>.json for each FILE\n"
    "  --max-bytes N   largest document accepted (default 33554432)\n\n"
    "Exit status: 0 every document converted (warnings or not), 1 a document was not STIX 1.x,\n"
    "not well-formed, or refused by --strict, 2 usage error, 5 a file could not be read or written.\n";

struct Settings {
  bool json = false;
  std::string output;
  convert::Options options;
  std::vector<std::string> files;
};

void report(const Settings& s, const std::string& file, const std::vector<convert::Warning>& warnings,
            const std::string& error) {
  if (!s.json) {
    for (const auto& w : warnings)
      std::cerr << file << ": warning " << w.code << (w.path.empty() ? "" : " at " + w.path) << ": " << w.message
                << "\n";
    if (!error.empty()) std::cerr << file << ": " << error << "\n";
    return;
  }
  std::string out;
  taxii::JsonWriter w(out);
  w.begin_object().member("file", file).member("converted", error.empty());
  if (!error.empty()) w.member("error", error);
  w.key("warnings").begin_array();
  for (const auto& x : warnings)
    w.begin_object().member("code", x.code).member("path", x.path).member("message", x.message).end_object();
  w.end_array().end_object();
  std::cerr << out << "\n";
}

std::string output_path(const std::string& dir, const std::string& file) {
  std::string base = file.substr(file.find_last_of('/') + 1);
  if (base.size() > 4 && base.compare(base.size() - 4, 4, ".xml") == 0) base.resize(base.size() - 4);
  return dir + "/" + base + ".json";
}

int convert_one(const Settings& s, const std::string& file) {
  std::string body;
  if (!read_file(file, body)) {
    std::cerr << "taxii convert: cannot read " << file << "\n";
    return kExitIo;
  }
  auto r = convert::elevate(body, s.options);
  if (!r.ok()) {
    report(s, file, {}, r.error().message());
    return kExitInvalid;
  }
  report(s, file, r->warnings, "");
  if (s.output.empty()) {
    std::cout << r->document << "\n" << std::flush;
    return std::cout ? kExitOk : kExitIo;
  }
  const std::string path = output_path(s.output, file);
  std::ofstream out(path, std::ios::binary);
  out << r->document << "\n";
  out.close();
  if (!out) {
    std::cerr << "taxii convert: cannot write " << path << "\n";
    return kExitIo;
  }
  return kExitOk;
}

// Returns -1 when the arguments are good, or the exit code to leave with.
int parse(const std::vector<std::string>& args, Settings& s) {
  for (size_t i = 1; i < args.size(); ++i) {
    const auto& a = args[i];
    const bool has_value = i + 1 < args.size();
    if (a == "--help" || a == "-h") {
      std::cout << kHelp;
      return kExitOk;
    } else if (a == "--json") {
      s.json = true;
    } else if (a == "--strict") {
      s.options.policy = convert::LossPolicy::Refuse;
    } else if (a == "--to" && has_value) {
      if (args[++i] != "2.1") {
        std::cerr << "taxii convert: --to " << args[i] << ": only 2.1 (STIX 1.x -> 2.1) is implemented\n";
        return kExitUsage;
      }
    } else if (a == "--timestamp" && has_value) {
      s.options.default_timestamp = args[++i];
      if (!Timestamp::parse_lenient(s.options.default_timestamp)) {
        std::cerr << "taxii convert: --timestamp: '" << args[i] << "' is not an RFC 3339 date-time\n";
        return kExitUsage;
      }
    } else if ((a == "--output" || a == "-o") && has_value) {
      s.output = args[++i];
    } else if (a == "--max-bytes" && has_value) {
      try {
        s.options.limits.max_bytes = std::stoull(args[++i]);
      } catch (...) {
        std::cerr << "taxii convert: --max-bytes needs a number\n";
        return kExitUsage;
      }
    } else if (a.size() > 1 && a[0] == '-') {
      std::cerr << "taxii convert: unknown option or missing value: " << a << "\n" << kHelp;
      return kExitUsage;
    } else {
      s.files.push_back(a);
    }
  }
  if (s.files.empty()) {
    std::cerr << "taxii convert: no FILE given\n" << kHelp;
    return kExitUsage;
  }
  if (s.files.size() > 1 && s.output.empty()) {
    std::cerr << "taxii convert: several files need --output DIR\n";
    return kExitUsage;
  }
  return -1;
}

}  // namespace

int run_convert(const std::vector<std::string>& args) {
  Settings s;
  if (int rc = parse(args, s); rc >= 0) return rc;
  int worst = kExitOk;
  for (const auto& f : s.files) worst = std::max(worst, convert_one(s, f));
  return worst;
}

}  // namespace taxii::cli
