// Helpers of the TAXII 2.1 wire tests (wire_taxii21_test.cpp): requests with the 2.1 headers,
// JSON answers read with simdjson, and the configuration's taxii2: section.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <simdjson.h>

#include "auth/password.hpp"
#include "tests/wire/wire_support.hpp"

namespace taxii::wire::t21 {

inline constexpr const char* kMedia = "application/taxii+json;version=2.1";
// Collection ids of the test configuration (UUIDv4).
inline constexpr const char* kC1 = "2a1b5c9e-7d43-4c1e-9f0a-0b1c2d3e4f51";    // alias "one"
inline constexpr const char* kC2 = "1f0e9d8c-7b6a-4958-8a7b-6c5d4e3f2a10";    // alias "two"
inline constexpr const char* kC3 = "9a8b7c6d-5e4f-4a3b-b2c1-d0e9f8a7b6c5";    // alias "three"

// Basic credentials for user:password.
inline std::string basic(const std::string& user_pw) { return "Basic " + auth::base64_encode(user_pw); }

// A request as a well-behaved TAXII 2.1 client sends it (Accept; Content-Type on POST).
inline Reply request(Client& c, const std::string& method, const std::string& path, const std::string& body = "",
                     Headers extra = {}) {
  Headers h{{"Accept", kMedia}};
  if (method == "POST") h.emplace_back("Content-Type", kMedia);
  for (auto& e : extra) {
    bool replaced = false;
    for (auto& x : h)
      if (x.first == e.first) x.second = e.second, replaced = true;
    if (!replaced) h.push_back(e);
  }
  std::vector<std::pair<std::string, std::string>> clean;
  for (auto& x : h)
    if (!x.second.empty()) clean.push_back(x);
  return c.post(path, body, clean, method);
}

// The parsed body of a reply (throws simdjson_error when it is not JSON).
struct Json {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  explicit Json(const std::string& text) : root(parser.parse(text)) {}
  simdjson::dom::element operator[](const char* key) const { return root[key]; }
  bool has(const char* key) const { return root[key].error() == simdjson::SUCCESS; }
  std::string str(const char* key) const { return std::string(std::string_view(root[key])); }
};

// The error resource's fields are right for the status (TAXII 2.1 §3.6.1).
inline bool is_error_resource(const Reply& r) {
  if (r.header("Content-Type") != kMedia) return false;
  try {
    Json j(r.body);
    return j.has("title") && j.str("http_status") == std::to_string(r.status);
  } catch (const simdjson::simdjson_error&) {
    return false;
  }
}

// The taxii2: section: root /api1/ with c1 (alias one), c2 (alias two), c3 (alias three), and
// the empty root /taxii2/empty/. `perms[i]`: the permissions: line of collection i, if any.
inline std::string taxii2_yaml(const std::vector<std::string>& perms = {}, const std::string& extra = "") {
  const char* ids[] = {kC1, kC2, kC3};
  const char* aliases[] = {"one", "two", "three"};
  std::string y =
      "taxii2:\n  title: wire taxiid\n  description: wire test\n  contact: ops@example.com\n"
      "  default_root: /api1/\n  max_page: 5\n" + extra +
      "  api_roots:\n    - path: /api1/\n      title: Root one\n      max_content_length: 20000\n"
      "      collections:\n";
  for (int i = 0; i < 3; ++i) {
    y += std::string("        - id: ") + ids[i] + "\n          alias: " + aliases[i] + "\n          title: Collection " +
         aliases[i] + "\n";
    if (static_cast<std::size_t>(i) < perms.size() && !perms[static_cast<std::size_t>(i)].empty())
      y += "          permissions: " + perms[static_cast<std::size_t>(i)] + "\n";
  }
  y += "    - path: /taxii2/empty/\n      title: Empty root\n";
  return y;
}

}  // namespace taxii::wire::t21
