// Parts shared by the SDO converters: vocabularies, kill chains, confidence, references.
#include "convert/common.hpp"

#include <cctype>

namespace taxii::convert {

std::string open_vocab(const std::string& value) {
  std::string out;
  for (char ch : value) {
    if (ch == ' ' || ch == '_' || ch == '/') {
      if (!out.empty() && out.back() != '-') out += '-';
    } else {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    }
  }
  return out;
}

void add_vocab_list(Ctx& c, Node e, std::string_view element, std::string_view property, Json& sdo) {
  Json list = Json::array();
  for (Node t : c.children(e, element)) {
    const std::string v = c.text(t);
    if (!v.empty()) list.push(Json::str(open_vocab(v)));
  }
  if (!list.empty()) sdo.set(property, std::move(list));
}

namespace {

bool is_lmco(Ctx& c, Node chain) {
  return c.attr_or(chain, "definer") == "LMCO" || c.attr_or(chain, "id") == "stix:TTP-af3e707f-2fb9-49e5-8c37-14026ca0a5ff";
}

// The Kill_Chain a phase_id/kill_chain_id pair names (defined under TTPs/Kill_Chains).
Json phase_json(Ctx& c, Node phase) {
  std::string chain_name = c.attr_or(phase, "kill_chain_name");
  std::string phase_name = c.attr_or(phase, "name");
  bool lmco = false;
  if (const std::string* chain_id = c.attr(phase, "kill_chain_id")) {
    auto it = c.by_id.find(*chain_id);
    if (it != c.by_id.end()) {
      lmco = is_lmco(c, it->second);
      if (chain_name.empty()) chain_name = c.attr_or(it->second, "name");
    }
  }
  if (phase_name.empty())
    if (const std::string* pid = c.attr(phase, "phase_id")) {
      auto it = c.by_id.find(*pid);
      if (it != c.by_id.end()) phase_name = c.attr_or(it->second, "name");
    }
  Json p = Json::object();
  // STIX 2.1 §10.2 names the Lockheed Martin chain "lockheed-martin-cyber-kill-chain".
  p.set("kill_chain_name", Json::str(lmco ? "lockheed-martin-cyber-kill-chain" : chain_name));
  p.set("phase_name", Json::str(lmco ? open_vocab(phase_name) : phase_name));
  return p;
}

}  // namespace

void add_kill_chain_phases(Ctx& c, Node phases, Json& sdo) {
  if (phases == kNone) return;
  Json list = Json::array();
  for (Node ph : c.children(phases, "Kill_Chain_Phase")) {
    Json p = phase_json(c, ph);
    if (p.get("kill_chain_name")->as_str().empty() || p.get("phase_name")->as_str().empty()) {
      c.warn(kUnresolvedRef, ph, "kill chain phase without a resolvable chain or name");
      continue;
    }
    list.push(std::move(p));
  }
  if (!list.empty()) sdo.set("kill_chain_phases", std::move(list));
}

// STIX 2.1 Appendix A ("Confidence Scales"): the High/Medium/Low scale.
void add_confidence(Ctx& c, Node e, Json& sdo) {
  Node conf = c.child(e, "Confidence");
  if (conf == kNone) return;
  Node value = c.child(conf, "Value");
  const std::string v = c.text(value);
  c.mark_subtree(conf);
  if (v.empty()) return;
  const std::string l = open_vocab(v);
  int n = l == "high" ? 85 : l == "medium" ? 50 : l == "low" ? 15 : l == "none" ? 0 : l == "unknown" ? -1 : -2;
  if (n == -2) {
    c.warn(kUnknownVocab, value, "confidence " + v + " is not High/Medium/Low/None/Unknown");
    return;
  }
  if (n >= 0) sdo.set("confidence", Json::integer(n));
}

void add_name_description(Ctx& c, Node e, Json& sdo, const char* title_element) {
  const std::string title = c.child_text(e, title_element);
  if (!title.empty()) sdo.set("name", Json::str(title));
  const std::string d = description_of(c, e);
  if (!d.empty()) sdo.set("description", Json::str(d));
}

std::string register_id(Ctx& c, Node e, std::string_view type) {
  const std::string id1x = c.attr_or(e, "id");
  std::string id = id1x.empty() ? stix_id_named(type, c.path(e)) : stix_id_for(type, id1x);
  if (!id1x.empty() && !c.id_map.count(id1x)) c.id_map[id1x] = id;
  return id;
}

}  // namespace taxii::convert
