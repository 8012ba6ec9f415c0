// The URL parameters of the TAXII 2.1 GET/DELETE endpoints on objects (TAXII 2.1 §3.4,
// §3.4.1; endpoint table §5): a raw query string -> the filters of a storage::ObjectQuery,
// `limit` and `next`. Pure; thread-safe; linear in the query string's length.
//
// Rules (docs: stix21 design, "query parameters"):
//  - Split on '&' (empty pieces skipped), then name and value at the first '='; both
//    percent-decoded (RFC 3986 §2.1, so `match%5Btype%5D` is `match[type]`). '+' is a literal
//    plus sign (RFC 3986), not a space: no TAXII value contains a space, and a literal '+' keeps
//    working; a client that means a space sends %20. A '%' not followed by two hex digits, or
//    a decoded value that is not UTF-8, is an error.
//  - Parameters the endpoint defines: each at most once, never empty; lists are split on ','
//    with no empty items and at most kMaxListItems items. match[version]: `all` alone; `first`,
//    `last` and each exact version (a STIX timestamp, compared as an instant) at most once.
//    limit: a positive decimal integer (values beyond 2^53-1 are taken as 2^53-1; the server
//    caps anyway, §3.4). added_after: see stix21/timestamps.hpp.
//  - A `match[...]` the endpoint does not define (match[foo], or match[type] on the versions
//    endpoint) is ignored (§3.4), but twice is still an error (§3.4: "each field at most once").
//    Any other parameter is ignored.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "storage/objects.hpp"

namespace taxii::stix21 {

// The endpoints that take filters, with the parameters TAXII 2.1 §5 lists for each.
enum class Endpoint {
  Objects,     // GET .../objects/: added_after, limit, next, match[id,type,version,spec_version]
  Manifest,    // GET .../manifest/: same
  ObjectById,  // GET .../objects/{id}/: added_after, limit, next, match[version,spec_version]
  Versions,    // GET .../objects/{id}/versions/: added_after, limit, next, match[spec_version]
  Delete,      // DELETE .../objects/{id}/: match[version], match[spec_version]
};

inline constexpr std::size_t kMaxListItems = 1000;

struct ParsedQuery {
  // ids, types, added_after, spec_versions, all_versions/first/last/version_keys and limit
  // set; collection, the path's object id, after and with_body are the caller's.
  // Without match[version]: last, except on Delete, where it is all versions (TAXII 2.1 §5.7
  // does not say; deleting "an object" removes every version).
  storage::ObjectQuery query;
  bool has_limit = false;  // query.limit is 0 without one
  bool has_next = false;
  std::string next;        // the decoded `next` value, for decode_cursor()
};

// `raw_query`: the request target's query component without the '?' (RFC 3986 §3.4).
// Error: a BadMessage whose message names the parameter and the rule (for the error resource's
// description, HTTP 400).
[[nodiscard]] Result<ParsedQuery> parse_query(std::string_view raw_query, Endpoint endpoint);

// The filters of `q` (collection, ids, types, added_after, spec_versions, version selection) in
// one normalised text: sorted, duplicates removed, versions as keys; limit, next and after
// excluded. Equal filters give equal text; the cursor binds to its hash (stix21/cursor.hpp).
std::string filter_fingerprint(Endpoint endpoint, const storage::ObjectQuery& q);

}  // namespace taxii::stix21
