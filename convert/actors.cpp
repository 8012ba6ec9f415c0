// Threat actors, campaigns, courses of action, exploit targets, incidents, reports
// (STIX 2.1 §4.16, §4.2, §4.3, §4.18, §4.6, §4.14).
#include "convert/common.hpp"

namespace taxii::convert {

namespace {

void markings(Ctx& c, Node e, Json& sdo) {
  if (Json m = marking_refs_of(c, e); !m.is_null()) sdo.set("object_marking_refs", std::move(m));
}

// ta:Identity -> identity (with CIQ locations) + "attributed-to", as the elevator does; the
// relationship takes the identity's 1.x id (stable).
void actor_identity(Ctx& c, Node actor, const std::string& actor_id) {
  Node ident = c.child(actor, "Identity");
  if (ident == kNone) return;
  const std::string id = convert_identity(c, ident, actor_id + "|identity", c.timestamp_of(actor));
  const std::string id1x = c.attr_or(ident, "id");
  add_relationship(c, actor_id, id, "attributed-to", {}, id1x.empty() ? std::string() : stix_id_for("relationship", id1x));
}

}  // namespace

void convert_threat_actor(Ctx& c, Node actor) {
  const std::string id = register_id(c, actor, "threat-actor");
  Json sdo = new_object("threat-actor", id, c.timestamp_of(actor));
  add_name_description(c, actor, sdo);
  actor_identity(c, actor, id);
  if (!sdo.has("name")) sdo.set("name", Json::str(c.attr_or(actor, "id", "threat actor")));
  add_vocab_list(c, actor, "Type", "threat_actor_types", sdo);
  std::string soph;
  for (Node s : c.children(actor, "Sophistication")) soph = open_vocab(c.child_text(s, "Value"));
  sdo.set("sophistication", Json::str(soph.empty() ? "unknown" : soph));
  Json goals = Json::array();
  for (Node e : c.children(actor, "Intended_Effect")) {
    const std::string g = c.child_text(e, "Value");
    if (!g.empty()) goals.push(Json::str(g));
  }
  if (!goals.empty()) sdo.set("goals", std::move(goals));
  add_confidence(c, actor, sdo);
  markings(c, actor, sdo);
  for (Node o : c.children(c.child(actor, "Observed_TTPs"), "Observed_TTP")) {
    const std::string d = c.child_text(o, "Relationship");
    if (Node t = c.child(o, "TTP"); t != kNone)
      if (const std::string* ref = c.attr(t, "idref")) add_relationship(c, id, *ref, "uses", d);
  }
  add_related(c, c.child(actor, "Associated_Campaigns"), id, "attributed-to", false);
  add_related(c, c.child(actor, "Associated_Actors"), id, "related-to");
  c.objects.push_back(std::move(sdo));
}

void convert_campaign(Ctx& c, Node camp) {
  const std::string id = register_id(c, camp, "campaign");
  Json sdo = new_object("campaign", id, c.timestamp_of(camp));
  add_name_description(c, camp, sdo);
  Json aliases = Json::array();
  for (Node names : c.children(camp, "Names"))
    for (Node n : c.children(names, "Name")) aliases.push(Json::str(c.text(n)));
  if (!aliases.empty()) sdo.set("aliases", std::move(aliases));
  if (!sdo.has("name")) sdo.set("name", Json::str(c.attr_or(camp, "id", "campaign")));
  add_confidence(c, camp, sdo);
  markings(c, camp, sdo);
  add_related(c, c.child(camp, "Related_TTPs"), id, "uses");
  add_related(c, c.child(camp, "Attribution"), id, "attributed-to");
  add_related(c, c.child(camp, "Associated_Campaigns"), id, "related-to");
  c.objects.push_back(std::move(sdo));
}

void convert_course_of_action(Ctx& c, Node coa) {
  const std::string id = register_id(c, coa, "course-of-action");
  Json sdo = new_object("course-of-action", id, c.timestamp_of(coa));
  add_name_description(c, coa, sdo);
  add_vocab_list(c, coa, "Type", "labels", sdo);
  if (!sdo.has("name")) sdo.set("name", Json::str(c.attr_or(coa, "id", "course of action")));
  markings(c, coa, sdo);
  add_related(c, c.child(coa, "Related_COAs"), id, "related-to");
  c.objects.push_back(std::move(sdo));
}

// Each Vulnerability of an exploit target -> vulnerability (a CVE id as its name and an
// external reference); the first keeps the exploit target's id.
void convert_exploit_target(Ctx& c, Node et) {
  const std::string et_id = c.attr_or(et, "id");
  int n = 0;
  for (Node v : c.children(et, "Vulnerability")) {
    const std::string id = n == 0 ? stix_id_for("vulnerability", et_id) : stix_id_for("vulnerability", et_id, std::to_string(n));
    if (n++ == 0 && !et_id.empty()) c.id_map[et_id] = id;
    Json sdo = new_object("vulnerability", id, c.timestamp_of(et));
    add_name_description(c, v, sdo);
    if (!sdo.has("name")) {
      const std::string title = c.child_text(et, "Title");
      if (!title.empty()) sdo.set("name", Json::str(title));
    }
    const std::string cve = c.child_text(v, "CVE_ID");
    if (!cve.empty()) {
      if (!sdo.has("name")) sdo.set("name", Json::str(cve));
      add_external_ref(sdo, "cve", cve);
    }
    for (Node r : c.children(c.child(v, "References"), "Reference")) add_external_ref(sdo, "internet_resource", {}, c.text(r));
    if (!sdo.has("name")) sdo.set("name", Json::str(et_id.empty() ? "vulnerability" : et_id));
    markings(c, et, sdo);
    c.objects.push_back(std::move(sdo));
  }
  if (n == 0) {
    c.warn(kNotConverted, et, "exploit target without a vulnerability not converted");
    c.mark_subtree(et);
  }
}

void convert_incident(Ctx& c, Node inc) {
  const std::string id = register_id(c, inc, "incident");
  const std::string ts = c.timestamp_of(inc);
  Json sdo = new_object("incident", id, ts);
  add_name_description(c, inc, sdo);
  if (!sdo.has("name")) sdo.set("name", Json::str(c.attr_or(inc, "id", "incident")));
  for (Node contact : c.children(inc, "Contact"))  // identities of their own (STIX 2.1 has no contact)
    if (Node ident = c.child(contact, "Identity"); ident != kNone) convert_identity(c, ident, id + "|contact|" + c.path(ident), ts);
  for (Node ext : c.children(inc, "External_ID")) add_external_ref(sdo, c.attr_or(ext, "source", "unknown"), c.text(ext));
  for (Node cats : c.children(inc, "Categories")) add_vocab_list(c, cats, "Category", "labels", sdo);
  markings(c, inc, sdo);
  // STIX 2.1 §4.6 suggests no verb between incident and TTPs: related-to.
  add_related(c, c.child(inc, "Leveraged_TTPs"), id, "related-to");
  add_related(c, c.child(inc, "Attributed_Threat_Actors"), id, "attributed-to");
  add_related(c, c.child(inc, "Related_Indicators"), id, "indicates", false);
  c.objects.push_back(std::move(sdo));
}

// Report: object_refs are the 2.1 ids of what it lists, resolved when the bundle is done.
void convert_report(Ctx& c, Node rep) {
  const std::string id = register_id(c, rep, "report");
  Json sdo = new_object("report", id, c.timestamp_of(rep));
  Node header = c.child(rep, "Header");
  add_name_description(c, header, sdo);
  add_vocab_list(c, header, "Intent", "report_types", sdo);
  if (!sdo.has("name")) sdo.set("name", Json::str(c.attr_or(rep, "id", "report")));
  sdo.set("published", Json::str(c.timestamp_of(rep)));
  Json refs = Json::array();
  for (Node section : c.children(rep))
    for (Node item : c.children(section))
      if (const std::string* ref = c.attr(item, "idref")) refs.push(Json::str(*ref));
  sdo.set("object_refs", std::move(refs));
  markings(c, rep, sdo);
  c.reports.push_back(std::move(sdo));
}

}  // namespace taxii::convert
