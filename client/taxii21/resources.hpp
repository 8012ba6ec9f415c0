// The TAXII 2.1 resources a client reads (TAXII 2.1 §4, §5), parsed from JSON with simdjson:
// discovery (§4.1.1), api-root (§4.2.1), status (§4.3.1), collection(s) (§5.1.1, §5.2.1),
// error (§3.6.1), and one page of a paginated endpoint (envelope §3.7, manifest §5.3.1,
// versions §5.8.1) whose items are handed on as compact JSON text.
//
// Parsers are lenient where the standard lets servers vary (optional properties absent,
// unknown properties ignored) and strict where a client cannot go on (a required property
// missing or of the wrong type is an error naming it). Linear in their input; simdjson
// limits depth. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace taxii::client21 {

struct Discovery {  // TAXII 2.1 §4.1.1
  std::string title;
  std::optional<std::string> description, contact, default_root;
  std::vector<std::string> api_roots;
};

struct ApiRoot {  // TAXII 2.1 §4.2.1
  std::string title;
  std::optional<std::string> description;
  std::vector<std::string> versions;
  uint64_t max_content_length = 0;
};

struct Collection {  // TAXII 2.1 §5.2.1
  std::string id, title;
  std::optional<std::string> description, alias;
  bool can_read = false, can_write = false;
  std::vector<std::string> media_types;
};

struct StatusDetails {  // TAXII 2.1 §4.3.1, status-details
  std::string id, version;
  std::optional<std::string> message;
};

struct StatusResource {  // TAXII 2.1 §4.3.1
  std::string id, status;  // status: "complete" or "pending"
  std::optional<std::string> request_timestamp;
  uint64_t total_count = 0, success_count = 0, failure_count = 0, pending_count = 0;
  std::vector<StatusDetails> successes, failures, pendings;
  bool complete() const { return status == "complete"; }
};

struct ErrorResource {  // TAXII 2.1 §3.6.1
  std::string title;
  std::optional<std::string> description, error_id, error_code, http_status, external_details;
  std::optional<std::string> details;  // the `details` dictionary as compact JSON
};

struct ManifestRecord {  // TAXII 2.1 §5.3.1, manifest-record
  std::string id, date_added, version;
  std::optional<std::string> media_type;
};

// The kinds of paginated resource (TAXII 2.1 §3.5) and the array that holds their items.
enum class PageKind { Objects, Manifest, Versions };
std::string_view items_key(PageKind k);  // "objects", "objects", "versions"

// What a page says about the rest (TAXII 2.1 §3.5, §3.7).
struct PageInfo {
  bool more = false;
  std::optional<std::string> next;
  uint64_t items = 0;
};

// Each item of a page, as compact JSON (an object for objects and manifest records, a JSON
// string for versions). An error stops the parse and is returned.
using ItemSink = std::function<Status(std::string_view item_json)>;

Result<Discovery> parse_discovery(std::string_view json);
Result<ApiRoot> parse_api_root(std::string_view json);
Result<std::vector<Collection>> parse_collections(std::string_view json);
Result<Collection> parse_collection(std::string_view json);
Result<StatusResource> parse_status(std::string_view json);
// nullopt when the body is not an error resource (not JSON, not an object, no `title`).
std::optional<ErrorResource> parse_error(std::string_view json);
Result<ManifestRecord> parse_manifest_record(std::string_view json);
Result<PageInfo> parse_page(std::string_view json, PageKind kind, const ItemSink& sink);

}  // namespace taxii::client21
