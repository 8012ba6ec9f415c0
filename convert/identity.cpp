// Identities (STIX 1.x Identity, CIQ 3.0 identities, Information_Source) -> identity
// (STIX 2.1 §4.5), their CIQ addresses -> location (§4.9) + "located-at" relationships.
#include "convert/common.hpp"

namespace taxii::convert {

namespace {

// STIX 2.1 industry-sector-ov for the CIQ/AIS IndustryType values (US critical infrastructure
// sectors).
std::string sector(const std::string& v) {
  static const std::pair<const char*, const char*> kMap[] = {
      {"Chemical Sector", "chemical"}, {"Commercial Facilities Sector", "commercial"},
      {"Communications Sector", "communications"}, {"Critical Manufacturing Sector", "manufacturing"},
      {"Dams Sector", "dams"}, {"Defense Industrial Base Sector", "defense"},
      {"Emergency Services Sector", "emergency-services"}, {"Energy Sector", "energy"},
      {"Financial Services Sector", "financial-services"}, {"Food and Agriculture Sector", "agriculture"},
      {"Government Facilities Sector", "government"}, {"Healthcare and Public Health Sector", "healthcare"},
      {"Information Technology Sector", "technology"}, {"Nuclear Reactors, Materials, and Waste Sector", "nuclear"},
      {"Other", "other"}, {"Transportation Systems Sector", "transportation"},
      {"Water and Wastewater Systems Sector", "water"}};
  for (const auto& [from, to] : kMap)
    if (v == from) return to;
  return open_vocab(v);
}

std::string name_element(Ctx& c, Node parent) {
  std::string out;
  for (Node n : c.children(parent, "NameElement")) {
    const std::string t = c.text(n);
    if (!t.empty()) out += (out.empty() ? "" : " ") + t;
  }
  return out;
}

std::string ciq_name(Ctx& c, Node party) {
  for (Node org : c.children(party, "OrganisationName")) {
    const std::string n = name_element(c, org);
    if (!n.empty()) return n;
  }
  for (Node person : c.children(party, "PersonName")) {
    const std::string n = name_element(c, person);
    if (!n.empty()) return n;
  }
  for (Node line : c.children(party, "NameLine")) return c.text(line);
  return {};
}

std::string code_or_text(Ctx& c, Node e) {
  Node ne = c.child(e, "NameElement");
  if (ne == kNone) return {};
  const std::string code = c.attr_or(ne, "NameCode");
  return code.empty() ? c.text(ne) : code;
}

void addresses(Ctx& c, Node addrs, const std::string& identity_id, const std::string& ts) {
  for (Node a : c.children(addrs, "Address")) {
    const std::string country = code_or_text(c, c.child(a, "Country"));
    const std::string area = code_or_text(c, c.child(a, "AdministrativeArea"));
    if (country.empty() && area.empty()) {
      c.warn(kNotConverted, a, "address without country or administrative area");
      c.mark_subtree(a);
      continue;
    }
    const std::string id = stix_id_named("location", "c:" + country + "|aa:" + area);
    bool known = false;
    for (const Json& o : c.objects) known = known || o.get("id")->as_str() == id;
    if (!known) {
      Json loc = new_object("location", id, ts);
      if (!country.empty()) loc.set("country", Json::str(country));
      if (!area.empty()) loc.set("administrative_area", Json::str(area));
      c.objects.push_back(std::move(loc));
    }
    Json r = new_object("relationship", stix_id_named("relationship", identity_id + "|located-at|" + id), ts);
    r.set("relationship_type", Json::str("located-at"));
    r.set("source_ref", Json::str(identity_id));
    r.set("target_ref", Json::str(id));
    c.objects.push_back(std::move(r));
  }
}

void ciq(Ctx& c, Node spec, Json& sdo, const std::string& ts) {
  const std::string n = ciq_name(c, c.child(spec, "PartyName"));
  if (!n.empty()) sdo.set("name", Json::str(n));
  if (Node info = c.child(spec, "OrganisationInfo"); info != kNone) {
    sdo.set("identity_class", Json::str("organization"));
    std::string industry = c.attr_or(info, "IndustryType");
    Json sectors = Json::array();
    size_t from = 0;
    while (!industry.empty() && from <= industry.size()) {
      size_t comma = industry.find(',', from);
      std::string one = industry.substr(from, comma == std::string::npos ? std::string::npos : comma - from);
      while (!one.empty() && one.front() == ' ') one.erase(0, 1);
      while (!one.empty() && one.back() == ' ') one.pop_back();
      // "Nuclear Reactors, Materials, and Waste Sector" has commas of its own.
      if (one == "Nuclear Reactors" && comma != std::string::npos) {
        one = "Nuclear Reactors, Materials, and Waste Sector";
        comma = industry.find(',', industry.find("Waste Sector", from));
      }
      if (!one.empty()) sectors.push(Json::str(sector(one)));
      if (comma == std::string::npos) break;
      from = comma + 1;
    }
    if (!sectors.empty()) sdo.set("sectors", std::move(sectors));
  }
  addresses(c, c.child(spec, "Addresses"), sdo.get("id")->as_str(), ts);
}

}  // namespace

std::string convert_identity(Ctx& c, Node ident, const std::string& fallback_name, const std::string& ts) {
  const std::string id1x = c.attr_or(ident, "id");
  const std::string id = id1x.empty() ? stix_id_named("identity", fallback_name) : stix_id_for("identity", id1x);
  if (!id1x.empty()) c.id_map[id1x] = id;
  Json sdo = new_object("identity", id, ts);
  const std::string name = c.child_text(ident, "Name");
  if (!name.empty()) sdo.set("name", Json::str(name));
  if (Node spec = c.child(ident, "Specification"); spec != kNone) ciq(c, spec, sdo, ts);
  if (!sdo.has("name")) {
    c.warn(kNotConverted, ident, "identity without a name: named \"unknown\"");
    sdo.set("name", Json::str("unknown"));
  }
  if (!c.ais_consent.empty() && fallback_name == "information-source") {
    Json labels = Json::array();
    labels.push(Json::str(c.ais_consent));
    sdo.set("labels", std::move(labels));
  }
  c.objects.push_back(std::move(sdo));
  return id;
}

// STIX_Header/Information_Source: its identity becomes the created_by_ref of every object.
// (Or, when the header names none, the source of a header marking, as AIS markings carry it.)
void convert_information_source(Ctx& c, Node header) {
  Node src = c.child(header, "Information_Source");
  Node ident = c.child(src, "Identity");
  if (ident == kNone) {
    for (Node cs : c.children(c.child(src, "Contributing_Sources"), "Source")) {
      ident = c.child(cs, "Identity");
      if (ident != kNone) break;
    }
  }
  for (Node m : c.children(c.child(header, "Handling"), "Marking")) {
    if (ident != kNone) break;
    ident = c.child(c.child(m, "Information_Source"), "Identity");
  }
  if (ident == kNone) return;
  c.created_by = convert_identity(c, ident, "information-source", c.timestamp);
}

}  // namespace taxii::convert
