// Query support of the services (issue #10; Services 1.1 §4.4.3, §4.4.8, §5.5): which query
// formats one Poll or Collection Management service accepts, compiling a request's Query with
// the server's QueryFormatRegistry, and scanning a collection with a compiled query.
//
// The server owns one query::QueryFormatRegistry (and one content::ContentBindingRegistry),
// filled at start-up; services get them through Plugins and never own them. A QuerySupport is
// a cheap view: the registry restricted to the formats a service is configured with
// (ServiceInfo::query_formats: nullopt = all registered formats, empty = none).
//
// Scanning with a query: the store filters by collection, window and content binding; the
// predicate is evaluated on each block as it streams past (one block's tree in memory). Blocks
// the predicate cannot evaluate (non-STIX, nested bindings) are skipped (Services 1.1 §5.5:
// send only records that can be evaluated). A limit counts matching blocks.
//
// Thread-safe: everything here is const over immutable registries and predicates.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bindings/content/content_binding.hpp"
#include "bindings/query/query_format.hpp"
#include "core/message_v11.hpp"
#include "core/result.hpp"
#include "services/topology.hpp"
#include "storage/store.hpp"

namespace taxii::services {

// The server's registries, as the services see them. Null members: no registry (no query
// support; no strict content check).
struct Plugins {
  const content::ContentBindingRegistry* content = nullptr;
  const query::QueryFormatRegistry* queries = nullptr;
};

using PredicatePtr = std::shared_ptr<const query::Predicate>;

class QuerySupport {
 public:
  QuerySupport() = default;  // supports no query
  // `enabled`: the service's configured format ids (nullopt: every registered format).
  QuerySupport(const query::QueryFormatRegistry* registry, std::optional<std::vector<std::string>> enabled);
  QuerySupport(const Plugins& plugins, const ServiceInfo* service)
      : QuerySupport(plugins.queries, service != nullptr ? service->query_formats : std::nullopt) {}

  // The format ids this service supports, in registration order.
  std::vector<std::string> format_ids() const;
  // The Supported_Query elements of this service's Service_Instance (Discovery).
  std::vector<v11::SupportedQuery> supported_queries() const;
  // Compiles a request's query: a format this service does not support -> UNSUPPORTED_QUERY
  // with one SUPPORTED_QUERY detail per supported format (none: no query support,
  // Services 1.1 §5.5.2); otherwise as QueryFormat::compile (BAD_MESSAGE or the format's own
  // status types, e.g. UNSUPPORTED_CAPABILITY_MODULE).
  Result<PredicatePtr> compile(const v11::Query& q) const;
  // Compiles a query accepted earlier (a subscription's, a stored result's) with any
  // registered format. Fails with Failure if it no longer compiles.
  Result<PredicatePtr> compile_stored(const v11::Query& q) const;

 private:
  bool enabled(std::string_view id) const;

  const query::QueryFormatRegistry* registry_ = nullptr;
  std::optional<std::vector<std::string>> enabled_;
};

// Compiles a stored query (nullopt -> null predicate) with `registry`; Failure naming `what`
// if it does not compile (e.g. the format is no longer registered).
Result<PredicatePtr> compile_stored_query(const query::QueryFormatRegistry* registry,
                                          const std::optional<v11::Query>& q, const std::string& what);

// True if a stored block satisfies `pred` (null: every block).
bool block_matches(const query::Predicate* pred, const storage::StoredBlock& b);

// A stored block as a message's Content_Block, taking its fields (scan() hands out blocks it
// no longer needs): a 1000-block Poll_Response part is ~3 MB of content, held once, not twice.
v11::ContentBlock take_content_block(storage::StoredBlock&& b);

// ContentStore::scan with a predicate: visits the blocks of q that match pred (null: all), in label
// order, until fn returns false; q.limit counts matching blocks (0: no limit).
Status scan_matching(storage::ContentStore& store, const storage::ScanQuery& q, const query::Predicate* pred,
                     const std::function<bool(storage::StoredBlock&)>& fn);
// ContentStore::count with a predicate (evaluates every candidate block when pred is set).
Result<uint64_t> count_matching(storage::ContentStore& store, const storage::ScanQuery& q, const query::Predicate* pred);

}  // namespace taxii::services
