// Where a TAXII 2.1 request goes (TAXII 2.1 §1.2's endpoint table, §4, §5): the request path
// split into the resource kind, the API root and the path parameters. Request paths end in
// "/" (§3.1); the same path without the final "/" names the same resource (docs/taxii21.md).
// Paths are compared byte for byte (no percent-decoding). Linear in the path's length.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "taxii21/config.hpp"

namespace taxii::taxii21 {

enum class Resource { None, Discovery, ApiRoot, Status, Collections, Collection, Manifest, Objects, Object, Versions };

struct Target {
  Resource resource = Resource::None;
  const ApiRootConfig* root = nullptr;
  std::string_view collection;  // {id} segment: a collection id or alias
  std::string_view object_id;   // {object-id}
  std::string_view status_id;   // {status-id}
};

// The target of `path` (without query), or Resource::None: nothing is served there.
Target route(const Taxii2Config& config, std::string_view path);

// The methods a resource answers, as an Allow header value (RFC 9110 §10.2.1).
const char* allowed_methods(Resource r);
bool method_allowed(Resource r, std::string_view method);

}  // namespace taxii::taxii21
