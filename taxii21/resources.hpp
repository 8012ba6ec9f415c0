// The TAXII 2.1 resources taxiid writes as JSON (TAXII 2.1 §3.6.1 error, §4.1.1 discovery,
// §4.2.1 api-root, §5.1.1 collections, §5.2.1 collection), each compact, with
// core/json_writer.hpp. Lists are omitted rather than sent empty (§2).
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "taxii21/config.hpp"

namespace taxii::taxii21 {

// An error to answer (TAXII 2.1 §3.6): the HTTP status and the error resource's texts. The
// description never names things the requester may not see (Appendix B).
struct Problem {
  int status = 400;
  std::string title;
  std::string description;
};

// The error resource of p; http_status is the status as a string (§3.6.1).
std::string error_json(const Problem& p);

// `roots`: the API roots this requester may see (§4.1.1 allows filtering per client).
std::string discovery_json(const Taxii2Config& c, const std::vector<const ApiRootConfig*>& roots);
std::string api_root_json(const ApiRootConfig& r);

struct CollectionView {
  const CollectionConfig* config;
  bool can_read;
  bool can_write;
};
void write_collection(std::string& out, const CollectionView& v);
std::string collection_json(const CollectionView& v);
// Sorted by id (Interop §2.1.7); {} when there is none.
std::string collections_json(std::vector<CollectionView> views);

}  // namespace taxii::taxii21
