// Timestamp capability module, urn:taxii.mitre.org:query:capability:timestamp-1
// (Query 1.0 §5.3).
#include <memory>

#include "bindings/query/default/capability_module.hpp"
#include "core/timestamp.hpp"
#include "core/urn.hpp"

namespace taxii::query::tdq {

namespace {

enum class Cmp { Eq, Gt, Ge, Lt, Le };

// Compares instants: zones are honoured (2014-01-01T01:00:00+01:00 equals 2014-01-01T00:00:00Z).
// Values are read leniently (no zone = UTC, any number of fraction digits; docs/spec-notes.md P2);
// a node whose value is not a timestamp satisfies none of the relationships.
class TimestampTest : public ValueTest {
 public:
  TimestampTest(Cmp op, Timestamp value) : op_(op), value_(value.micros()) {}
  bool test(std::string_view v, EvalContext&) const override {
    const auto t = Timestamp::parse_lenient(v);
    if (!t) return false;
    const int64_t m = t->micros();
    switch (op_) {
      case Cmp::Eq: return m == value_;
      case Cmp::Gt: return m > value_;
      case Cmp::Ge: return m >= value_;
      case Cmp::Lt: return m < value_;
      case Cmp::Le: return m <= value_;
    }
    return false;
  }

 private:
  Cmp op_;
  int64_t value_;
};

template <Cmp kOp>
Result<CompiledTest> compare(std::string_view rel, const Parameters& params, const DefaultQueryOptions&) {
  auto p = read_parameters(rel, params, {"value"}, {"value"});
  if (!p.ok()) return p.error();
  const auto t = Timestamp::parse_lenient(*(*p)[0]);
  if (!t)
    return Error::bad_message("relationship \"" + std::string(rel) + "\": parameter \"value\" is not a timestamp: \"" +
                              *(*p)[0] + "\"");
  return CompiledTest{Quantifier::Any, std::make_unique<TimestampTest>(kOp, *t)};
}

}  // namespace

std::unique_ptr<CapabilityModule> make_timestamp_module() {
  // Query 1.0 §5 "spelling trap": the spec writes greater_than_or_equals /
  // less_than_or_equals (§5.3.3, §5.3.5); libtaxii and django-taxii-services send the core
  // module's spelling without "s". Both are accepted.
  return std::make_unique<TableModule>(urn::kCapabilityTimestamp,
                                       std::vector<Relationship>{
                                           {"equals", compare<Cmp::Eq>},                  // §5.3.1
                                           {"greater_than", compare<Cmp::Gt>},            // §5.3.2
                                           {"greater_than_or_equals", compare<Cmp::Ge>},  // §5.3.3
                                           {"greater_than_or_equal", compare<Cmp::Ge>},   // libtaxii
                                           {"less_than", compare<Cmp::Lt>},               // §5.3.4
                                           {"less_than_or_equals", compare<Cmp::Le>},     // §5.3.5
                                           {"less_than_or_equal", compare<Cmp::Le>},      // libtaxii
                                       });
}

}  // namespace taxii::query::tdq
