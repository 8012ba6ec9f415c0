// Regular expression capability module, urn:taxii.mitre.org:query:capability:regex-1
// (Query 1.0 §5.2).
#include <memory>

#include "bindings/query/default/capability_module.hpp"
#include "core/urn.hpp"

namespace taxii::query::tdq {

namespace {

// matches (§5.2.1): unanchored search (docs/decisions.md), evaluated by the linear-time
// engine in regex.hpp. A node value over regex_max_input bytes, or a block whose regex tests
// exhaust regex_budget, cannot be evaluated: the block then does not match.
class RegexTest : public ValueTest {
 public:
  RegexTest(Regex re, std::size_t max_input) : re_(std::move(re)), max_input_(max_input) {}
  bool test(std::string_view v, EvalContext& ctx) const override {
    if (v.size() > max_input_) {
      ctx.aborted = true;
      return false;
    }
    switch (re_.search(v, ctx.regex_budget)) {
      case Regex::Outcome::Match: return true;
      case Regex::Outcome::NoMatch: return false;
      case Regex::Outcome::OverBudget: ctx.aborted = true; return false;
    }
    return false;
  }

 private:
  Regex re_;
  std::size_t max_input_;
};

Result<CompiledTest> matches(std::string_view rel, const Parameters& params, const DefaultQueryOptions& options) {
  auto p = read_parameters(rel, params, {"case_sensitive", "value"}, {"value"});
  if (!p.ok()) return p.error();
  // §5.2.1 states no default; absent means true as for the core string relationships
  // (docs/decisions.md).
  bool case_sensitive = true;
  if (const auto& cs = (*p)[0]) {
    const auto b = parse_boolean(*cs);
    if (!b)
      return Error::bad_message("relationship \"matches\": parameter \"case_sensitive\" must be true or false, not \"" +
                                *cs + "\"");
    case_sensitive = *b;
  }
  auto re = Regex::compile(*(*p)[1], case_sensitive, options.regex);
  if (!re.ok()) return Error::bad_message("relationship \"matches\": parameter \"value\": " + re.error().message());
  return CompiledTest{Quantifier::Any, std::make_unique<RegexTest>(std::move(re).value(), options.regex_max_input)};
}

}  // namespace

std::unique_ptr<CapabilityModule> make_regex_module() {
  return std::make_unique<TableModule>(urn::kCapabilityRegex, std::vector<Relationship>{{"matches", matches}});
}

}  // namespace taxii::query::tdq
