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
#include "client/cli/json.hpp"

namespace taxii::cli {
namespace {

const char* kHelp =
    "usage: taxii validate [--roundtrip] [--quiet] [--json] FILE...\n\n"
    "Validates TAXII 1.1 and 1.0 XML messages (the version is taken from the root\n"
    "element's namespace). Use '-' to read one message from standard input.\n\n"
    "  --roundtrip   also serialize the parsed message again, re-parse it, and report\n"
    "                any difference (a conformance check of this implementation)\n"
    "  --quiet       print INVALID lines only\n"
    "  --json        print one JSON document instead (docs/cli.md)\n"
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
  bool roundtrip = false, quiet = false, json = false;
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
    } else if (a == "--json") {
      json = true;
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
  JsonWriter w(std::cout);
  if (json) w.begin_object().field("command", "validate").key("files").begin_array();
  // One result line (or JSON object) per file.
  auto invalid = [&](const std::string& f, const std::string& why, int code) {
    if (json) w.begin_object().field("file", f).field("valid", false).field("error", why).end_object();
    else std::cout << f << ": INVALID " << why << "\n";
    if (rc == kExitOk || code == kExitIo) rc = code;
  };
  for (const auto& f : files) {
    std::string body;
    if (!read_file(f, body)) {
      invalid(f, "cannot read file", kExitIo);
      continue;
    }
    auto m = xml::parse_any(body, limits);
    if (!m.ok()) {
      invalid(f, m.error().message(), kExitInvalid);
      continue;
    }
    if (roundtrip) {
      auto s1 = xml::serialize_any(*m);
      if (!s1.ok()) {
        invalid(f, "cannot be serialized again: " + s1.error().message(), kExitInvalid);
        continue;
      }
      auto m2 = xml::parse_any(*s1, limits);
      if (!m2.ok()) {
        invalid(f, "re-serialized message does not parse: " + m2.error().message(), kExitInvalid);
        continue;
      }
      if (!(*m == *m2)) {
        auto s2 = xml::serialize_any(*m2);
        invalid(f, "round trip changed the message " + (s2.ok() ? first_difference(*s1, *s2) : std::string()), kExitInvalid);
        continue;
      }
    }
    if (json)
      w.begin_object().field("file", f).field("valid", true).field("message_type", message_type_name(*m))
          .field("version", to_string(version_of(*m))).end_object();
    else if (!quiet)
      std::cout << f << ": OK " << message_type_name(*m) << " " << to_string(version_of(*m)) << "\n";
  }
  if (json) w.end_array().field("ok", rc == kExitOk).end_object().finish();
  return rc;
}

}  // namespace taxii::cli
