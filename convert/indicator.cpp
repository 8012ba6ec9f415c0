// STIX 1.x Indicator -> indicator (STIX 2.1 §4.7) with a STIX pattern, and its relationships.
#include "convert/common.hpp"
#include "convert/observables.hpp"

namespace taxii::convert {

namespace {

void valid_times(Ctx& c, Node ind, Json& sdo, const std::string& ts) {
  std::string from = ts, until;
  if (Node vt = c.child(ind, "Valid_Time_Position"); vt != kNone) {
    if (auto t = stix_timestamp(c.child_text(vt, "Start_Time"), 6)) from = *t;
    if (auto t = stix_timestamp(c.child_text(vt, "End_Time"), 6)) until = *t;
  }
  sdo.set("valid_from", Json::str(from));
  if (!until.empty()) sdo.set("valid_until", Json::str(until));
}

// Test_Mechanisms: a YARA or Snort rule is the pattern itself (STIX 2.1 §10.14,
// pattern-type-ov). Their efficacy and producer have no 2.1 counterpart (warning 101).
void test_mechanism(Ctx& c, Node ind, std::string& p, std::string& type) {
  for (Node tm : c.children(c.child(ind, "Test_Mechanisms"), "Test_Mechanism")) {
    const std::string t = c.xsi_type(tm);
    const char* kind = t == "YaraTestMechanismType" ? "yara" : t == "SnortTestMechanismType" ? "snort" : nullptr;
    if (kind == nullptr || !p.empty()) {
      c.warn(kNotConverted, tm, "test mechanism " + t + " not converted");
      c.mark_subtree(tm);
      continue;
    }
    std::string rules;
    for (Node r : c.children(tm, "Rule")) {
      c.mark(r);
      rules += (rules.empty() ? "" : ", ") + c.doc.text_of(r);  // verbatim, CDATA and all
    }
    if (rules.empty()) continue;
    p = rules;
    type = kind;
  }
}

std::string indicator_pattern(Ctx& c, Node ind, int depth);

// Composite_Indicator_Expression: the patterns of the indicators it names, joined by its
// operator; a part of several observations is parenthesized (STIX 2.1 §9.4 precedence).
std::string composite_pattern(Ctx& c, Node comp, int depth) {
  const std::string op = c.attr_or(comp, "operator", "AND") == "OR" ? " OR " : " AND ";
  std::string out;
  for (Node k : c.children(comp, "Indicator")) {
    std::string p = indicator_pattern(c, c.resolve(k), depth + 1);
    if (p.empty()) continue;
    if (p.find("] AND [") != std::string::npos || p.find("] OR [") != std::string::npos) p = "(" + p + ")";
    out += (out.empty() ? "" : op) + p;
  }
  return out;
}

std::string indicator_pattern(Ctx& c, Node ind, int depth) {
  if (!c.pattern_step(ind)) return {};
  if (depth > 32) {
    c.warn(kPatternTermDropped, ind, "composite indicators nested too deep");
    return {};
  }
  if (Node obs = c.child(ind, "Observable"); obs != kNone) return pattern_of(c, obs);
  if (Node comp = c.child(ind, "Composite_Indicator_Expression"); comp != kNone) return composite_pattern(c, comp, depth);
  return {};
}

void pattern(Ctx& c, Node ind, Json& sdo) {
  std::string p = indicator_pattern(c, ind, 0);
  std::string type = "stix";
  if (p.empty()) test_mechanism(c, ind, p, type);
  if (!p.empty()) {
    sdo.set("pattern", Json::str(p));
    sdo.set("pattern_type", Json::str(type));
  } else {
    c.warn(kPatternTermDropped, ind, "indicator without a convertible observable or test mechanism: not converted");
  }
}

}  // namespace

void convert_indicator(Ctx& c, Node ind) {
  const std::string id = register_id(c, ind, "indicator");
  const std::string ts = c.timestamp_of(ind);
  Json sdo = new_object("indicator", id, ts);
  add_name_description(c, ind, sdo);
  add_vocab_list(c, ind, "Type", "indicator_types", sdo);
  pattern(c, ind, sdo);
  valid_times(c, ind, sdo, stix_timestamp(c.attr_or(ind, "timestamp"), 6).value_or(ts));
  add_kill_chain_phases(c, c.child(ind, "Kill_Chain_Phases"), sdo);
  add_confidence(c, ind, sdo);
  if (Json m = marking_refs_of(c, ind); !m.is_null()) sdo.set("object_marking_refs", std::move(m));
  for (Node ttp : c.children(c.child(ind, "Indicated_TTP"), "TTP"))
    if (const std::string* ref = c.attr(ttp, "idref")) add_relationship(c, id, *ref, "indicates");
  add_related(c, c.child(ind, "Related_Indicators"), id, "related-to");
  convert_sightings(c, ind, id);
  add_related(c, c.child(ind, "Suggested_COAs"), id, "investigates", false);
  if (!sdo.has("pattern")) {
    // STIX 2.1 §4.7: pattern is required. The indicator is dropped (warning 108 above), and
    // relationships to it with it (warning 103).
    c.id_map.erase(c.attr_or(ind, "id"));
    return;
  }
  c.indicators.push_back(std::move(sdo));
}

}  // namespace taxii::convert
