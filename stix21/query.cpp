#include "stix21/query.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <unordered_set>

#include <simdjson.h>

#include "stix21/timestamps.hpp"

namespace taxii::stix21 {
namespace {

enum class Param { AddedAfter, Limit, Next, MatchId, MatchType, MatchVersion, MatchSpecVersion, Count };

constexpr std::array<std::string_view, static_cast<size_t>(Param::Count)> kNames = {
    "added_after", "limit", "next", "match[id]", "match[type]", "match[version]", "match[spec_version]"};

std::optional<Param> classify(std::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) return static_cast<Param>(i);
  }
  return std::nullopt;
}

// TAXII 2.1 §5 endpoint tables (§5.3, §5.4, §5.6, §5.7, §5.8).
bool defined_for(Endpoint e, Param p) {
  switch (e) {
    case Endpoint::Objects:
    case Endpoint::Manifest: return true;
    case Endpoint::ObjectById: return p != Param::MatchId && p != Param::MatchType;
    case Endpoint::Versions:
      return p == Param::AddedAfter || p == Param::Limit || p == Param::Next || p == Param::MatchSpecVersion;
    case Endpoint::Delete: return p == Param::MatchVersion || p == Param::MatchSpecVersion;
  }
  return false;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 3986 §2.1 percent-decoding; '+' stays '+'. False on a malformed escape.
bool percent_decode(std::string_view in, std::string& out) {
  out.clear();
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out += in[i];
      continue;
    }
    const int hi = i + 2 < in.size() ? hex_value(in[i + 1]) : -1;
    const int lo = hi >= 0 ? hex_value(in[i + 2]) : -1;
    if (lo < 0) return false;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return true;
}

Error bad(std::string_view name, std::string_view why) {
  return Error::bad_message(std::string(name) + ": " + std::string(why));
}

// A comma list with no empty items (TAXII 2.1 §3.4), at most kMaxListItems.
std::optional<Error> split_list(std::string_view name, std::string_view value, std::vector<std::string>& out) {
  size_t start = 0;
  while (true) {
    const size_t comma = value.find(',', start);
    const std::string_view item = value.substr(start, comma == std::string_view::npos ? comma : comma - start);
    if (item.empty()) return bad(name, "an empty item in the comma-separated list (TAXII 2.1 §3.4)");
    if (out.size() == kMaxListItems) {
      return bad(name, "more than " + std::to_string(kMaxListItems) + " items");
    }
    out.emplace_back(item);
    if (comma == std::string_view::npos) return std::nullopt;
    start = comma + 1;
  }
}

// match[version] (TAXII 2.1 §3.4.1): all | first | last | exact versions, each at most once.
std::optional<Error> set_versions(const std::vector<std::string>& items, storage::ObjectQuery& q) {
  constexpr std::string_view name = "match[version]";
  q.last = false;
  q.all_versions = false;  // the Delete endpoint's default
  for (const std::string& v : items) {
    if (v == "all") {
      if (items.size() != 1) return bad(name, "'all' cannot be combined with other values (TAXII 2.1 §3.4.1)");
      q.all_versions = true;
    } else if (v == "first" || v == "last") {
      bool& flag = v == "first" ? q.first : q.last;
      if (flag) return bad(name, "'" + v + "' given twice (TAXII 2.1 §3.4.1)");
      flag = true;
    } else {
      auto key = stix_version_key(v);
      if (!key) return bad(name, "a version must be 'all', 'first', 'last' or a STIX timestamp (TAXII 2.1 §3.4.1)");
      q.version_keys.push_back(std::move(*key));
    }
  }
  std::vector<std::string> keys = q.version_keys;
  std::sort(keys.begin(), keys.end());
  if (std::adjacent_find(keys.begin(), keys.end()) != keys.end()) {
    return bad(name, "the same version given twice (TAXII 2.1 §3.4.1)");
  }
  return std::nullopt;
}

// limit (TAXII 2.1 §3.4): a positive integer; above 2^53-1 (TAXII 2.1 §2) taken as 2^53-1.
std::optional<Error> set_limit(std::string_view value, ParsedQuery& out) {
  constexpr uint64_t kMax = (uint64_t{1} << 53) - 1;
  uint64_t n = 0;
  for (char c : value) {
    if (c < '0' || c > '9') return bad("limit", "must be a positive integer (TAXII 2.1 §3.4)");
    n = std::min<uint64_t>(kMax, n * 10 + static_cast<uint64_t>(c - '0'));
  }
  if (n == 0) return bad("limit", "must be a positive integer (TAXII 2.1 §3.4)");
  out.query.limit = n;
  out.has_limit = true;
  return std::nullopt;
}

std::optional<Error> apply(Param p, std::string_view name, const std::string& value, ParsedQuery& out) {
  storage::ObjectQuery& q = out.query;
  std::vector<std::string> items;
  switch (p) {
    case Param::AddedAfter:
      q.added_after = parse_added_after(value);
      if (!q.added_after) return bad(name, "not a timestamp 'YYYY-MM-DDTHH:MM:SS[.s+]Z' (TAXII 2.1 §2, §3.4)");
      return std::nullopt;
    case Param::Limit: return set_limit(value, out);
    case Param::Next:
      out.next = value;
      out.has_next = true;
      return std::nullopt;
    case Param::MatchId: return split_list(name, value, q.ids);
    case Param::MatchType: return split_list(name, value, q.types);
    case Param::MatchSpecVersion: return split_list(name, value, q.spec_versions);
    case Param::MatchVersion:
      if (auto e = split_list(name, value, items)) return e;
      return set_versions(items, q);
    case Param::Count: break;
  }
  return std::nullopt;
}

}  // namespace

Result<ParsedQuery> parse_query(std::string_view raw, Endpoint endpoint) {
  ParsedQuery out;
  if (endpoint == Endpoint::Delete) {
    out.query.all_versions = true;
    out.query.last = false;
  }
  std::array<bool, static_cast<size_t>(Param::Count)> seen{};
  std::unordered_set<std::string> other_matches;
  std::string name, value;
  size_t start = 0;
  while (start <= raw.size()) {
    size_t amp = raw.find('&', start);
    if (amp == std::string_view::npos) amp = raw.size();
    const std::string_view piece = raw.substr(start, amp - start);
    start = amp + 1;
    if (piece.empty()) continue;
    const size_t eq = piece.find('=');
    if (!percent_decode(piece.substr(0, eq), name) ||
        (eq != std::string_view::npos && !percent_decode(piece.substr(eq + 1), value))) {
      return Error::bad_message("malformed percent-encoding in the query string (RFC 3986 §2.1)");
    }
    if (eq == std::string_view::npos) value.clear();
    const auto p = classify(name);
    if (!p) {
      const bool is_match = name.size() > 7 && name.compare(0, 6, "match[") == 0 && name.back() == ']';
      if (is_match && !other_matches.insert(name).second) {
        return Error::bad_message("a match parameter is given twice (TAXII 2.1 §3.4)");
      }
      continue;  // undefined parameters and match fields are ignored (TAXII 2.1 §3.4)
    }
    auto& once = seen[static_cast<size_t>(*p)];
    if (once) return bad(name, "given twice (TAXII 2.1 §3.4)");
    once = true;
    if (!defined_for(endpoint, *p)) continue;
    if (value.empty()) return bad(name, "has no value");
    if (!simdjson::validate_utf8(value.data(), value.size())) return bad(name, "is not UTF-8");
    if (auto e = apply(*p, name, value, out)) return *e;
  }
  return out;
}

std::string filter_fingerprint(Endpoint endpoint, const storage::ObjectQuery& q) {
  auto add_list = [](std::string& out, std::string_view label, std::vector<std::string> items) {
    std::sort(items.begin(), items.end());
    items.erase(std::unique(items.begin(), items.end()), items.end());
    out += label;
    for (const std::string& s : items) {
      out += std::to_string(s.size());  // length-prefixed: no separator can be forged
      out += ':';
      out += s;
    }
    out += '\n';
  };
  std::string f = "endpoint=" + std::to_string(static_cast<int>(endpoint)) + "\n";
  add_list(f, "collection=", {q.collection});
  add_list(f, "ids=", q.ids);
  add_list(f, "types=", q.types);
  add_list(f, "spec_versions=", q.spec_versions);
  add_list(f, "version_keys=", q.version_keys);
  f += "added_after=" + (q.added_after ? std::to_string(q.added_after->micros()) : std::string("-")) + "\n";
  f += q.all_versions ? "all" : "";
  f += q.first ? "first" : "";
  f += q.last ? "last" : "";
  f += q.with_body ? "\nbody\n" : "\nnobody\n";
  return f;
}

}  // namespace taxii::stix21
