// Parts shared by the SDO converters: vocabularies, kill chains, confidence, references.
#include "convert/common.hpp"

#include <cctype>

namespace taxii::convert {

namespace {

// 1.x vocabulary values whose STIX 2.1 open-vocabulary counterpart (STIX 2.1 §10) is not
// their plain spelling; every other value is lower-cased with its punctuation as "-".
const std::pair<const char*, const char*> kVocabExceptions[] = {
    {"Malicious E-mail", "malicious-email"}, {"C2", "command-and-control"},
    {"Exploit Kits", "exploit-kit"}, {"Rogue Antivirus", "rogue-security-software"},
    {"Port Scanner", "port-scanning"}, {"Traffic Scanner", "traffic-scanning"},
    {"Vulnerability Scanner", "vulnerability-scanning"}, {"Application Scanner", "application-scanning"},
    {"Communications - Mobile Communications", "communications-mobile"},
    {"Domain Registration - Legitimate Domain Registration Services", "domain-registration-legitimate"},
    {"Domain Registration - Malicious Domain Registrars", "domain-registration-malicious"},
    {"Domain Registration - Top-Level Domain Registrars", "domain-registration-top-level"},
    {"Hosting - Bulletproof / Rogue Hosting", "hosting-bulletproof-rogue"}, {"Hosting - Cloud Hosting", "hosting"},
    {"Hosting - Compromised Server", "command-and-control"}, {"Hosting - Fast Flux Botnet Hosting", "botnet"},
    {"Hosting - Legitimate Hosting", "hosting-legitmate"}, {"Indicators", "indicator"},
    {"Indicators - Phishing", "indicator-phising"}, {"Indicators - Network Activity", "indicator-network-artifacts"},
    {"Indicators - Watchlist", "indicator-watchlist"}, {"Indicators - Malware Artifacts", "indicator-malware-artifacts"},
    {"Indicators - Endpoint Characteristics", "indicator-endpoint-characteristics"},
    {"State Actor / Agency", "nation-state"}, {"Hacktivist", "hactivist"},
    {"eCrime Actor - Credential Theft Botnet Operator", "ecrime-actor-botnet-operator"},
    {"eCrime Actor - Credential Theft Botnet Service", "ecrime-actor-botnet-service"},
};

}  // namespace

std::string open_vocab(const std::string& value) {
  for (const auto& [from, to] : kVocabExceptions)
    if (value == from) return to;
  std::string out;
  for (char ch : value) {
    if (std::isalnum(static_cast<unsigned char>(ch))) {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
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

// The Lockheed Martin kill chain as STIX 1.x published it (its UUID) or named it.
constexpr std::string_view kLmcoChain = "af3e707f-2fb9-49e5-8c37-14026ca0a5ff";
bool is_lmco(const std::string& chain_id, const std::string& name, const std::string& definer) {
  return uuid_in_1x_id(chain_id) == kLmcoChain || name == "LM Cyber Kill Chain" || definer == "LMCO";
}

// The phases of the Lockheed Martin chain by the UUIDs STIX 1.x published for them.
std::string lmco_phase(const std::string& uuid) {
  static const std::pair<const char*, const char*> kPhases[] = {
      {"af1016d6-a744-4ed7-ac91-00fe2272185a", "Reconnaissance"}, {"445b4827-3cca-42bd-8421-f2e947133c16", "Weaponization"},
      {"79a0e041-9d5f-49bb-ada4-8322622b162d", "Delivery"}, {"f706e4e7-53d8-44ef-967f-81535c9db7d0", "Exploitation"},
      {"e1e4e3f7-be3b-4b39-b80a-a593cfd99a4f", "Installation"}, {"d6dc32b9-2538-4951-8733-3cb9ef1daae2", "Command and Control"},
      {"786ca8f9-2d9a-4213-b38e-399af4a2e5d6", "Actions on Objectives"}};
  for (const auto& [id, name] : kPhases)
    if (uuid == id) return name;
  return {};
}

// The Kill_Chain a phase_id/kill_chain_id pair names (defined under TTPs/Kill_Chains).
Json phase_json(Ctx& c, Node phase) {
  std::string chain_name = c.attr_or(phase, "kill_chain_name");
  std::string phase_name = c.attr_or(phase, "name");
  const std::string chain_id = c.attr_or(phase, "kill_chain_id");
  std::string definer;
  auto it = c.by_id.find(chain_id);
  if (it != c.by_id.end()) {
    if (chain_name.empty()) chain_name = c.attr_or(it->second, "name");
    definer = c.attr_or(it->second, "definer");
    const std::string pid = c.attr_or(phase, "phase_id");
    for (Node def : c.doc.element_children(it->second))
      if (phase_name.empty() && !pid.empty() && c.attr_or(def, "phase_id") == pid) phase_name = c.attr_or(def, "name");
  }
  const bool lmco = is_lmco(chain_id, chain_name, definer);
  if (lmco && phase_name.empty()) phase_name = lmco_phase(uuid_in_1x_id(c.attr_or(phase, "phase_id")));
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
  if (!l.empty() && l.size() <= 3 && l.find_first_not_of("0123456789") == std::string::npos && std::stoi(l) <= 100) {
    sdo.set("confidence", Json::integer(std::stoi(l)));  // already a 0-100 value
    return;
  }
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

void add_external_ref(Json& sdo, const std::string& source, const std::string& external_id, const std::string& url) {
  Json ref = Json::object();
  ref.set("source_name", Json::str(source));
  if (!external_id.empty()) ref.set("external_id", Json::str(external_id));
  if (!url.empty()) ref.set("url", Json::str(url));
  if (!sdo.has("external_references")) sdo.set("external_references", Json::array());
  sdo.get("external_references")->push(std::move(ref));
}

std::string register_id(Ctx& c, Node e, std::string_view type) {
  const std::string id1x = c.attr_or(e, "id");
  std::string id = id1x.empty() ? stix_id_named(type, c.path(e)) : stix_id_for(type, id1x);
  if (!id1x.empty() && !c.id_map.count(id1x)) c.id_map[id1x] = id;
  return id;
}

}  // namespace taxii::convert
