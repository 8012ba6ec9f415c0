// The TAXII Default Query 1.0 query format (urn:taxii.mitre.org:query:default:1.0): compiles a
// tdq:Default_Query body (Query 1.0 §3.1) into a Predicate over STIX 1.x content, with the
// capability modules core-1, regex-1 and timestamp-1 (§5) and the STIX targeting expression
// vocabularies of STIX 1.0–1.2 (§4.2.1). docs/query.md describes every decision.
//
// compile():
//  1. the body is parsed and schema-validated against the Default Query schema
//     (parse_document) — BAD_MESSAGE;
//  2. targeting_expression_id must be a STIX vocabulary — UNSUPPORTED_TARGETING_EXPRESSION_ID
//     with one TARGETING_EXPRESSION_ID detail per supported vocabulary;
//  3. each Criterion in document order: its Target (UNSUPPORTED_TARGETING_EXPRESSION with
//     PREFERRED_SCOPE and ALLOWED_SCOPE details), its capability module
//     (UNSUPPORTED_CAPABILITY_MODULE with one CAPABILITY_MODULE detail per supported module),
//     its relationship and parameters (BAD_MESSAGE naming them); limits (depth, count) —
//     BAD_MESSAGE.
// The first failure is reported; its message names the element path, e.g.
// "Default_Query/Criteria/Criteria[2]/Criterion[1]/Test: relationship \"foo\" ...".
//
// Thread-safety: DefaultQueryFormat and the predicates it compiles are immutable and safe to
// share between threads; evaluation state lives on the evaluating thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "bindings/query/default/capability_module.hpp"
#include "bindings/query/default/options.hpp"
#include "bindings/query/query_format.hpp"
#include "core/urn.hpp"

namespace taxii::query::tdq {

class DefaultQueryFormat : public QueryFormat {
 public:
  explicit DefaultQueryFormat(DefaultQueryOptions options = {});

  std::string_view id() const override;
  std::vector<std::string> capability_modules() const override;
  // One Supported_Query per targeting expression vocabulary (STIX 1.0, 1.0.1, 1.1, 1.1.1,
  // 1.2), each holding a tdq:Default_Query_Info with a single Targeting_Expression_Info: the
  // Default Query schema allows only one per Default_Query_Info (Query 1.0 §3.2; docs/spec-notes.md S8), while
  // Service_Instance allows any number of Supported_Query (XML 1.1 schema).
  std::vector<v11::SupportedQuery> supported_query_info() const override;
  Result<std::unique_ptr<Predicate>> compile(const v11::Query& q) const override;

  // The targeting expression vocabularies understood (the STIX content binding ids).
  static const std::vector<std::string>& vocabularies();
  // The scope advertised and named in UNSUPPORTED_TARGETING_EXPRESSION details: "**", every
  // well-formed slash-notation expression (Query 1.0 §3.2.1.1).
  static constexpr std::string_view kScope = "**";
  // The vocabulary named in the advertisement (one Targeting_Expression_Info, see
  // supported_query_info): STIX 1.1.1, the release TAXII 1.1 deployments carry.
  static constexpr std::string_view kAdvertisedVocabulary = urn::kStix111;

  const DefaultQueryOptions& options() const { return options_; }

 private:
  DefaultQueryOptions options_;
  std::vector<std::unique_ptr<CapabilityModule>> modules_;
};

}  // namespace taxii::query::tdq
