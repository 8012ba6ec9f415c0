#include "taxii21/routes.hpp"

#include <array>
#include <cstddef>

namespace taxii::taxii21 {
namespace {

// Up to four segments of `rest`, which must be "a/b/.../" or the same without the last "/";
// returns how many, or -1 for an empty segment or more than four.
int split(std::string_view rest, std::array<std::string_view, 4>& seg) {
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.empty()) return 0;
  int n = 0;
  while (true) {
    const std::size_t slash = rest.find('/');
    const std::string_view s = rest.substr(0, slash);
    if (s.empty() || n == 4) return -1;
    seg[static_cast<std::size_t>(n++)] = s;
    if (slash == std::string_view::npos) return n;
    rest.remove_prefix(slash + 1);
  }
}

// The resource below an API root from its segments (TAXII 2.1 §4.2, §4.3, §5.1-§5.8).
Target below_root(const std::array<std::string_view, 4>& s, int n) {
  Target t;
  if (n == 0) t.resource = Resource::ApiRoot;
  else if (n == 2 && s[0] == "status") t.resource = Resource::Status, t.status_id = s[1];
  else if (s[0] != "collections") return t;
  else if (n == 1) t.resource = Resource::Collections;
  else if (n == 2) t.resource = Resource::Collection;
  else if (n == 3 && s[2] == "manifest") t.resource = Resource::Manifest;
  else if (n == 3 && s[2] == "objects") t.resource = Resource::Objects;
  if (n >= 2 && s[0] == "collections") t.collection = s[1];
  if (n == 4 && s[2] == "objects") t.resource = Resource::Object, t.object_id = s[3];
  return t;
}

}  // namespace

Target route(const Taxii2Config& config, std::string_view path) {
  Target none;
  const std::string_view prefix(config.prefix);
  if (path == prefix || path == prefix.substr(0, prefix.size() - 1)) {
    none.resource = Resource::Discovery;
    return none;
  }
  for (const ApiRootConfig& r : config.roots) {
    const std::string_view base(r.path);
    const bool exact = path == base.substr(0, base.size() - 1);
    if (!exact && path.compare(0, base.size(), base) != 0) continue;
    std::string_view rest = exact ? std::string_view() : path.substr(base.size());
    // .../objects/{object-id}/versions/ has five segments: take "versions" off first.
    bool versions = false;
    for (std::string_view v : {std::string_view("/versions/"), std::string_view("/versions")}) {
      if (!versions && rest.size() > v.size() && rest.compare(rest.size() - v.size(), v.size(), v) == 0) {
        std::array<std::string_view, 4> s;
        if (split(rest.substr(0, rest.size() - v.size()), s) == 4 && s[0] == "collections" && s[2] == "objects") {
          rest = rest.substr(0, rest.size() - v.size());
          versions = true;
        }
      }
    }
    std::array<std::string_view, 4> s;
    const int n = split(rest, s);
    if (n < 0) return none;
    Target t = below_root(s, n);
    if (versions) t.resource = Resource::Versions;
    if (t.resource != Resource::None) t.root = &r;
    return t;
  }
  return none;
}

const char* allowed_methods(Resource r) {
  switch (r) {
    case Resource::Objects: return "GET, HEAD, POST";
    case Resource::Object: return "GET, HEAD, DELETE";
    default: return "GET, HEAD";
  }
}

bool method_allowed(Resource r, std::string_view method) {
  if (method == "GET" || method == "HEAD") return true;
  return (r == Resource::Objects && method == "POST") || (r == Resource::Object && method == "DELETE");
}

}  // namespace taxii::taxii21
