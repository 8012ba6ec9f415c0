// Data markings (STIX 1.x Handling/Marking) -> marking-definition (STIX 2.1 §7.2).
// TLP maps to the four predefined TLP marking definitions (STIX 2.1 §7.2.1.4), which are
// referenced but not repeated in the bundle; a simple statement or terms-of-use marking
// becomes a statement marking definition. Markings of the package header apply to every
// object; an object's own Handling to that object. Granular markings (a Controlled_Structure
// narrower than the whole construct) are applied to the whole object, with warning 107.
#include <algorithm>

#include "convert/common.hpp"

namespace taxii::convert {

namespace {

std::string tlp_id(const std::string& color) {
  if (color == "WHITE") return "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9";
  if (color == "GREEN") return "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da";
  if (color == "AMBER") return "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82";
  if (color == "RED") return "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed";
  return {};
}

bool whole_construct(const std::string& path) {
  return path.empty() || path == "//node() | //@*" || path == "//node()|//@*" || path == "//node()" ||
         path.find("descendant-or-self::node()") != std::string::npos;
}

std::string statement_marking(Ctx& c, Node structure, const std::string& statement) {
  const std::string* sid = c.attr(structure, "id");
  const std::string id = sid ? stix_id_for("marking-definition", *sid) : stix_id_named("marking-definition", "statement|" + statement);
  for (const Json& o : c.objects)
    if (o.get("id")->as_str() == id) return id;
  Json m = Json::object();
  m.set("type", Json::str("marking-definition"));
  m.set("spec_version", Json::str("2.1"));
  m.set("id", Json::str(id));
  m.set("created", Json::str(c.timestamp));
  m.set("definition_type", Json::str("statement"));
  Json def = Json::object();
  def.set("statement", Json::str(statement));
  m.set("definition", std::move(def));
  c.objects.push_back(std::move(m));
  return id;
}

// US DHS AIS marking: its TLP color becomes the TLP marking; its consent becomes a label
// ("ais-consent-everyone", "-cisa-proprietary" when so marked) of the package's identity.
std::string ais_marking(Ctx& c, Node s) {
  Node body = c.child(s, "Not_Proprietary");
  if (body == kNone) body = c.child(s, "Is_Proprietary");
  if (body == kNone) return {};
  std::string consent = open_vocab(c.attr_or(c.child(body, "AISConsent"), "consent"));
  if (!consent.empty()) {
    c.ais_consent = "ais-consent-" + consent;
    if (consent == "everyone" && c.attr_or(body, "CISA_Proprietary") == "true") c.ais_consent += "-cisa-proprietary";
  }
  return tlp_id(c.attr_or(c.child(body, "TLPMarking"), "color"));
}

// The marking definitions one Handling element names; converts them on first sight.
std::vector<std::string> refs_of_handling(Ctx& c, Node handling) {
  std::vector<std::string> refs;
  for (Node marking : c.children(handling, "Marking")) {
    const std::string scope = c.child_text(marking, "Controlled_Structure");
    if (!whole_construct(scope))
      c.warn(kUnsupportedMarking, marking, "granular marking (" + scope + ") applied to the whole object");
    for (Node s : c.children(marking, "Marking_Structure")) {
      const std::string type = c.xsi_type(s);
      std::string id;
      if (type == "TLPMarkingStructureType") {
        id = tlp_id(c.attr_or(s, "color"));
      } else if (type == "SimpleMarkingStructureType") {
        id = statement_marking(c, s, c.child_text(s, "Statement"));
      } else if (type == "AISMarkingStructure") {
        id = ais_marking(c, s);
      } else if (type == "TermsOfUseMarkingStructureType") {
        id = statement_marking(c, s, c.child_text(s, "Terms_Of_Use"));
      }
      if (id.empty()) {
        c.warn(kUnsupportedMarking, s, "marking structure " + (type.empty() ? std::string("(no type)") : type) + " not converted");
        c.mark_subtree(s);
        continue;
      }
      if (std::find(refs.begin(), refs.end(), id) == refs.end()) refs.push_back(id);
    }
    // The marking's Information_Source: its identity may become the package's
    // (identity.cpp); tools and times are not carried (warning 101).
  }
  return refs;
}

}  // namespace

void convert_markings(Ctx& c, Node package) {
  Node header = c.child(package, "STIX_Header");
  if (header == kNone) return;
  c.header_markings = refs_of_handling(c, c.child(header, "Handling"));
}

Json marking_refs_of(Ctx& c, Node e) {
  std::vector<std::string> refs = c.header_markings;
  for (const auto& r : refs_of_handling(c, c.child(e, "Handling")))
    if (std::find(refs.begin(), refs.end(), r) == refs.end()) refs.push_back(r);
  if (refs.empty()) return Json();
  Json list = Json::array();
  for (auto& r : refs) list.push(Json::str(r));
  return list;
}

}  // namespace taxii::convert
