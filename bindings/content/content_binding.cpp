#include "bindings/content/content_binding.hpp"

#include <algorithm>

#include "core/lookup.hpp"
#include "core/urn.hpp"

namespace taxii::content {

namespace {

std::string braced(const std::string& ns, const std::string& local) {
  return ns.empty() ? local : "{" + ns + "}" + local;
}

std::string quoted_list(const std::vector<std::string>& values) {
  std::string out;
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += i + 1 == values.size() ? " or " : ", ";
    out += "\"" + values[i] + "\"";
  }
  return out;
}

const std::string* find_attr(const RootInfo& root, std::string_view name) {
  for (const auto& [n, v] : root.attrs)
    if (n == name) return &v;
  return nullptr;
}

bool contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

// --- RootInfo ---------------------------------------------------------------------------

RootInfo RootInfo::of(const xml::XmlDocument& doc) {
  RootInfo r;
  if (doc.root < 0) return r;
  const xml::XmlNode& n = doc.node(doc.root);
  r.is_xml = true;
  r.ns = n.ns;
  r.local = n.local;
  for (const auto& a : n.attrs)
    if (a.ns.empty()) r.attrs.emplace_back(a.local, a.value);
  return r;
}

Result<RootInfo> RootInfo::of_markup(std::string_view markup) {
  if (Mixed{std::string(markup)}.is_text()) return RootInfo{};
  auto doc = xml::parse_untyped(markup, xml::ParseLimits{});
  if (!doc.ok()) return doc.error();
  return of(*doc);
}

// --- ContentBinding -----------------------------------------------------------------------

std::optional<std::string> ContentBinding::mismatch(const RootInfo& root) const {
  const RootSignature& s = signature_;
  if (s.kind == RootSignature::Kind::Text) {
    if (root.is_xml) return "the content is XML (root element " + braced(root.ns, root.local) + "), not text";
    return std::nullopt;
  }
  if (!root.is_xml) return std::string("the content has no XML element");
  const std::string got = "root element " + braced(root.ns, root.local);
  if (root.ns != s.ns) return got + " is not in namespace " + s.ns;
  if (!s.locals.empty() && !contains(s.locals, root.local))
    return got + ", expected " + quoted_list(s.locals);
  for (const AttrRule& rule : s.attrs) {
    const std::string* v = find_attr(root, rule.name);
    if (v == nullptr) {
      if (rule.optional) continue;
      return got + " has no " + rule.name + " attribute, expected " + quoted_list(rule.values);
    }
    if (!contains(rule.values, *v))
      return got + " has " + rule.name + "=\"" + *v + "\", expected " + quoted_list(rule.values);
  }
  return std::nullopt;
}

// --- ContentBindingRegistry ---------------------------------------------------------------

Status ContentBindingRegistry::add(ContentBinding binding) {
  std::vector<std::string> names{binding.id()};
  names.insert(names.end(), binding.aliases().begin(), binding.aliases().end());
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i].empty()) return Error::failure("content binding with an empty id");
    if (by_id_.count(names[i]) != 0 || std::find(names.begin(), names.begin() + static_cast<long>(i), names[i]) !=
                                            names.begin() + static_cast<long>(i))
      return Error::failure("content binding " + names[i] + " is registered twice");
  }
  bindings_.push_back(std::make_unique<ContentBinding>(std::move(binding)));
  const ContentBinding* b = bindings_.back().get();
  for (auto& n : names) by_id_.emplace(std::move(n), b);
  return ok_status();
}

const ContentBinding* ContentBindingRegistry::find(std::string_view id) const {
  return find_or_null(by_id_, id);
}

std::vector<std::string> ContentBindingRegistry::ids() const {
  std::vector<std::string> out;
  for (const auto& b : bindings_) {
    out.push_back(b->id());
    out.insert(out.end(), b->aliases().begin(), b->aliases().end());
  }
  return out;
}

const ContentBinding* ContentBindingRegistry::identify(const RootInfo& root) const {
  for (const auto& b : bindings_)
    if (b->recognises(root)) return b.get();
  return nullptr;
}

// --- Built-in bindings --------------------------------------------------------------------

namespace {

RootSignature stix(const char* version) {
  // STIX 1.x: <stix:STIX_Package version="1.1.1"> (the version attribute names the release).
  return {RootSignature::Kind::XmlElement, std::string(urn::kNsStix), {"STIX_Package"}, {{"version", {version}, false}}};
}

RootSignature cybox(const char* minor, const char* update, bool update_optional) {
  // CybOX 2.x: <cybox:Observables cybox_major_version="2" cybox_minor_version="1"
  // cybox_update_version="0">; 2.0 and 2.1 documents often omit the update version.
  return {RootSignature::Kind::XmlElement,
          std::string(urn::kNsCybox),
          {"Observables"},
          {{"cybox_major_version", {"2"}, false},
           {"cybox_minor_version", {minor}, false},
           {"cybox_update_version", {update}, update_optional}}};
}

RootSignature root_in(std::string_view ns, std::vector<std::string> locals) {
  return {RootSignature::Kind::XmlElement, std::string(ns), std::move(locals), {}};
}

}  // namespace

Status register_builtin_content_bindings(ContentBindingRegistry& registry) {
  const RootSignature text{RootSignature::Kind::Text, {}, {}, {}};
  std::vector<ContentBinding> builtin{
      // CBR v3 §2.1 (STIX 1.2 by the CBR formula).
      {std::string(urn::kStix10), "STIX 1.0", stix("1.0")},
      {std::string(urn::kStix101), "STIX 1.0.1", stix("1.0.1")},
      {std::string(urn::kStix11), "STIX 1.1", stix("1.1")},
      {std::string(urn::kStix111), "STIX 1.1.1", stix("1.1.1")},
      {std::string(urn::kStix12), "STIX 1.2", stix("1.2")},
      // Third-party ids (docs/decisions.md): CBR v3 defines none for CybOX.
      {std::string(urn::kCybox20), "CybOX 2.0", cybox("0", "0", true), {}, {}, true},
      {std::string(urn::kCybox201), "CybOX 2.0.1", cybox("0", "1", false), {}, {}, true},
      {std::string(urn::kCybox21), "CybOX 2.1", cybox("1", "0", true), {}, {}, true},
      // CBR v3 §2.3: the id is the CAP schema's target namespace; the root is <alert>.
      {std::string(urn::kCap11), "CAP 1.1", root_in(urn::kCap11, {"alert"})},
      {std::string(urn::kCap12), "CAP 1.2", root_in(urn::kCap12, {"alert"})},
      // CBR v3 §2.4: normally wraps other content (nesting, Services 1.1 §5.3).
      {std::string(urn::kXmlEnc), "XML Encryption", root_in(urn::kXmlEnc, {"EncryptedData", "EncryptedKey"})},
      // CBR v3 §2.5: base64 MIME text; libtaxii's CB_SMIME spells it x-pkcs7-mime (docs/spec-notes.md P5).
      {std::string(urn::kSmime), "S/MIME", text, {std::string(urn::kSmimeLibtaxii)}},
  };
  for (auto& b : builtin)
    if (auto st = registry.add(std::move(b)); !st.ok()) return st;
  return ok_status();
}

// --- Helpers ------------------------------------------------------------------------------

Result<std::vector<std::string>> parse_nesting(std::string_view binding_id) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const size_t bar = binding_id.find('|', start);
    const std::string_view part = binding_id.substr(start, bar == std::string_view::npos ? bar : bar - start);
    if (part.empty())
      return Error::bad_message("content binding \"" + std::string(binding_id) + "\" has an empty component");
    out.emplace_back(part);
    if (bar == std::string_view::npos) break;
    start = bar + 1;
  }
  return out;
}

bool matches(const std::vector<v11::ContentBinding>& filter, std::string_view binding_id,
             const std::optional<std::string>& subtype) {
  if (filter.empty()) return true;
  auto named = [&](std::string_view id) -> const v11::ContentBinding* {
    for (const auto& f : filter)
      if (f.binding_id == id) return &f;
    return nullptr;
  };
  if (binding_id.find('|') != std::string_view::npos) {
    auto parts = parse_nesting(binding_id);
    if (!parts.ok()) return false;
    for (const auto& p : *parts)
      if (named(p) == nullptr) return false;
    return true;
  }
  for (const auto& f : filter) {
    if (f.binding_id != binding_id) continue;
    if (f.subtypes.empty() || !subtype || contains(f.subtypes, *subtype)) return true;
  }
  return false;
}

Status check_declared(const ContentBinding& binding, const Mixed& content) {
  auto root = RootInfo::of_markup(content.xml);
  if (!root.ok()) return Error::bad_message("content is not " + binding.name() + ": " + root.error().message());
  if (auto why = binding.mismatch(*root)) return Error::bad_message("content is not " + binding.name() + ": " + *why);
  return ok_status();
}

}  // namespace taxii::content
