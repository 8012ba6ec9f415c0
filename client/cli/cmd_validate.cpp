// taxii validate: conformance check of captured TAXII messages (issue #3).
// For each file: detects the version from the root namespace, validates against the
// project's schemas and the specification's semantic rules, and prints
//   FILE: OK <message type> <version>      or      FILE: INVALID <reason>
// --roundtrip also re-serializes and re-parses, reporting the first difference.
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "bindings/xml/message_binding.hpp"
#include "client/cli/command.hpp"

namespace taxii::cli {
namespace {

const char* kHelp =
    "usage: taxii validate [--roundtrip] [--quiet] FILE...\n\n"
    "Validates TAXII 1.1 and 1.0 XML messages (the version is taken from the root\n"
    "element's namespace). Use '-' to read one message from standard input.\n\n"
    "  --roundtrip   also serialize the parsed message again, re-parse it, and report\n"
    "                any difference (a conformance check of this implementation)\n"
    "  --quiet       print INVALID lines only\n"
    "  --max-bytes N largest message accepted (default 33554432)\n\n"
    "Prints 'FILE: OK <message type> <version>' or 'FILE: INVALID <reason>' per file.\n"
    "Exit status: 0 if every file is valid, 1 if any is invalid, 2 on usage errors,\n"
    "5 if a file cannot be read.\n";

bool read_file(const std::string& path, std::string& out) {
  if (path == "-") {
    out.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    return true;
  }
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  std::ostringstream ss;
  ss << f.rdbuf();
  out = ss.str();
  return true;
}

std::string first_difference(const std::string& a, const std::string& b) {
  size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  const size_t from = i > 40 ? i - 40 : 0;
  return "at byte " + std::to_string(i) + ": '" + a.substr(from, 80) + "' vs '" + b.substr(from, 80) + "'";
}

}  // namespace

int run_validate(const std::vector<std::string>& args) {
  bool roundtrip = false, quiet = false;
  xml::ParseLimits limits;
  std::vector<std::string> files;
  for (size_t i = 1; i < args.size(); ++i) {
    const auto& a = args[i];
    if (a == "--help" || a == "-h") {
      std::cout << kHelp;
      return kExitOk;
    } else if (a == "--roundtrip") {
      roundtrip = true;
    } else if (a == "--quiet" || a == "-q") {
      quiet = true;
    } else if (a == "--max-bytes" && i + 1 < args.size()) {
      try {
        limits.max_bytes = std::stoull(args[++i]);
      } catch (...) {
        std::cerr << "taxii validate: --max-bytes needs a number\n";
        return kExitUsage;
      }
    } else if (a.size() > 1 && a[0] == '-' && a != "-") {
      std::cerr << "taxii validate: unknown option " << a << "\n" << kHelp;
      return kExitUsage;
    } else {
      files.push_back(a);
    }
  }
  if (files.empty()) {
    std::cerr << kHelp;
    return kExitUsage;
  }
  int rc = kExitOk;
  for (const auto& f : files) {
    std::string body;
    if (!read_file(f, body)) {
      std::cout << f << ": INVALID cannot read file\n";
      rc = kExitIo;
      continue;
    }
    auto m = xml::parse_any(body, limits);
    if (!m.ok()) {
      std::cout << f << ": INVALID " << m.error().message() << "\n";
      if (rc == kExitOk) rc = kExitInvalid;
      continue;
    }
    if (roundtrip) {
      auto s1 = xml::serialize_any(*m);
      if (!s1.ok()) {
        std::cout << f << ": INVALID cannot be serialized again: " << s1.error().message() << "\n";
        if (rc == kExitOk) rc = kExitInvalid;
        continue;
      }
      auto m2 = xml::parse_any(*s1, limits);
      if (!m2.ok()) {
        std::cout << f << ": INVALID re-serialized message does not parse: " << m2.error().message() << "\n";
        if (rc == kExitOk) rc = kExitInvalid;
        continue;
      }
      if (!(*m == *m2)) {
        auto s2 = xml::serialize_any(*m2);
        std::cout << f << ": INVALID round trip changed the message "
                  << (s2.ok() ? first_difference(*s1, *s2) : std::string()) << "\n";
        if (rc == kExitOk) rc = kExitInvalid;
        continue;
      }
    }
    if (!quiet)
      std::cout << f << ": OK " << message_type_name(*m) << " " << to_string(version_of(*m)) << "\n";
  }
  return rc;
}

}  // namespace taxii::cli
