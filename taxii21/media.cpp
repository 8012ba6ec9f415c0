#include "taxii21/media.hpp"

#include <cstddef>

namespace taxii::taxii21 {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string_view unquote(std::string_view v) {
  v = trim(v);
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  return v;
}

// One media range: "type/subtype;name=value;..." with what negotiation needs of it.
struct Range {
  std::string_view type, subtype;
  std::string_view version;   // the version parameter, if any
  std::string_view charset;   // the charset parameter, if any
  bool zero_q = false;        // q=0 (RFC 9110 §12.4.2): not acceptable
  bool valid = false;
};

Range parse_range(std::string_view s) {
  Range r;
  std::size_t semi = s.find(';');
  const std::string_view full = trim(s.substr(0, semi));
  const std::size_t slash = full.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == full.size()) return r;
  r.type = full.substr(0, slash);
  r.subtype = full.substr(slash + 1);
  while (semi != std::string_view::npos) {
    s = s.substr(semi + 1);
    semi = s.find(';');
    const std::string_view param = trim(s.substr(0, semi));
    const std::size_t eq = param.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string_view name = trim(param.substr(0, eq));
    const std::string_view value = unquote(param.substr(eq + 1));
    if (iequals(name, "version")) r.version = value;
    else if (iequals(name, "charset")) r.charset = value;
    else if (iequals(name, "q")) r.zero_q = value.find_first_not_of("0.") == std::string_view::npos;
  }
  r.valid = true;
  return r;
}

bool is_taxii_type(const Range& r) { return iequals(r.type, "application") && iequals(r.subtype, "taxii+json"); }

}  // namespace

bool accepts_taxii21(std::string_view accept) {
  if (trim(accept).empty()) return true;  // §3.1's client MUST, served leniently (docs/taxii21.md)
  while (true) {
    const std::size_t comma = accept.find(',');
    const Range r = parse_range(accept.substr(0, comma));
    if (r.valid && !r.zero_q) {
      if (is_taxii_type(r) && (r.version.empty() || r.version == "2.1")) return true;
      if (r.subtype == "*" && (r.type == "*" || iequals(r.type, "application"))) return true;
    }
    if (comma == std::string_view::npos) return false;
    accept.remove_prefix(comma + 1);
  }
}

bool is_taxii21_content(std::string_view content_type) {
  const Range r = parse_range(content_type);
  return r.valid && is_taxii_type(r) && (r.version.empty() || r.version == "2.1") &&
         (r.charset.empty() || iequals(r.charset, "utf-8"));
}

}  // namespace taxii::taxii21
