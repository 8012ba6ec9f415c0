// CybOX Observables: package-level ones become SCOs + observed-data (STIX 2.1 §4.13);
// those of an indicator become its pattern (STIX 2.1 §9).
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
  std::vector<std::string> refs;
  for (Json& extra : o.extra) {
    std::string id = add_sco(c, std::move(extra));
    if (o.type == "file") o.sco.set("parent_directory_ref", Json::str(id));
    refs.push_back(id);
  }
  refs.insert(refs.begin(), add_sco(c, std::move(o.sco)));
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
  list.push(Json::str(refs.front()));
  od.set("object_refs", std::move(list));
  c.observed_data.push_back(std::move(od));
}

}  // namespace

void convert_observables(Ctx& c, Node observables) {
  for (Node obs : c.children(observables, "Observable")) observed_data(c, obs);
}

std::string pattern_of(Ctx& c, Node observable, int depth) {
  Node obs = c.resolve(observable);
  c.mark(obs);
  if (depth > 64) {
    c.warn(kPatternTermDropped, observable, "observable compositions nested too deep");
    return {};
  }
  if (Node object = c.child(obs, "Object"); object != kNone) {
    CyboxObject o = convert_cybox_object(c, object);
    if (o.comparison.empty()) return {};
    return "[" + o.comparison + "]";
  }
  Node comp = c.child(obs, "Observable_Composition");
  if (comp == kNone) {
    c.warn(kPatternTermDropped, obs, "observable without object or composition");
    c.mark_subtree(obs);
    return {};
  }
  const std::string op = c.attr_or(comp, "operator", "AND") == "OR" ? " OR " : " AND ";
  std::vector<std::string> parts;
  for (Node k : c.children(comp, "Observable")) {
    std::string p = pattern_of(c, k, depth + 1);
    if (p.empty()) continue;
    const bool composite = c.child(c.resolve(k), "Observable_Composition") != kNone;
    parts.push_back(composite ? "(" + p + ")" : p);
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : op) + p;
  return out;
}

}  // namespace taxii::convert
