// Indicator Sightings -> sighting (STIX 2.1 §5.2) of the indicator. One Sightings list with
// a sightings_count above one and several Sighting entries is one summary sighting (count,
// first_seen/last_seen over the entries); otherwise each Sighting is a sighting of its own.
#include "convert/common.hpp"

namespace taxii::convert {

namespace {

std::string where_sighted(Ctx& c, Node sighting, const std::string& ts) {
  Node src = c.child(sighting, "Source");
  Node ident = c.child(src, "Identity");
  if (ident == kNone) return {};
  return convert_identity(c, ident, "sighting-source|" + c.path(ident), ts);
}

void observed_refs(Ctx& c, Node sighting, Json& sdo) {
  Json refs = Json::array();
  for (Node ro : c.children(c.child(sighting, "Related_Observables"), "Related_Observable")) {
    c.child(ro, "Relationship");
    Node obs = c.child(ro, "Observable");
    if (const std::string* ref = c.attr(obs, "idref")) refs.push(Json::str(*ref));  // resolved later
  }
  if (!refs.empty()) sdo.set("observed_data_refs", std::move(refs));
}

Json one(Ctx& c, Node sighting, const std::string& indicator_id, int64_t count, const std::string& id) {
  const std::string ts = c.timestamp_of(sighting);
  const std::string where = where_sighted(c, sighting, ts);
  Json sdo = new_object("sighting", id, ts);
  sdo.set("count", Json::integer(count));
  if (count > 1) sdo.set("summary", Json::boolean(true));
  sdo.set("sighting_of_ref", Json::str(indicator_id));
  const std::string d = description_of(c, sighting);
  if (!d.empty()) sdo.set("description", Json::str(d + "\n"));
  if (!where.empty()) {
    Json refs = Json::array();
    refs.push(Json::str(where));
    sdo.set("where_sighted_refs", std::move(refs));
  }
  observed_refs(c, sighting, sdo);
  add_confidence(c, sighting, sdo);
  return sdo;
}

int64_t count_of(const std::string& v) {
  if (v.empty() || v.size() > 9 || v.find_first_not_of("0123456789") != std::string::npos) return 0;
  return std::stoll(v);
}

}  // namespace

void convert_sightings(Ctx& c, Node indicator, const std::string& indicator_id) {
  int n = 0;
  for (Node list : c.children(indicator, "Sightings")) {
    const int64_t count = count_of(c.attr_or(list, "sightings_count"));
    const std::vector<Node> entries = c.children(list, "Sighting");
    auto next_id = [&] { return stix_id_named("sighting", indicator_id + "|" + std::to_string(n++)); };
    if (entries.size() <= 1 || count <= 1) {
      for (Node e : entries) c.objects.push_back(one(c, e, indicator_id, std::max<int64_t>(count, 1), next_id()));
      continue;
    }
    Json sdo = new_object("sighting", next_id(), c.timestamp_of(indicator));
    sdo.set("count", Json::integer(count));
    sdo.set("summary", Json::boolean(true));
    sdo.set("sighting_of_ref", Json::str(indicator_id));
    std::string description, first, last;
    for (Node e : entries) {
      const std::string d = description_of(c, e);
      if (!d.empty()) description += d + "\n";
      if (auto t = stix_timestamp(c.attr_or(e, "timestamp"), 6)) {
        if (first.empty() || *t < first) first = *t;
        if (last.empty() || *t > last) last = *t;
      }
      c.mark_subtree(e);
    }
    if (!description.empty()) sdo.set("description", Json::str(description));
    if (!first.empty()) sdo.set("first_seen", Json::str(first));
    if (!last.empty()) sdo.set("last_seen", Json::str(last));
    c.objects.push_back(std::move(sdo));
  }
}

}  // namespace taxii::convert
