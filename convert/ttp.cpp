// STIX 1.x TTP -> attack-pattern, malware, tool, infrastructure (STIX 2.1 §4.1, §4.11,
// §4.17, §4.8). One TTP can yield several objects: the first keeps the TTP's id.
#include "convert/common.hpp"

namespace taxii::convert {

namespace {

struct TtpState {
  std::string ttp_id1x;
  int made = 0;
  Node kill_chains = kNone;
  std::string description;  // of the TTP, for objects without their own
};

std::string next_id(Ctx& c, TtpState& s, std::string_view type, Node own) {
  const std::string* own_id = c.attr(own, "id");
  std::string id;
  if (own_id != nullptr) id = stix_id_for(type, *own_id);
  else if (s.made == 0) id = stix_id_for(type, s.ttp_id1x);
  else id = stix_id_for(type, s.ttp_id1x, std::to_string(s.made));
  if (s.made == 0 && !s.ttp_id1x.empty()) c.id_map[s.ttp_id1x] = id;
  if (own_id != nullptr) c.id_map[*own_id] = id;
  ++s.made;
  return id;
}

void finish(Ctx& c, Node ttp, TtpState& s, Json& sdo) {
  if (!sdo.has("description") && !s.description.empty()) sdo.set("description", Json::str(s.description));
  if (s.kill_chains != kNone) add_kill_chain_phases(c, s.kill_chains, sdo);
  if (Json m = marking_refs_of(c, ttp); !m.is_null()) sdo.set("object_marking_refs", std::move(m));
  c.objects.push_back(std::move(sdo));
}

void attack_patterns(Ctx& c, Node ttp, Node behavior, TtpState& s, const std::string& title, const std::string& ts) {
  for (Node ap : c.children(c.child(behavior, "Attack_Patterns"), "Attack_Pattern")) {
    Json sdo = new_object("attack-pattern", next_id(c, s, "attack-pattern", ap), ts);
    add_name_description(c, ap, sdo);
    if (!sdo.has("name") && !title.empty()) sdo.set("name", Json::str(title));
    if (const std::string* capec = c.attr(ap, "capec_id")) add_external_ref(sdo, "capec", *capec);
    finish(c, ttp, s, sdo);
  }
}

void malware(Ctx& c, Node ttp, Node behavior, TtpState& s, const std::string& title, const std::string& ts) {
  for (Node m : c.children(c.child(behavior, "Malware"), "Malware_Instance")) {
    Json sdo = new_object("malware", next_id(c, s, "malware", m), ts);
    add_name_description(c, m, sdo, "Name");
    if (!sdo.has("name")) {
      const std::string t = c.child_text(m, "Title");
      if (!t.empty() || !title.empty()) sdo.set("name", Json::str(t.empty() ? title : t));
    }
    add_vocab_list(c, m, "Type", "malware_types", sdo);
    sdo.set("is_family", Json::boolean(false));
    finish(c, ttp, s, sdo);
  }
}

void resources(Ctx& c, Node ttp, Node res, TtpState& s, const std::string& title, const std::string& ts) {
  for (Node tool : c.children(c.child(res, "Tools"), "Tool")) {
    Json sdo = new_object("tool", next_id(c, s, "tool", tool), ts);
    add_name_description(c, tool, sdo, "Name");
    if (!sdo.has("name") && !title.empty()) sdo.set("name", Json::str(title));
    add_vocab_list(c, tool, "Type", "tool_types", sdo);
    finish(c, ttp, s, sdo);
  }
  if (Node infra = c.child(res, "Infrastructure"); infra != kNone) {
    Json sdo = new_object("infrastructure", next_id(c, s, "infrastructure", infra), ts);
    add_name_description(c, infra, sdo);
    if (!sdo.has("name") && !title.empty()) sdo.set("name", Json::str(title));
    add_vocab_list(c, infra, "Type", "infrastructure_types", sdo);
    if (!sdo.has("name")) sdo.set("name", Json::str(s.ttp_id1x.empty() ? "infrastructure" : s.ttp_id1x));
    sdo.set("first_seen", Json::str(ts));
    finish(c, ttp, s, sdo);
  }
}

}  // namespace

void convert_ttp(Ctx& c, Node ttp) {
  TtpState s;
  s.ttp_id1x = c.attr_or(ttp, "id");
  s.kill_chains = c.child(ttp, "Kill_Chain_Phases");
  const std::string title = c.child_text(ttp, "Title");
  s.description = description_of(c, ttp);
  const std::string ts = c.timestamp_of(ttp);
  Node behavior = c.child(ttp, "Behavior");
  attack_patterns(c, ttp, behavior, s, title, ts);
  malware(c, ttp, behavior, s, title, ts);
  resources(c, ttp, c.child(ttp, "Resources"), s, title, ts);
  if (s.made == 0) {
    // A TTP with neither behavior nor resources has no 2.1 counterpart here (the elevator
    // makes none either); relationships to it are dropped with warning 103.
    c.warn(kNotConverted, ttp, "TTP without behavior or resources not converted");
    c.mark_subtree(ttp);
    return;
  }
  const std::string first = c.id_map.count(s.ttp_id1x) ? c.id_map[s.ttp_id1x] : std::string();
  if (!first.empty()) {
    add_related(c, c.child(ttp, "Related_TTPs"), first, "related-to");
    add_related(c, c.child(ttp, "Exploit_Targets"), first, "targets");
  }
}

}  // namespace taxii::convert
