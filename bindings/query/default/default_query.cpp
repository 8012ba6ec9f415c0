#include "bindings/query/default/default_query.hpp"

#include <utility>

#include "bindings/query/default/target.hpp"
#include "bindings/xml/xml_document.hpp"
#include "core/status.hpp"
#include "core/urn.hpp"

namespace taxii::query::tdq {

namespace {

// --- The compiled query -------------------------------------------------------------------

struct Criterion {
  Target target;
  CompiledTest test;
  bool negate = false;
};

struct Criteria {
  bool all = true;  // operator AND (else OR)
  std::vector<Criterion> criterion;
  std::vector<Criteria> criteria;
};

// Query 1.0 §3.3 step 2b: apply the Test to the Target, then negate if asked. How a Test
// applies to several selected nodes is ours to choose (docs/decisions.md): some node
// satisfies it; exists / does_not_exist look at whether any node is selected at all.
bool evaluate(const Criterion& c, const xml::XmlDocument& doc, EvalContext& ctx) {
  bool r = false;
  switch (c.test.quantifier) {
    case Quantifier::Exists: r = c.target.any(doc, [](std::string_view) { return true; }); break;
    case Quantifier::NotExists: r = !c.target.any(doc, [](std::string_view) { return true; }); break;
    case Quantifier::Any: {
      const ValueTest& t = *c.test.value_test;
      r = c.target.any(doc, [&](std::string_view v) { return t.test(v, ctx) || ctx.aborted; });
      break;
    }
  }
  return c.negate ? !r : r;
}

// Query 1.0 §3.3: AND is false as soon as one child is false, OR true as soon as one is true.
// Children have no side effects, so evaluating the Criterion children before the Criteria
// children (cheapest first) gives the same answer as document order.
bool evaluate(const Criteria& c, const xml::XmlDocument& doc, EvalContext& ctx) {
  for (const auto& x : c.criterion) {
    const bool v = evaluate(x, doc, ctx);
    if (ctx.aborted) return false;
    if (v != c.all) return v;
  }
  for (const auto& x : c.criteria) {
    const bool v = evaluate(x, doc, ctx);
    if (ctx.aborted) return false;
    if (v != c.all) return v;
  }
  return c.all;
}

class DefaultQueryPredicate : public Predicate {
 public:
  DefaultQueryPredicate(Criteria root, const DefaultQueryOptions& options)
      : root_(std::move(root)), content_limits_(options.content_limits), regex_budget_(options.regex_budget) {}

  bool can_evaluate(std::string_view binding_id) const override {
    // Any STIX 1.x block: the releases share their element names, later ones only add some.
    // Nested (encrypted) or other content cannot be looked into.
    for (const auto& v : DefaultQueryFormat::vocabularies())
      if (v == binding_id) return true;
    return false;
  }

  bool matches(std::string_view content_markup) const override {
    auto doc = xml::parse_untyped(content_markup, content_limits_);
    return doc.ok() && matches(*doc);
  }

  bool matches(const xml::XmlDocument& doc) const override {
    EvalContext ctx;
    ctx.regex_budget = regex_budget_;
    const bool r = evaluate(root_, doc, ctx);
    return r && !ctx.aborted;
  }

 private:
  Criteria root_;
  xml::ParseLimits content_limits_;
  std::size_t regex_budget_;
};

// --- From tdq:Default_Query markup to the compiled query -----------------------------------

bool is_tdq(const xml::XmlNode& n, std::string_view local) { return n.ns == urn::kNsDefaultQuery && n.local == local; }

class QueryCompiler {
 public:
  QueryCompiler(const xml::XmlDocument& doc, const DefaultQueryOptions& options,
                const std::vector<std::unique_ptr<CapabilityModule>>& modules)
      : doc_(doc), options_(options), modules_(modules) {}

  Result<Criteria> criteria(int32_t elem, size_t depth, const std::string& path) {
    if (depth > options_.max_criteria_depth)
      return Error::bad_message(path + ": Criteria nested deeper than " + std::to_string(options_.max_criteria_depth));
    Criteria out;
    const std::string* op = doc_.attr(elem, "operator");
    const std::string_view o = op == nullptr ? std::string_view() : trim(*op);
    if (o == "AND") out.all = true;
    else if (o == "OR") out.all = false;
    else return Error::bad_message(path + ": operator must be AND or OR");
    size_t n_criteria = 0, n_criterion = 0;
    for (int32_t c : doc_.element_children(elem)) {
      const xml::XmlNode& n = doc_.node(c);
      if (is_tdq(n, "Criteria")) {
        auto sub = criteria(c, depth + 1, path + "/Criteria[" + std::to_string(++n_criteria) + "]");
        if (!sub.ok()) return sub.error();
        out.criteria.push_back(std::move(sub).value());
      } else if (is_tdq(n, "Criterion")) {
        // Table 4 puts child Criteria before Criterion; the schema allows any order and so do
        // we (libtaxii itself reorders them on reading); the answer does not depend on it.
        auto one = criterion(c, path + "/Criterion[" + std::to_string(++n_criterion) + "]");
        if (!one.ok()) return one.error();
        out.criterion.push_back(std::move(one).value());
      } else {
        return Error::bad_message(path + ": unexpected element " + std::string(n.qname));
      }
    }
    // Query 1.0 §3.1.1 Table 4: at least one Criteria or Criterion.
    if (n_criteria + n_criterion == 0) return Error::bad_message(path + ": a Criteria needs a Criteria or Criterion");
    return out;
  }

 private:
  Result<Criterion> criterion(int32_t elem, const std::string& path) {
    if (++criterion_count_ > options_.max_criterion)
      return Error::bad_message(path + ": more than " + std::to_string(options_.max_criterion) + " Criterion elements");
    Criterion out;
    if (const std::string* neg = doc_.attr(elem, "negate")) {
      const auto b = parse_boolean(*neg);
      if (!b) return Error::bad_message(path + ": negate must be true or false");
      out.negate = *b;
    }
    int32_t target = -1, test = -1;
    for (int32_t c : doc_.element_children(elem)) {
      if (is_tdq(doc_.node(c), "Target") && target < 0) target = c;
      else if (is_tdq(doc_.node(c), "Test") && test < 0) test = c;
      else return Error::bad_message(path + ": unexpected element " + std::string(doc_.node(c).qname));
    }
    if (target < 0 || test < 0) return Error::bad_message(path + ": a Criterion needs a Target and a Test");

    auto t = Target::parse(doc_.text_of(target), options_.max_target_steps);
    if (!t.ok()) {
      // Query 1.0 Table 2: at least one scope detail; all PREFERRED_SCOPE before ALLOWED_SCOPE.
      Error e{t.error().type(), path + "/Target: " + t.error().message()};
      e.with_detail(std::string(detail_name::kPreferredScope), std::string(DefaultQueryFormat::kScope));
      e.with_detail(std::string(detail_name::kAllowedScope), std::string(DefaultQueryFormat::kScope));
      return e;
    }
    out.target = std::move(t).value();

    const std::string* cap = doc_.attr(test, "capability_id");
    const std::string* rel = doc_.attr(test, "relationship");
    if (cap == nullptr || rel == nullptr)
      return Error::bad_message(path + "/Test: capability_id and relationship are required");
    const CapabilityModule* module = nullptr;
    for (const auto& m : modules_)
      if (m->id() == trim(*cap)) module = m.get();
    if (module == nullptr) {
      Error e{StatusType::UnsupportedCapabilityModule,
              path + "/Test: capability module " + std::string(trim(*cap)) + " is not supported"};
      for (const auto& m : modules_) e.with_detail(std::string(detail_name::kCapabilityModule), std::string(m->id()));
      return e;
    }
    Parameters params;
    for (int32_t p : doc_.element_children(test)) {
      const std::string* name = doc_.attr(p, "name");
      if (!is_tdq(doc_.node(p), "Parameter") || name == nullptr)
        return Error::bad_message(path + "/Test: unexpected element " + std::string(doc_.node(p).qname));
      params.emplace_back(std::string(trim(*name)), doc_.text_of(p));
    }
    auto compiled = module->compile(trim(*rel), params, options_);
    if (!compiled.ok())
      return Error{compiled.error().type(), path + "/Test (" + std::string(module->id()) + "): " + compiled.error().message()};
    out.test = std::move(compiled).value();
    return out;
  }

  const xml::XmlDocument& doc_;
  const DefaultQueryOptions& options_;
  const std::vector<std::unique_ptr<CapabilityModule>>& modules_;
  size_t criterion_count_ = 0;
};

}  // namespace

// --- DefaultQueryFormat ---------------------------------------------------------------------

DefaultQueryFormat::DefaultQueryFormat(DefaultQueryOptions options) : options_(std::move(options)) {
  // A new capability module is one more line here.
  modules_.push_back(make_core_module());
  modules_.push_back(make_regex_module());
  modules_.push_back(make_timestamp_module());
}

std::string_view DefaultQueryFormat::id() const { return urn::kQueryDefault10; }

const std::vector<std::string>& DefaultQueryFormat::vocabularies() {
  // Query 1.0 §4.2.1: the vocabulary id of a STIX version is its content binding id.
  static const std::vector<std::string> kIds{std::string(urn::kStix10), std::string(urn::kStix101),
                                             std::string(urn::kStix11), std::string(urn::kStix111),
                                             std::string(urn::kStix12)};
  return kIds;
}

std::vector<std::string> DefaultQueryFormat::capability_modules() const {
  std::vector<std::string> out;
  for (const auto& m : modules_) out.emplace_back(m->id());
  return out;
}

std::vector<v11::SupportedQuery> DefaultQueryFormat::supported_query_info() const {
  // One Supported_Query for this format: Services 1.1 §4.2 gives each Supported_Query of a
  // Service_Instance a different format. Query 1.0 §3.2 would list every vocabulary as its
  // own Targeting_Expression_Info, but the official schema allows exactly one per
  // Default_Query_Info (Query 1.0 §3.2; docs/spec-notes.md P3), so the advertisement names one vocabulary,
  // kAdvertisedVocabulary; the other four STIX vocabularies are accepted all the same
  // (docs/decisions.md).
  const std::string scope(kScope);
  std::string x = "<tdq:Default_Query_Info xmlns:tdq=\"" + std::string(urn::kNsDefaultQuery) + "\">";
  x += "<tdq:Targeting_Expression_Info targeting_expression_id=\"" + xml_escape(kAdvertisedVocabulary, true) + "\">";
  x += "<tdq:Preferred_Scope>" + scope + "</tdq:Preferred_Scope>";
  x += "<tdq:Allowed_Scope>" + scope + "</tdq:Allowed_Scope>";
  x += "</tdq:Targeting_Expression_Info>";
  for (const auto& m : modules_)
    x += "<tdq:Capability_Module>" + xml_escape(m->id()) + "</tdq:Capability_Module>";
  x += "</tdq:Default_Query_Info>";
  return {v11::SupportedQuery{std::string(id()), Mixed{std::move(x)}}};
}

Result<std::unique_ptr<Predicate>> DefaultQueryFormat::compile(const v11::Query& q) const {
  // Schema validation first (Query 1.0 §3.1.1 structure), through the embedded grammar pool.
  auto doc = xml::parse_document(q.body.xml, options_.query_limits);
  if (!doc.ok()) return Error::bad_message("Query body: " + doc.error().message());
  const xml::XmlNode& root = doc->node(doc->root);
  if (!is_tdq(root, "Default_Query"))
    return Error::bad_message("Query body: expected a tdq:Default_Query, found " + std::string(root.qname));

  const std::string* vocab = doc->attr(doc->root, "targeting_expression_id");
  const std::string_view v = vocab == nullptr ? std::string_view() : trim(*vocab);
  bool known = false;
  for (const auto& id : vocabularies()) known = known || id == v;
  if (!known) {
    Error e{StatusType::UnsupportedTargetingExpressionId,
            "Default_Query: targeting expression vocabulary " + std::string(v) + " is not supported"};
    for (const auto& id : vocabularies()) e.with_detail(std::string(detail_name::kTargetingExpressionId), id);
    return e;
  }

  int32_t top = -1;
  for (int32_t c : doc->element_children(doc->root))
    if (is_tdq(doc->node(c), "Criteria")) top = c;
  if (top < 0) return Error::bad_message("Default_Query: no Criteria");
  QueryCompiler compiler(*doc, options_, modules_);
  auto criteria = compiler.criteria(top, 1, "Default_Query/Criteria");
  if (!criteria.ok()) return criteria.error();
  return std::unique_ptr<Predicate>(std::make_unique<DefaultQueryPredicate>(std::move(criteria).value(), options_));
}

}  // namespace taxii::query::tdq
