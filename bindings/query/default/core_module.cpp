// Core capability module, urn:taxii.mitre.org:query:capability:core-1 (Query 1.0 §5.1).
#include <memory>

#include "bindings/query/default/capability_module.hpp"
#include "core/urn.hpp"

namespace taxii::query::tdq {

namespace {

enum class Cmp { Eq, Ne, Gt, Ge, Lt, Le };

bool compare(double a, Cmp op, double b) {
  switch (op) {
    case Cmp::Eq: return a == b;
    case Cmp::Ne: return a != b;
    case Cmp::Gt: return a > b;
    case Cmp::Ge: return a >= b;
    case Cmp::Lt: return a < b;
    case Cmp::Le: return a <= b;
  }
  return false;
}

// equals / not_equals with match_type case_sensitive_string / case_insensitive_string
// (§5.1.1, §5.1.2): whole-value comparison; containment is not equality.
class StringEquals : public ValueTest {
 public:
  StringEquals(std::string value, bool icase, bool negate)
      : value_(icase ? fold_case(value) : std::move(value)), icase_(icase), negate_(negate) {}
  bool test(std::string_view v, EvalContext&) const override {
    const bool eq = icase_ ? equal_fold(v, value_) : v == value_;
    return eq != negate_;
  }

 private:
  std::string value_;
  bool icase_, negate_;
};

// Numeric relationships (§5.1.1–§5.1.6 with match_type number). A node whose value is not a
// number satisfies none of them, not_equals included.
class NumberTest : public ValueTest {
 public:
  NumberTest(Cmp op, double value) : op_(op), value_(value) {}
  bool test(std::string_view v, EvalContext&) const override {
    const auto n = parse_number(v);
    return n && compare(*n, op_, value_);
  }

 private:
  Cmp op_;
  double value_;
};

// begins_with / ends_with / contains (§5.1.9–§5.1.11).
class AffixTest : public ValueTest {
 public:
  enum class Kind { Begins, Ends, Contains };
  AffixTest(Kind kind, std::string value, bool icase)
      : kind_(kind), value_(icase ? fold_case(value) : std::move(value)), icase_(icase) {}
  bool test(std::string_view v, EvalContext&) const override {
    if (icase_) {
      // Folded into a per-thread buffer: no allocation per node once it has grown.
      thread_local std::string folded;
      folded.assign(v);
      for (char& c : folded) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
      v = folded;
    }
    switch (kind_) {
      case Kind::Begins: return v.substr(0, value_.size()) == value_;
      case Kind::Ends: return v.size() >= value_.size() && v.substr(v.size() - value_.size()) == value_;
      case Kind::Contains: return v.find(value_) != std::string_view::npos;
    }
    return false;
  }

 private:
  Kind kind_;
  std::string value_;
  bool icase_;
};

CompiledTest any(std::unique_ptr<ValueTest> t) { return {Quantifier::Any, std::move(t)}; }

Result<double> number_param(std::string_view rel, const std::string& value) {
  const auto n = parse_number(value);
  if (!n)
    return Error::bad_message("relationship \"" + std::string(rel) + "\": parameter \"value\" is not a number: \"" +
                              value + "\"");
  return *n;
}

template <bool kNegate>
Result<CompiledTest> equality(std::string_view rel, const Parameters& params, const DefaultQueryOptions&) {
  auto p = read_parameters(rel, params, {"match_type", "value"}, {"match_type", "value"});
  if (!p.ok()) return p.error();
  const std::string match_type(trim(*(*p)[0]));
  const std::string& value = *(*p)[1];
  if (match_type == "case_sensitive_string") return any(std::make_unique<StringEquals>(value, false, kNegate));
  if (match_type == "case_insensitive_string") return any(std::make_unique<StringEquals>(value, true, kNegate));
  if (match_type == "number") {
    auto n = number_param(rel, value);
    if (!n.ok()) return n.error();
    return any(std::make_unique<NumberTest>(kNegate ? Cmp::Ne : Cmp::Eq, *n));
  }
  return Error::bad_message("relationship \"" + std::string(rel) + "\": parameter \"match_type\" must be "
                            "case_sensitive_string, case_insensitive_string or number, not \"" + match_type + "\"");
}

template <Cmp kOp>
Result<CompiledTest> ordering(std::string_view rel, const Parameters& params, const DefaultQueryOptions&) {
  auto p = read_parameters(rel, params, {"value"}, {"value"});
  if (!p.ok()) return p.error();
  auto n = number_param(rel, *(*p)[0]);
  if (!n.ok()) return n.error();
  return any(std::make_unique<NumberTest>(kOp, *n));
}

template <Quantifier kQ>
Result<CompiledTest> existence(std::string_view rel, const Parameters& params, const DefaultQueryOptions&) {
  auto p = read_parameters(rel, params, {}, {});
  if (!p.ok()) return p.error();
  return CompiledTest{kQ, nullptr};
}

template <AffixTest::Kind kKind>
Result<CompiledTest> affix(std::string_view rel, const Parameters& params, const DefaultQueryOptions&) {
  auto p = read_parameters(rel, params, {"case_sensitive", "value"}, {"value"});
  if (!p.ok()) return p.error();
  bool case_sensitive = true;  // §5.1.9: absent means true
  if (const auto& cs = (*p)[0]) {
    const auto b = parse_boolean(*cs);
    if (!b)
      return Error::bad_message("relationship \"" + std::string(rel) +
                                "\": parameter \"case_sensitive\" must be true or false, not \"" + *cs + "\"");
    case_sensitive = *b;
  }
  return any(std::make_unique<AffixTest>(kKind, *(*p)[1], !case_sensitive));
}

}  // namespace

std::unique_ptr<CapabilityModule> make_core_module() {
  return std::make_unique<TableModule>(
      urn::kCapabilityCore,
      std::vector<Relationship>{
          {"equals", equality<false>},                      // §5.1.1
          {"not_equals", equality<true>},                   // §5.1.2
          {"greater_than", ordering<Cmp::Gt>},              // §5.1.3
          {"greater_than_or_equal", ordering<Cmp::Ge>},     // §5.1.4 (no "s", unlike §5.3.3)
          {"less_than", ordering<Cmp::Lt>},                 // §5.1.5
          {"less_than_or_equal", ordering<Cmp::Le>},        // §5.1.6
          {"does_not_exist", existence<Quantifier::NotExists>},  // §5.1.7
          {"exists", existence<Quantifier::Exists>},        // §5.1.8
          {"begins_with", affix<AffixTest::Kind::Begins>},  // §5.1.9
          {"ends_with", affix<AffixTest::Kind::Ends>},      // §5.1.10
          {"contains", affix<AffixTest::Kind::Contains>},   // §5.1.11
      });
}

}  // namespace taxii::query::tdq
