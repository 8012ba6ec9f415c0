// The `taxii2:` section of taxiid's configuration (docs/taxii21.md, "Configuration"): the
// TAXII 2.1 discovery resource, the API roots and their collections, with permissions in the
// same model as the 1.x collections (auth/access.hpp). server/config_taxii2.cpp reads and
// checks it; RestApplication (rest_app.hpp) serves it.
//
// Plain values; thread-compatible.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "auth/access.hpp"

namespace taxii::taxii21 {

// The STIX media type a collection holds when its configuration names none (TAXII 2.1 §5.2.1).
inline constexpr const char* kStix21MediaType = "application/stix+json;version=2.1";

struct CollectionConfig {
  std::string id;                           // UUIDv4, lower case (TAXII 2.1 §2, §5.2.1)
  std::string alias;                        // optional; unique within the API root
  std::string title;
  std::string description;
  std::vector<std::string> media_types{kStix21MediaType};
  // Who may read and write (auth/access.hpp principals); absent: the policy's default
  // (every authenticated user). Only with an auth: section, as for 1.x collections.
  std::optional<auth::Permissions> permissions;
};

struct ApiRootConfig {
  std::string path;                         // absolute URL path ending in "/", e.g. "/api1/"
  std::string title;
  std::string description;
  uint64_t max_content_length = 10u << 20;  // octets (TAXII 2.1 §4.2.1); <= limits.max_body_bytes
  std::vector<CollectionConfig> collections;
};

struct Taxii2Config {
  std::string prefix = "/taxii2/";          // the discovery resource (TAXII 2.1 §4.1)
  std::string title = "taxiid";
  std::string description;
  std::string contact;
  std::string default_root;                 // a root's path, or empty: no default
  std::vector<ApiRootConfig> roots;
  uint64_t max_page = 1000;                 // objects per page, whatever `limit` asks (§3.4)
  std::chrono::seconds status_retention{7 * 86400};  // >= 24 h (TAXII 2.1 §4.3)
  // Key of the `next` cursors' MAC. Empty: a random key kept in the store, which every
  // instance on that store shares (docs/taxii21.md, "Paging").
  std::string cursor_secret;
};

// The key auth::AccessPolicy knows a 2.1 collection by: "taxii2:" + its id, so that it never
// meets a 1.x collection name.
inline std::string policy_key(const CollectionConfig& c) { return "taxii2:" + c.id; }

// Whether s is an RFC 4122 version 4 UUID (8-4-4-4-12 hex digits, version 4, variant 10xx).
bool is_uuid4(const std::string& s);

}  // namespace taxii::taxii21
