// Capability modules of the TAXII Default Query (Query 1.0 §5): each turns a Test
// (relationship + parameters) into a compiled test that is applied to node values.
// Internal to bindings/query/default.
//
// A module is a table of relationships; adding one is one more entry in its table, and a new
// module is one more factory in DefaultQueryFormat's list. Compiled tests are immutable and
// thread-safe; per-evaluation state (the regex budget) lives in an EvalContext owned by the
// evaluating thread.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bindings/query/default/options.hpp"
#include "core/result.hpp"

namespace taxii::query::tdq {

// Per-block evaluation state.
struct EvalContext {
  std::size_t regex_budget = 0;
  // Set when a limit was hit: the block cannot be evaluated and does not match, whatever
  // negations or ORs surround the test that hit it.
  bool aborted = false;
};

// A Test compiled for one relationship, applied to the value of one selected node (element
// text or attribute value, whitespace-trimmed).
class ValueTest {
 public:
  virtual ~ValueTest() = default;
  virtual bool test(std::string_view value, EvalContext& ctx) const = 0;
};

// How a Test combines over the nodes its Target selects (Query 1.0 §3.3 leaves this to the
// implementation; docs/decisions.md): Any = some selected node satisfies the value test;
// Exists / NotExists look only at whether any node is selected.
enum class Quantifier { Any, Exists, NotExists };

struct CompiledTest {
  Quantifier quantifier = Quantifier::Any;
  std::unique_ptr<ValueTest> value_test;  // set iff quantifier == Any
};

// Parameters of one Test, in document order, names as written.
using Parameters = std::vector<std::pair<std::string, std::string>>;

class CapabilityModule {
 public:
  virtual ~CapabilityModule() = default;
  virtual std::string_view id() const = 0;  // urn:taxii.mitre.org:query:capability:core-1
  // Fails with BadMessage naming the relationship or parameter at fault.
  virtual Result<CompiledTest> compile(std::string_view relationship, const Parameters& params,
                                       const DefaultQueryOptions& options) const = 0;
};

// A module defined by a table of relationships (all three built-in modules are).
struct Relationship {
  std::string_view name;
  Result<CompiledTest> (*compile)(std::string_view name, const Parameters& params,
                                  const DefaultQueryOptions& options);
};

class TableModule : public CapabilityModule {
 public:
  TableModule(std::string_view id, std::vector<Relationship> relationships)
      : id_(id), relationships_(std::move(relationships)) {}
  std::string_view id() const override { return id_; }
  // An unknown relationship fails with BadMessage listing the defined ones.
  Result<CompiledTest> compile(std::string_view relationship, const Parameters& params,
                               const DefaultQueryOptions& options) const override;

 private:
  std::string_view id_;
  std::vector<Relationship> relationships_;
};

std::unique_ptr<CapabilityModule> make_core_module();       // Query 1.0 §5.1
std::unique_ptr<CapabilityModule> make_regex_module();      // Query 1.0 §5.2
std::unique_ptr<CapabilityModule> make_timestamp_module();  // Query 1.0 §5.3

// --- Helpers shared by the modules (capability_module.cpp) ---

// Checks names against `allowed` and `required`; returns the value of each allowed name
// (nullopt when absent), in the order of `allowed`. BadMessage for an unknown, repeated or
// missing one.
Result<std::vector<std::optional<std::string>>> read_parameters(std::string_view relationship,
                                                                const Parameters& params,
                                                                const std::vector<std::string_view>& allowed,
                                                                const std::vector<std::string_view>& required);
// xs:boolean ("true", "false", "1", "0", surrounding whitespace ignored).
std::optional<bool> parse_boolean(std::string_view s);
// A decimal number: [+-]digits[.digits][e[+-]digits] (or .digits), whitespace-trimmed.
// No hex, infinities or NaN.
std::optional<double> parse_number(std::string_view s);
std::string_view trim(std::string_view s);
// ASCII-only case folding (docs/query.md).
std::string fold_case(std::string_view s);
bool equal_fold(std::string_view a, std::string_view folded_b);

}  // namespace taxii::query::tdq
