// The taxii2: section of the configuration (taxii21/config.hpp; docs/taxii21.md,
// "Configuration"), checked as far as it can be without the store.
#include "server/config_taxii2.hpp"

#include <set>
#include <utility>

#include "server/config_reader.hpp"

namespace taxii::server {
namespace {

using detail::Reader;
using taxii21::ApiRootConfig;
using taxii21::CollectionConfig;

// An absolute URL path ending in "/", without query, fragment, spaces or dot segments.
bool is_root_path(const std::string& p) {
  return p.size() >= 2 && p.front() == '/' && p.back() == '/' && p.find_first_of("?#% \t\\") == std::string::npos &&
         p.find("//") == std::string::npos && p.find("/./") == std::string::npos && p.find("/../") == std::string::npos;
}

// Whether `path` lies under the prefix `dir` (which ends in "/"), or is `dir` without its "/".
bool under(const std::string& path, const std::string& dir) {
  return path.rfind(dir, 0) == 0 || path + "/" == dir;
}

void read_permissions(Reader& r, const YAML::Node& y, const std::string& k, bool has_auth, CollectionConfig& c) {
  const YAML::Node pn = y["permissions"];
  if (!pn.IsDefined() || pn.IsNull()) return;
  if (!has_auth) {
    r.error(pn, k + ".permissions", "needs an auth: section (without it everything is open)");
    return;
  }
  if (!r.map(pn, k + ".permissions", {"read", "write"})) return;
  auth::Permissions perm;
  if (pn["read"].IsDefined()) perm.read = r.strings(pn, k + ".permissions", "read");
  if (pn["write"].IsDefined()) perm.write = r.strings(pn, k + ".permissions", "write");
  c.permissions = std::move(perm);
}

CollectionConfig read_collection(Reader& r, const YAML::Node& y, const std::string& k, bool has_auth) {
  CollectionConfig c;
  if (!r.map(y, k, {"id", "alias", "title", "description", "media_types", "permissions"})) return c;
  c.id = r.str(y, k, "id", true).value_or("");
  for (char& ch : c.id) ch = static_cast<char>(ch >= 'A' && ch <= 'F' ? ch - 'A' + 'a' : ch);
  if (!c.id.empty() && !taxii21::is_uuid4(c.id))
    r.error(y["id"], k + ".id", "must be an RFC 4122 version 4 UUID (TAXII 2.1 §2), e.g. from `uuidgen -r`");
  c.alias = r.str(y, k, "alias", false).value_or("");
  if (y["alias"].IsDefined() && (c.alias.empty() || c.alias.find_first_of("/?#% \t") != std::string::npos))
    r.error(y["alias"], k + ".alias", "must be a non-empty path segment (no /, ?, #, %, spaces)");
  c.title = r.str(y, k, "title", true).value_or("");
  c.description = r.str(y, k, "description", false).value_or("");
  if (y["media_types"].IsDefined()) {
    c.media_types = r.strings(y, k, "media_types");
    if (c.media_types.empty()) r.error(y["media_types"], k + ".media_types", "must not be empty (TAXII 2.1 §2: lists)");
    for (const std::string& m : c.media_types)
      if (m.rfind("application/stix+json", 0) != 0)
        r.error(y["media_types"], k + ".media_types", "taxiid stores STIX only: " + m);
  }
  read_permissions(r, y, k, has_auth, c);
  return c;
}

void read_collections(Reader& r, const YAML::Node& n, const std::string& k, bool has_auth, ApiRootConfig& root,
                      std::set<std::string>& ids) {
  if (!n.IsDefined() || n.IsNull()) return;
  if (!n.IsSequence()) return r.error(n, k, "expected a list");
  std::set<std::string> names;  // ids and aliases of this root
  for (std::size_t i = 0; i < n.size(); ++i) {
    const std::string ck = k + "[" + std::to_string(i) + "]";
    CollectionConfig c = read_collection(r, n[i], ck, has_auth);
    if (!c.id.empty() && !ids.insert(c.id).second)
      r.error(n[i]["id"], ck + ".id", "duplicate collection id " + c.id + " (ids are unique in the server)");
    if (!c.id.empty()) names.insert(c.id);
    if (!c.alias.empty() && !names.insert(c.alias).second)
      r.error(n[i]["alias"], ck + ".alias", "alias " + c.alias + " is already an id or alias in this API root");
    root.collections.push_back(std::move(c));
  }
}

ApiRootConfig read_root(Reader& r, const YAML::Node& y, const std::string& k, const Limits& limits, bool has_auth,
                        std::set<std::string>& ids) {
  ApiRootConfig a;
  if (!r.map(y, k, {"path", "title", "description", "versions", "max_content_length", "collections"})) return a;
  a.path = r.str(y, k, "path", true).value_or("");
  if (!a.path.empty() && a.path.back() != '/') a.path += '/';
  if (y["path"].IsDefined() && !is_root_path(a.path))
    r.error(y["path"], k + ".path", "must be an absolute URL path such as /api1/ (TAXII 2.1 §4.1.1)");
  a.title = r.str(y, k, "title", true).value_or("");
  a.description = r.str(y, k, "description", false).value_or("");
  for (const std::string& v : r.strings(y, k, "versions"))
    if (v != "application/taxii+json;version=2.1")
      r.error(y["versions"], k + ".versions", "taxiid serves application/taxii+json;version=2.1 only, not " + v);
  a.max_content_length = static_cast<uint64_t>(
      r.integer(y, k, "max_content_length", 1, static_cast<long long>(limits.max_body_bytes))
          .value_or(static_cast<long long>(limits.max_body_bytes)));
  read_collections(r, y["collections"], k + ".collections", has_auth, a, ids);
  return a;
}

// Roots must not nest (the path below a root names its resources) nor hide the discovery
// resource, a 1.x service or /health.
void check_paths(Reader& r, const YAML::Node& n, const ServerConfig& c, const taxii21::Taxii2Config& t) {
  for (std::size_t i = 0; i < t.roots.size(); ++i) {
    const std::string& p = t.roots[i].path;
    const std::string k = "taxii2.api_roots[" + std::to_string(i) + "].path";
    const YAML::Node at = n[i]["path"];
    if (p.empty()) continue;
    if (p == t.prefix) r.error(at, k, "is the discovery path (taxii2.prefix)");
    if (under("/health", p) || p.rfind("/health/", 0) == 0) r.error(at, k, "would hide taxiid's /health endpoints");
    for (const auto& s : c.services)
      if (under(s.path, p)) r.error(at, k, "contains the TAXII 1.x service path " + s.path);
    for (std::size_t j = 0; j < t.roots.size(); ++j) {
      const std::string& q = t.roots[j].path;
      if (j == i || q.rfind(p, 0) != 0) continue;
      if (q != p) r.error(at, k, "contains the API root " + q);
      else if (j < i) r.error(at, k, "two API roots share this path");
    }
  }
  for (const auto& s : c.services)
    if (under(s.path, t.prefix)) r.error(n, "taxii2.prefix", "contains the TAXII 1.x service path " + s.path);
}

void read_top(Reader& r, const YAML::Node& n, taxii21::Taxii2Config& t) {
  t.prefix = r.str(n, "taxii2", "prefix", false).value_or(t.prefix);
  if (t.prefix.back() != '/') t.prefix += '/';
  if (!is_root_path(t.prefix)) r.error(n["prefix"], "taxii2.prefix", "must be an absolute URL path such as /taxii2/");
  t.title = r.str(n, "taxii2", "title", false).value_or(t.title);
  t.description = r.str(n, "taxii2", "description", false).value_or("");
  t.contact = r.str(n, "taxii2", "contact", false).value_or("");
  t.max_page = static_cast<uint64_t>(r.integer(n, "taxii2", "max_page", 1, 100'000).value_or(1000));
  t.status_retention = std::chrono::seconds(
      r.integer(n, "taxii2", "status_retention", 86'400, 10LL * 365 * 86'400).value_or(t.status_retention.count()));
  t.cursor_secret = r.str(n, "taxii2", "cursor_secret", false).value_or("");
  if (n["cursor_secret"].IsDefined() && t.cursor_secret.size() < 16)
    r.error(n["cursor_secret"], "taxii2.cursor_secret", "must be at least 16 characters");
}

}  // namespace

void read_taxii2(detail::Reader& r, const YAML::Node& root, ServerConfig& c) {
  const YAML::Node n = root["taxii2"];
  if (!n.IsDefined() || n.IsNull()) return;
  if (!r.map(n, "taxii2", {"prefix", "title", "description", "contact", "default_root", "max_page",
                           "status_retention", "cursor_secret", "api_roots"}))
    return;
  taxii21::Taxii2Config t;
  read_top(r, n, t);
  const YAML::Node roots = n["api_roots"];
  if (!roots.IsDefined() || !roots.IsSequence() || roots.size() == 0) {
    r.error(roots.IsDefined() ? roots : n, "taxii2.api_roots", "a list with at least one API root is required (TAXII 2.1 §8.2.1)");
    return;
  }
  const bool has_auth = root["auth"].IsDefined() && !root["auth"].IsNull();
  std::set<std::string> ids;
  for (std::size_t i = 0; i < roots.size(); ++i)
    t.roots.push_back(read_root(r, roots[i], "taxii2.api_roots[" + std::to_string(i) + "]", c.limits, has_auth, ids));
  check_paths(r, roots, c, t);
  if (auto d = r.str(n, "taxii2", "default_root", false)) {
    t.default_root = d->empty() || d->back() == '/' ? *d : *d + "/";
    bool found = false;
    for (const auto& a : t.roots) found = found || a.path == t.default_root;
    if (!found) r.error(n["default_root"], "taxii2.default_root", "is not the path of one of taxii2.api_roots (TAXII 2.1 §4.1.1)");
  }
  c.taxii2 = std::move(t);
}

}  // namespace taxii::server
