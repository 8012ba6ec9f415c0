#include "convert/context.hpp"

#include "convert/ids.hpp"
#include "core/timestamp.hpp"

namespace taxii::convert {

namespace {

constexpr std::string_view kXsi = "http://www.w3.org/2001/XMLSchema-instance";

std::string trim(std::string s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

}  // namespace

Node Ctx::child(Node e, std::string_view name) {
  if (e == kNone) return kNone;
  for (Node k : doc.node(e).children) {
    const auto& n = doc.node(k);
    if (n.kind == xml::XmlNode::Kind::Element && n.local == name) {
      mark(k);
      return k;
    }
  }
  return kNone;
}

std::vector<Node> Ctx::children(Node e, std::string_view name) {
  std::vector<Node> out;
  if (e == kNone) return out;
  for (Node k : doc.node(e).children) {
    const auto& n = doc.node(k);
    if (n.kind == xml::XmlNode::Kind::Element && (name.empty() || n.local == name)) {
      mark(k);
      out.push_back(k);
    }
  }
  return out;
}

std::string Ctx::text(Node e) {
  if (e == kNone) return {};
  mark(e);
  return trim(doc.text_of(e));
}

std::string Ctx::child_text(Node e, std::string_view name) { return text(child(e, name)); }

// An unqualified attribute, else one in another namespace than xsi (CIQ's xal:NameCode).
const std::string* Ctx::attr(Node e, std::string_view name) const {
  if (e == kNone) return nullptr;
  if (const std::string* v = doc.attr(e, name)) return v;
  for (const auto& a : doc.node(e).attrs)
    if (a.local == name && !a.ns.empty() && a.ns != kXsi) return &a.value;
  return nullptr;
}

std::string Ctx::attr_or(Node e, std::string_view name, std::string_view dflt) const {
  const std::string* v = attr(e, name);
  return v != nullptr ? *v : std::string(dflt);
}

std::string Ctx::xsi_type(Node e) const {
  if (e == kNone) return {};
  for (const auto& a : doc.node(e).attrs) {
    if (a.ns == kXsi && a.local == "type") {
      const auto colon = a.value.find(':');
      return colon == std::string::npos ? a.value : a.value.substr(colon + 1);
    }
  }
  return {};
}

void Ctx::mark_subtree(Node e) {
  if (e == kNone) return;
  mark(e);
  for (Node k : doc.node(e).children)
    if (doc.node(k).kind == xml::XmlNode::Kind::Element) mark_subtree(k);
}

std::string Ctx::path(Node e) const {
  if (e == kNone || e == doc.root) return e == kNone ? "" : "/" + std::string(doc.node(e).local);
  const auto& n = doc.node(e);
  int index = 0, same = 0;
  for (Node k : doc.node(n.parent).children) {
    const auto& s = doc.node(k);
    if (s.kind != xml::XmlNode::Kind::Element || s.local != n.local) continue;
    ++same;
    if (k == e) index = same;
  }
  std::string p = path(n.parent) + "/" + std::string(n.local);
  if (same > 1) p += "[" + std::to_string(index) + "]";
  return p;
}

Node Ctx::resolve(Node e) {
  const std::string* ref = attr(e, "idref");
  if (ref == nullptr) return e;
  auto it = by_id.find(*ref);
  if (it == by_id.end()) return e;
  return it->second;
}

bool Ctx::pattern_step(Node e) {
  if (pattern_budget == 0) return false;
  if (--pattern_budget == 0) warn(kPatternTermDropped, e, "patterns refer to shared parts too often; the rest is not converted");
  return pattern_budget > 0;
}

void Ctx::warn(int code, Node e, std::string message) {
  warnings.push_back({code, path(e), std::move(message)});
}

std::string Ctx::timestamp_of(Node e) const {
  if (const std::string* ts = attr(e, "timestamp"))
    if (auto t = stix_timestamp(*ts)) return *t;
  return timestamp;
}

std::optional<std::string> stix_timestamp(std::string_view text, int fraction_digits) {
  auto t = Timestamp::parse_lenient(text);
  if (!t) return std::nullopt;
  std::string s = Timestamp::from_micros(t->micros(), 0).to_string();  // ...:SS.ffffffZ
  const auto dot = s.find('.');
  if (dot == std::string::npos) return s;
  return s.substr(0, dot + 1 + static_cast<size_t>(fraction_digits)) + "Z";
}

Json new_object(std::string_view type, std::string id, const std::string& timestamp) {
  Json o = Json::object();
  o.set("type", Json::str(std::string(type)));
  o.set("spec_version", Json::str("2.1"));
  o.set("id", Json::str(std::move(id)));
  o.set("created", Json::str(timestamp));
  o.set("modified", Json::str(timestamp));
  return o;
}

std::string description_of(Ctx& c, Node e) {
  std::string out;
  for (const char* name : {"Description", "Short_Description"}) {
    for (Node d : c.children(e, name)) {
      // As written (the elevator keeps the text's own line breaks); empty when blank.
      if (c.text(d).empty()) continue;
      const std::string t = c.doc.text_of(d);
      if (!out.empty()) out += "\n\n";
      out += t;
    }
  }
  return out;
}

void add_relationship(Ctx& c, const std::string& source, const std::string& target, std::string_view type,
                      std::string description, std::string id) {
  if (id.empty()) id = stix_id_named("relationship", source + "|" + std::string(type) + "|" + target);
  Json r = new_object("relationship", std::move(id), c.timestamp);
  r.set("relationship_type", Json::str(std::string(type)));
  if (!description.empty()) r.set("description", Json::str(std::move(description)));
  r.set("source_ref", Json::str(source));
  r.set("target_ref", Json::str(target));  // a 1.x id until the bundle is finished
  c.relationships.push_back(std::move(r));
}

void add_related(Ctx& c, Node list, const std::string& source, std::string_view verb, bool outward) {
  if (list == kNone) return;
  for (Node rel : c.children(list)) {
    std::string description = c.child_text(rel, "Relationship");
    c.child(rel, "Confidence");  // relationship confidence is not carried (docs/bridge.md)
    for (Node ref : c.children(rel)) {
      const std::string* idref = c.attr(ref, "idref");
      const std::string* id = c.attr(ref, "id");
      if (c.local(ref) == "Relationship" || c.local(ref) == "Confidence") continue;
      const std::string target = idref ? *idref : id ? *id : std::string();
      if (target.empty()) {
        c.warn(kNotConverted, ref, "embedded related construct without id");
        continue;
      }
      if (idref == nullptr) c.used[static_cast<size_t>(ref)] = 0;  // embedded: the walk converts it later
      if (outward) add_relationship(c, source, target, verb, description);
      else add_relationship(c, target, source, verb, description);
    }
  }
}

}  // namespace taxii::convert
