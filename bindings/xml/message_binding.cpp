#include "bindings/xml/message_binding.hpp"

#include "bindings/xml/binding_internal.hpp"
#include "bindings/xml/xml_document.hpp"
#include "core/urn.hpp"

namespace taxii::xml {
namespace {

std::string_view ns_name(std::string_view ns) {
  if (ns == urn::kNsXml11) return "TAXII 1.1";
  if (ns == urn::kNsXml10) return "TAXII 1.0";
  return {};
}

class XmlBinding final : public MessageBinding {
 public:
  XmlBinding(Version v, std::string_view id, std::string_view ns) : v_(v), id_(id), ns_(ns) {}
  std::string_view id() const override { return id_; }
  std::string_view xml_namespace() const override { return ns_; }
  Version version() const override { return v_; }
  Result<Message> parse(std::string_view body) const override { return parse_with(*this, body, ParseLimits{}); }
  Result<std::string> serialize(const Message& m) const override {
    if (version_of(m) != v_)
      return Error::bad_message(std::string(message_type_name(m)) + " is a TAXII " +
                                std::string(to_string(version_of(m))) + " message; this binding is " + id_);
    if (message_id_of(m).empty()) return Error::bad_message(std::string(message_type_name(m)) + ": message_id is empty");
    return v_ == Version::V11 ? write_v11(m) : write_v10(m);
  }

 private:
  Version v_;
  std::string id_, ns_;
};

}  // namespace

const MessageBinding& xml11() {
  static const XmlBinding b(Version::V11, std::string(urn::kMessageXml11), std::string(urn::kNsXml11));
  return b;
}

const MessageBinding& xml10() {
  static const XmlBinding b(Version::V10, std::string(urn::kMessageXml10), std::string(urn::kNsXml10));
  return b;
}

const MessageBinding* find_binding(std::string_view binding_id) {
  if (binding_id == urn::kMessageXml11) return &xml11();
  if (binding_id == urn::kMessageXml10) return &xml10();
  return nullptr;
}

Result<Message> parse_with(const MessageBinding& b, std::string_view body, const ParseLimits& limits) {
  auto doc = parse_document(body, limits);
  if (!doc.ok()) return doc.error();
  const XmlNode& root = doc->node(doc->root);
  if (root.ns != b.xml_namespace()) {
    const auto other = ns_name(root.ns);
    if (!other.empty())
      return Error::bad_message("the message is a " + std::string(other) + " " + std::string(root.local) +
                                " but was declared as " + std::string(b.id()));
    return Error::bad_message("root element " + std::string(root.local) + " is not in the namespace " +
                              std::string(b.xml_namespace()));
  }
  return b.version() == Version::V11 ? map_v11(*doc) : map_v10(*doc);
}

Result<Message> map_any(const XmlDocument& doc) {
  const XmlNode& root = doc.node(doc.root);
  if (root.ns == urn::kNsXml11) return map_v11(doc);
  if (root.ns == urn::kNsXml10) return map_v10(doc);
  return Error::bad_message("root element " + std::string(root.local) + " is not a TAXII message (namespace '" + std::string(root.ns) + "')");
}

Result<Message> parse_any(std::string_view body, const ParseLimits& limits) {
  auto doc = parse_document(body, limits);
  if (!doc.ok()) return doc.error();
  return map_any(*doc);
}

bool valid_message_id(Version v, std::string_view id) {
  if (id.empty() || id.size() > 256) return false;
  if (v == Version::V10) return id.find_first_not_of("0123456789") == std::string_view::npos;
  return valid_any_uri(id);
}

Result<std::string> serialize_any(const Message& m) {
  return version_of(m) == Version::V11 ? xml11().serialize(m) : xml10().serialize(m);
}

std::size_t SegmentedBody::size() const {
  std::size_t n = envelope.size();
  for (const auto& i : inserts) n += i.bytes.size();
  return n;
}

std::vector<std::string_view> SegmentedBody::pieces() const {
  std::vector<std::string_view> out;
  out.reserve(2 * inserts.size() + 1);
  const std::string_view env(envelope);
  std::size_t pos = 0;
  for (const auto& i : inserts) {
    out.push_back(env.substr(pos, i.at - pos));
    out.push_back(i.bytes);
    pos = i.at;
  }
  out.push_back(env.substr(pos));
  return out;
}

std::string SegmentedBody::flatten() const {
  std::string out;
  out.reserve(size());
  for (const std::string_view p : pieces()) out.append(p);
  return out;
}

Result<SegmentedBody> serialize_segmented(const Message& m) {
  if (message_id_of(m).empty()) return Error::bad_message(std::string(message_type_name(m)) + ": message_id is empty");
  SegmentedBody b;
  auto env = version_of(m) == Version::V11 ? write_v11(m, &b.inserts) : write_v10(m, &b.inserts);
  if (!env.ok()) return env.error();
  b.envelope = std::move(*env);
  return b;
}

}  // namespace taxii::xml
