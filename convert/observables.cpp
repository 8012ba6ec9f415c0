// CybOX Observables: package-level ones become SCOs + observed-data (STIX 2.1 §4.13);
// those of an indicator become its pattern (STIX 2.1 §9).
#include <set>

#include "convert/cybox.hpp"
#include "convert/ids.hpp"
#include "convert/observables.hpp"

namespace taxii::convert {

namespace {

// SCO into the bundle once (deterministic ids: the same SCO from two observables is one).
std::string add_sco(Ctx& c, Json sco) {
  std::string id = assign_sco_id(sco);
  for (const auto& known : c.sco_ids)
    if (known == id) return id;
  c.sco_ids.push_back(id);
  c.objects.push_back(std::move(sco));
  return id;
}

void observed_data(Ctx& c, Node obs) {
  Node object = c.child(obs, "Object");
  if (object == kNone) {
    c.warn(kNotConverted, obs, "observable without an object (composition or event) not converted to observed-data");
    c.mark_subtree(obs);
    return;
  }
  CyboxObject o = convert_cybox_object(c, object);
  if (o.type.empty()) return;
  if (o.sco.is_null()) {
    c.warn(kUnsupportedObject, object, o.type + " without the properties STIX 2.1 requires: no observed-data");
    return;
  }
  // Referenced SCOs get their ids first (a reference can contribute to the referrer's id,
  // STIX 2.1 §2.9); the bundle lists the referrer first, as the elevator does.
  std::vector<std::string> refs(1);
  for (auto& [prop, extra] : o.extra) {
    const std::string id = assign_sco_id(extra);
    refs.push_back(id);
    if (prop.size() > 5 && prop.compare(prop.size() - 5, 5, "_refs") == 0) {
      if (!o.sco.has(prop)) o.sco.set(prop, Json::array());
      o.sco.get(prop)->push(Json::str(id));
    } else {
      o.sco.set(prop, Json::str(id));
    }
  }
  refs[0] = add_sco(c, std::move(o.sco));
  for (auto& [prop, extra] : o.extra) add_sco(c, std::move(extra));
  const std::string id1x = c.attr_or(obs, "id");
  const std::string ts = c.timestamp_of(obs);
  std::string id = id1x.empty() ? stix_id_named("observed-data", refs.front()) : stix_id_for("observed-data", id1x);
  if (!id1x.empty()) c.id_map[id1x] = id;
  if (const std::string* oid = c.attr(object, "id")) c.id_map[*oid] = refs.front();
  Json od = new_object("observed-data", id, ts);
  od.set("first_observed", Json::str(ts));
  od.set("last_observed", Json::str(ts));
  od.set("number_observed", Json::integer(1));
  Json list = Json::array();
  for (const auto& r : refs) list.push(Json::str(r));
  od.set("object_refs", std::move(list));
  c.observed_data.push_back(std::move(od));
}

}  // namespace

// Observables an indicator names by idref are its pattern, not something observed: they
// are not repeated as observed-data (the elevator does the same).
void collect_pattern_refs(Ctx& c, Node obs, std::set<std::string>& refs, int depth = 0) {
  if (depth > 64) return;
  if (const std::string* ref = c.attr(obs, "idref")) {
    if (!refs.insert(*ref).second) return;
    auto it = c.by_id.find(*ref);
    if (it != c.by_id.end()) collect_pattern_refs(c, it->second, refs, depth + 1);
    return;
  }
  for (Node part : c.doc.element_children(obs)) {
    if (c.local(part) == "Observable_Composition")
      for (Node k : c.doc.element_children(part)) collect_pattern_refs(c, k, refs, depth + 1);
    if (c.local(part) != "Object") continue;
    for (Node list : c.doc.element_children(part))  // objects of other observables named by idref
      if (c.local(list) == "Related_Objects")
        for (Node r : c.doc.element_children(list))
          if (const std::string* ref = c.attr(r, "idref")) refs.insert(*ref);
  }
}

// Whether an observable (or its object) is part of an indicator's pattern.
bool in_pattern(Ctx& c, Node obs, const std::set<std::string>& refs) {
  if (refs.count(c.attr_or(obs, "id"))) return true;
  for (Node part : c.doc.element_children(obs))
    if (c.local(part) == "Object" && refs.count(c.attr_or(part, "id"))) {
      c.mark_subtree(obs);  // converted as part of the pattern that names it
      return true;
    }
  return false;
}

void convert_observables(Ctx& c, Node observables) {
  std::set<std::string> pattern_refs;
  for (Node inds : c.doc.element_children(c.doc.root))
    if (c.local(inds) == "Indicators")
      for (Node ind : c.doc.element_children(inds))
        for (Node k : c.doc.element_children(ind))
          if (c.local(k) == "Observable") collect_pattern_refs(c, k, pattern_refs);
  for (Node obs : c.children(observables, "Observable")) {
    if (in_pattern(c, obs, pattern_refs)) continue;  // marked when its indicator reads it
    observed_data(c, obs);
  }
}

namespace {

// A pattern under construction: an observation (leaf) or observations joined by AND / OR.
struct PExpr {
  std::string type, comparison;  // leaf
  std::string op;                // node: "AND" / "OR"
  std::vector<PExpr> kids;
  bool leaf() const { return op.empty(); }
};

// Whether a comparison expression has a top-level AND/OR (outside quotes and parentheses).
bool several_terms(const std::string& cmp) {
  int depth = 0;
  bool quoted = false;
  for (size_t i = 0; i < cmp.size(); ++i) {
    const char ch = cmp[i];
    if (quoted) {
      if (ch == '\\') ++i;
      else if (ch == '\'') quoted = false;
    } else if (ch == '\'') quoted = true;
    else if (ch == '(') ++depth;
    else if (ch == ')') --depth;
    else if (depth == 0 && (cmp.compare(i, 5, " AND ") == 0 || cmp.compare(i, 4, " OR ") == 0)) return true;
  }
  return false;
}

size_t observations(const PExpr& e) {
  if (e.leaf()) return 1;
  size_t n = 0;
  for (const auto& k : e.kids) n += observations(k);
  return n;
}

// An OR of single observations is one observation whose terms are ORed (STIX 2.1 §9.2
// allows terms of different object types in one observation when joined by OR).
void merge_ors(PExpr& e) {
  if (e.leaf()) return;
  for (auto& k : e.kids) merge_ors(k);
  if (e.op != "OR" || e.kids.size() < 2) return;
  for (const auto& k : e.kids)
    if (!k.leaf()) return;
  PExpr merged;
  merged.type = e.kids[0].type;
  for (const auto& k : e.kids) {
    const std::string part = several_terms(k.comparison) ? "(" + k.comparison + ")" : k.comparison;
    merged.comparison += (merged.comparison.empty() ? "" : " OR ") + part;
  }
  e = std::move(merged);
}

std::string render(const PExpr& e, bool multi) {
  if (e.leaf()) return "[" + (multi && several_terms(e.comparison) ? "(" + e.comparison + ")" : e.comparison) + "]";
  std::string out;
  for (const auto& k : e.kids) {
    std::string r = render(k, multi);
    if (!k.leaf() && k.kids.size() > 1) r = "(" + r + ")";
    out += (out.empty() ? "" : " " + e.op + " ") + r;
  }
  return out;
}

// A Resolved_To address of a domain name is a term of the domain's own observation
// (domain-name:resolves_to_refs, STIX 2.1 §6.4), when it is a single value comparison.
bool resolved_to(PExpr& domain, const PExpr& address) {
  if (domain.type != "domain-name" || several_terms(address.comparison)) return false;
  if (address.type != "ipv4-addr" && address.type != "ipv6-addr" && address.type != "domain-name") return false;
  const std::string prefix = address.type + ":value ";
  if (address.comparison.compare(0, prefix.size(), prefix) != 0) return false;
  domain.comparison += " AND domain-name:resolves_to_refs[*].value " + address.comparison.substr(prefix.size());
  return true;
}

bool leaf_of(Ctx& c, Node object, PExpr& out) {
  CyboxObject o = convert_cybox_object(c, object);
  if (o.comparison.empty()) return false;
  out.type = o.type;
  out.comparison = o.comparison;
  return true;
}

bool build(Ctx& c, Node observable, int depth, PExpr& out) {
  if (!c.pattern_step(observable)) return false;
  Node obs = c.resolve(observable);
  c.mark(obs);
  if (depth > 64) {
    c.warn(kPatternTermDropped, observable, "observable compositions nested too deep");
    return false;
  }
  if (Node object = c.child(obs, "Object"); object != kNone) {
    PExpr main;
    const bool ok = leaf_of(c, object, main);
    std::vector<PExpr> related;
    for (Node r : c.children(c.child(object, "Related_Objects"), "Related_Object")) {
      const std::string rel = c.child_text(r, "Relationship");  // otherwise no pattern form
      PExpr leaf;
      if (!leaf_of(c, c.resolve(r), leaf)) continue;
      if (ok && rel == "Resolved_To" && resolved_to(main, leaf)) continue;
      related.push_back(std::move(leaf));
    }
    if (related.empty()) {
      out = std::move(main);
      return ok;
    }
    out.op = "AND";
    out.kids = std::move(related);
    if (ok) out.kids.push_back(std::move(main));
    return true;
  }
  Node comp = c.child(obs, "Observable_Composition");
  if (comp == kNone) {
    c.warn(kPatternTermDropped, obs, "observable without object or composition");
    c.mark_subtree(obs);
    return false;
  }
  out.op = c.attr_or(comp, "operator", "AND") == "OR" ? "OR" : "AND";
  for (Node k : c.children(comp, "Observable")) {
    PExpr kid;
    if (build(c, k, depth + 1, kid)) out.kids.push_back(std::move(kid));
  }
  if (out.kids.size() == 1) {
    PExpr only = std::move(out.kids[0]);
    out = std::move(only);
  }
  return !out.kids.empty() || out.leaf();
}

}  // namespace

std::string pattern_of(Ctx& c, Node observable, int depth) {
  PExpr e;
  if (!build(c, observable, depth, e)) return {};
  merge_ors(e);
  return render(e, observations(e) > 1);
}

}  // namespace taxii::convert
