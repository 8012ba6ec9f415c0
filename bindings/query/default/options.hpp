// Limits of the TAXII Default Query 1.0 implementation: what a query may ask for and what one
// evaluation may cost. Every query comes from the network, so each dimension is bounded.
// Plain value type; thread-compatible. docs/query.md lists the defaults and why.
#pragma once

#include <cstddef>

#include "bindings/query/default/regex.hpp"
#include "bindings/xml/message_binding.hpp"

namespace taxii::query::tdq {

struct DefaultQueryOptions {
  // --- compile time (BAD_MESSAGE / UNSUPPORTED_TARGETING_EXPRESSION beyond these) ---
  std::size_t max_criteria_depth = 64;  // nested Criteria, the top one included
  std::size_t max_criterion = 512;      // Criterion elements in one query
  std::size_t max_target_steps = 32;    // steps of one targeting expression
  Regex::Limits regex;                  // pattern size, program size, {n,m}, group nesting
  // The tdq:Default_Query body itself.
  xml::ParseLimits query_limits{1u << 20, 256, 100'000};

  // --- evaluation time (the block then does not match: it cannot be evaluated) ---
  xml::ParseLimits content_limits{};         // each content block (parse_untyped)
  std::size_t regex_max_input = 256 * 1024;  // bytes of one node value a regex is run on
  std::size_t regex_budget = 4'000'000;      // NFA steps per block, all regex tests together
};

}  // namespace taxii::query::tdq
