// Query formats (Services 1.1 §5.5; Query 1.0 §1.1.1) and the registry that holds them, keyed
// by format id. Front header of bindings/query.
//
// A query is compiled once per request into a Predicate, which is then evaluated against each
// content block while the blocks stream past (Poll, push delivery of a subscription):
//
//   auto pred = queries.compile(*poll_parameters.query);    // UNSUPPORTED_QUERY, BAD_MESSAGE, ...
//   if (!pred.ok()) return pred.error();
//   for (const auto& block : blocks)
//     if ((*pred)->can_evaluate(block.binding_id) && (*pred)->matches(block.content.xml)) send(block);
//
// Ownership and threads: the registry owns its formats. Fill it before sharing it; after that
// every const member is safe to call concurrently. A compiled Predicate is immutable and
// thread-safe: matches() keeps all of its working state on the caller's stack/thread. No
// globals: a test builds its own registry (docs/design.md).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bindings/xml/xml_document.hpp"
#include "core/message_v11.hpp"
#include "core/result.hpp"

namespace taxii::query {

// A compiled query. Immutable; thread-safe.
class Predicate {
 public:
  virtual ~Predicate() = default;
  // Whether content of this binding id can be evaluated at all. Services 1.1 §5.5: with a
  // query a producer SHOULD send only records it can evaluate, so a caller skips the others.
  virtual bool can_evaluate(std::string_view binding_id) const = 0;
  // True if the content (a Content_Block's Content markup) satisfies the query. Content that
  // cannot be evaluated (not well-formed, over a limit) does not match. Never fails, never
  // throws; memory is bounded by one block.
  virtual bool matches(std::string_view content_markup) const = 0;
  // The same on content already parsed with xml::parse_untyped(), e.g. to evaluate the
  // queries of several subscriptions against one block with a single parse.
  virtual bool matches(const xml::XmlDocument& content) const = 0;
};

class QueryFormat {
 public:
  virtual ~QueryFormat() = default;
  virtual std::string_view id() const = 0;  // urn:taxii.mitre.org:query:default:1.0
  // Capability modules the format supports (Query 1.0 §5), for advertising and details.
  virtual std::vector<std::string> capability_modules() const = 0;
  // The Supported_Query elements a Poll or Collection Management service advertises
  // (Discovery_Response, Services 1.1 §4.4.3). One format may need several (see
  // docs/query.md: one per targeting expression vocabulary for the Default Query).
  virtual std::vector<v11::SupportedQuery> supported_query_info() const = 0;
  // REQUIRES: q.format_id == id(). Fails with BadMessage or a status type of the format
  // (for the Default Query: UNSUPPORTED_CAPABILITY_MODULE, UNSUPPORTED_TARGETING_EXPRESSION,
  // UNSUPPORTED_TARGETING_EXPRESSION_ID), with the details those call for.
  virtual Result<std::unique_ptr<Predicate>> compile(const v11::Query& q) const = 0;
};

class QueryFormatRegistry {
 public:
  QueryFormatRegistry() = default;
  QueryFormatRegistry(const QueryFormatRegistry&) = delete;
  QueryFormatRegistry& operator=(const QueryFormatRegistry&) = delete;

  // Fails (Failure) if a format with the same id is already registered, or `format` is null.
  Status add(std::unique_ptr<QueryFormat> format);
  // nullptr if unknown (ids compared as exact strings).
  const QueryFormat* find(std::string_view format_id) const;
  std::vector<std::string> ids() const;  // registration order
  std::size_t size() const { return formats_.size(); }

  // Compiles with the format the query names. An unknown format fails with UNSUPPORTED_QUERY
  // and one SUPPORTED_QUERY detail per registered format (Services 1.1 §5.5.2; none when the
  // registry is empty, i.e. no query support); otherwise as QueryFormat::compile.
  Result<std::unique_ptr<Predicate>> compile(const v11::Query& q) const;
  // Every registered format's Supported_Query elements, in registration order.
  std::vector<v11::SupportedQuery> supported_queries() const;

 private:
  std::vector<std::unique_ptr<QueryFormat>> formats_;
  std::map<std::string, const QueryFormat*, std::less<>> by_id_;
};

// Adds the TAXII Default Query 1.0 (bindings/query/default/) with default options.
Status register_builtin_query_formats(QueryFormatRegistry& registry);

}  // namespace taxii::query
