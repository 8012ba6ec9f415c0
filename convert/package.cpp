// elevate(): STIX_Package -> bundle. The order of the bundle follows the elevator's
// (markings, observed SCOs and SDOs, indicators, relationships, observed-data, reports), so that
// its idioms compare object by object (docs/bridge.md).
#include <cctype>
#include <functional>

#include "convert/context.hpp"
#include "convert/convert.hpp"
#include "convert/ids.hpp"
#include "core/timestamp.hpp"

namespace taxii::convert {

namespace {

void index_ids(Ctx& c, Node e) {
  const auto& n = c.doc.node(e);
  if (const std::string* id = c.doc.attr(e, "id")) c.by_id.emplace(*id, e);
  for (Node k : n.children)
    if (c.doc.node(k).kind == xml::XmlNode::Kind::Element) index_ids(c, k);
}

// The package timestamp, or the caller's default, or now (warning 105).
void set_timestamp(Ctx& c, Node package) {
  if (const std::string* ts = c.attr(package, "timestamp"))
    if (auto t = stix_timestamp(*ts)) {
      c.timestamp = *t;
      return;
    }
  if (!c.options.default_timestamp.empty())
    if (auto t = stix_timestamp(c.options.default_timestamp)) {
      c.timestamp = *t;
      return;
    }
  c.timestamp = *stix_timestamp(Timestamp::now().to_string());
  c.warn(kNoTimestamp, package, "no timestamp on the package: objects without one are dated now");
}

void for_each_in(Ctx& c, Node package, std::string_view section, std::string_view item,
                 const std::function<void(Node)>& fn) {
  for (Node s : c.children(package, section))
    for (Node e : c.children(s, item)) fn(e);
}

// `type--<uuid>` as this converter writes them (STIX 2.1 §2.9); a 1.x id never is one.
bool is_stix_id(const std::string& s) {
  const size_t sep = s.find("--");
  if (sep == std::string::npos || sep == 0 || s.size() != sep + 2 + 36) return false;
  for (size_t i = 0; i < sep; ++i)
    if (!(std::islower(static_cast<unsigned char>(s[i])) || std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '-'))
      return false;
  return uuid_in_1x_id("x-" + s.substr(sep + 2)) == s.substr(sep + 2);
}

// A relationship end still holding a 1.x id gets its 2.1 id; an end naming nothing converted
// drops the relationship (a 2.1 relationship needs both ends), with warning 103.
void resolve_relationships(Ctx& c) {
  std::vector<Json> kept;
  for (Json& r : c.relationships) {
    bool ok = true;
    for (const char* end : {"source_ref", "target_ref"}) {
      Json* ref = r.get(end);
      auto it = c.id_map.find(ref->as_str());
      if (it == c.id_map.end() && is_stix_id(ref->as_str())) continue;  // made here already
      if (it == c.id_map.end()) {
        c.warnings.push_back({kUnresolvedRef, "", "relationship " + r.get("relationship_type")->as_str() + ": " +
                                                      ref->as_str() + " was not converted; relationship dropped"});
        ok = false;
        break;
      }
      *ref = Json::str(it->second);
    }
    if (ok) kept.push_back(std::move(r));
  }
  c.relationships = std::move(kept);
  for (Json& rep : c.reports) {
    Json refs = Json::array();
    // (A report left with no object_refs is dropped below: STIX 2.1 §4.14 requires one.)
    for (const Json& r : rep.get("object_refs")->items()) {
      auto it = c.id_map.find(r.as_str());
      if (it != c.id_map.end()) refs.push(Json::str(it->second));
      else c.warnings.push_back({kUnresolvedRef, "", "report " + rep.get("id")->as_str() + ": " + r.as_str() + " was not converted"});
    }
    rep.set("object_refs", std::move(refs));
  }
  std::vector<Json> reports;
  for (Json& rep : c.reports) {
    if (rep.get("object_refs")->empty())
      c.warnings.push_back({kUnresolvedRef, "", "report " + rep.get("id")->as_str() + " refers to nothing converted; dropped"});
    else
      reports.push_back(std::move(rep));
  }
  c.reports = std::move(reports);
  for (Json& o : c.objects) {  // sightings' observed_data_refs name observables
    Json* refs = o.get("observed_data_refs");
    if (refs == nullptr) continue;
    Json known = Json::array();
    for (const Json& r : refs->items()) {
      auto it = c.id_map.find(r.as_str());
      if (it != c.id_map.end()) known.push(Json::str(it->second));
      else c.warnings.push_back({kUnresolvedRef, "", "sighting " + o.get("id")->as_str() + ": observable " + r.as_str() + " not in the document; reference dropped"});
    }
    if (known.empty()) o.erase("observed_data_refs");
    else *refs = std::move(known);
  }
}

// The package's identity (created_by_ref) and header markings go on every SDO and SRO that
// has none of its own (STIX 2.1 §3.2; the elevator does the same).
void stamp_common(Ctx& c) {
  for (auto* part : {&c.objects, &c.indicators, &c.relationships, &c.observed_data, &c.reports})
    for (Json& o : *part) {
      if (!o.has("created") || o.get("type")->as_str() == "marking-definition") continue;
      if (!c.created_by.empty() && !o.has("created_by_ref")) o.set("created_by_ref", Json::str(c.created_by));
      if (!c.header_markings.empty() && !o.has("object_marking_refs")) {
        Json refs = Json::array();
        for (const auto& m : c.header_markings) refs.push(Json::str(m));
        o.set("object_marking_refs", std::move(refs));
      }
    }
}

// Topmost elements never used, under used parents: the losses nobody reported (warning 101).
void report_unused(Ctx& c, Node e) {
  for (Node k : c.doc.node(e).children) {
    if (c.doc.node(k).kind != xml::XmlNode::Kind::Element) continue;
    if (!c.used[static_cast<size_t>(k)]) {
      c.warn(kNotConverted, k, "not converted");
      continue;
    }
    report_unused(c, k);
  }
}

void convert_package(Ctx& c, Node package) {
  c.mark(package);
  set_timestamp(c, package);
  // The package's identity comes first in the bundle, then the marking definitions (whose AIS
  // consent labels that identity).
  const size_t before = c.objects.size();
  convert_markings(c, package);
  std::vector<Json> definitions(std::make_move_iterator(c.objects.begin() + static_cast<long>(before)),
                                std::make_move_iterator(c.objects.end()));
  c.objects.resize(before);
  convert_information_source(c, c.child(package, "STIX_Header"));
  for (Json& d : definitions) c.objects.push_back(std::move(d));
  // Kill chain definitions are read where phases refer to them (common.cpp).
  for (Node ttps : c.children(package, "TTPs")) c.mark_subtree(c.child(ttps, "Kill_Chains"));
  // The elevator's order: observables first (indicators may reference them), then the rest.
  for (Node s : c.children(package, "Observables")) convert_observables(c, s);
  for_each_in(c, package, "Campaigns", "Campaign", [&](Node e) { convert_campaign(c, e); });
  for_each_in(c, package, "Courses_Of_Action", "Course_Of_Action", [&](Node e) { convert_course_of_action(c, e); });
  for_each_in(c, package, "Exploit_Targets", "Exploit_Target", [&](Node e) { convert_exploit_target(c, e); });
  for_each_in(c, package, "Incidents", "Incident", [&](Node e) { convert_incident(c, e); });
  for_each_in(c, package, "Indicators", "Indicator", [&](Node e) { convert_indicator(c, e); });
  for_each_in(c, package, "Reports", "Report", [&](Node e) { convert_report(c, e); });
  for_each_in(c, package, "Threat_Actors", "Threat_Actor", [&](Node e) { convert_threat_actor(c, e); });
  for_each_in(c, package, "TTPs", "TTP", [&](Node e) { convert_ttp(c, e); });
  resolve_relationships(c);
  stamp_common(c);
  report_unused(c, package);
}

std::string write_bundle(Ctx& c, Node package) {
  const std::string* pid = c.attr(package, "id");
  std::string id = pid ? stix_id_for("bundle", *pid) : stix_id_named("bundle", std::string(c.doc.source));
  std::string out;
  JsonWriter w(out);
  w.begin_object().member("type", "bundle").member("id", id).key("objects").begin_array();
  for (auto* part : {&c.objects, &c.indicators, &c.relationships, &c.observed_data, &c.reports})
    for (const Json& o : *part) o.write(w);
  w.end_array().end_object();
  return out;
}

}  // namespace

Result<Conversion> elevate(std::string_view xml_text, const Options& options) {
  auto doc = xml::parse_untyped(xml_text, options.limits);
  if (!doc.ok()) return doc.error();
  const xml::XmlDocument& d = doc.value();
  const auto& root = d.node(d.root);
  if (root.local != "STIX_Package" || root.ns != "http://stix.mitre.org/stix-1")
    return Error::bad_message("not a STIX 1.x document: the root element is " + std::string(root.qname) +
                              ", not stix:STIX_Package");
  Ctx c(d, options);
  index_ids(c, d.root);
  convert_package(c, d.root);
  if (options.policy == LossPolicy::Refuse && !c.warnings.empty()) {
    const Warning& w = c.warnings.front();
    return Error::bad_message("refused: " + std::to_string(c.warnings.size()) + " loss(es); first " +
                              std::to_string(w.code) + " at " + w.path + ": " + w.message);
  }
  Conversion out;
  out.document = write_bundle(c, d.root);
  out.warnings = std::move(c.warnings);
  return out;
}

}  // namespace taxii::convert
