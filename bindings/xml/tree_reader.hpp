// Helpers the message mappings use to read a validated XmlDocument. Validation already
// guarantees structure and order; these helpers still fail softly (BadMessage) rather
// than assume, since semantic rules are checked here too.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bindings/xml/xml_document.hpp"
#include "core/model_common.hpp"
#include "core/timestamp.hpp"
#include "core/urn.hpp"

namespace taxii::xml {

// Thrown inside the mapping only; parse() converts it to a BadMessage Error.
struct MappingError {
  std::string message;
};

class Elem {
 public:
  Elem(const XmlDocument& d, int32_t i) : d_(&d), i_(i) {}
  const XmlNode& node() const { return d_->node(i_); }
  std::string_view local() const { return node().local; }
  std::string_view ns() const { return node().ns; }
  std::vector<Elem> children() const {
    std::vector<Elem> out;
    for (int32_t c : d_->element_children(i_)) out.emplace_back(*d_, c);
    return out;
  }
  std::string text() const { return d_->text_of(i_); }
  // xs:anyURI / token-like values are whitespace-collapsed by the schema.
  std::string trimmed_text() const { return trim(text()); }
  // Wildcard (any) content, validated laxly for the namespaces we know.
  Mixed inner() const {
    if (auto st = validate_wildcard_content(*d_, i_); !st.ok())
      throw MappingError{std::string(local()) + ": " + st.error().message()};
    return Mixed{d_->inner_xml(i_)};
  }
  std::string outer() const { return d_->outer_xml(i_); }
  const std::string* attr(std::string_view name) const { return d_->attr(i_, name); }
  std::string required_attr(std::string_view name) const {
    const std::string* v = attr(name);
    if (v == nullptr) throw MappingError{std::string(local()) + ": missing attribute " + std::string(name)};
    return trim(*v);
  }
  std::optional<std::string> optional_attr(std::string_view name) const {
    const std::string* v = attr(name);
    if (v == nullptr) return std::nullopt;
    return trim(*v);
  }
  std::optional<bool> bool_attr(std::string_view name) const {
    auto v = optional_attr(name);
    if (!v) return std::nullopt;
    if (*v == "true" || *v == "1") return true;
    if (*v == "false" || *v == "0") return false;
    throw MappingError{std::string(local()) + "/@" + std::string(name) + ": not a boolean"};
  }
  uint64_t uint_value(std::string_view what, const std::string& v) const {
    if (v.empty() || v.size() > 19 || v.find_first_not_of("0123456789+") != std::string::npos)
      throw MappingError{std::string(what) + ": not a non-negative integer: " + v};
    size_t i = v[0] == '+' ? 1 : 0;
    uint64_t x = 0;
    for (; i < v.size(); ++i) {
      if (v[i] < '0' || v[i] > '9') throw MappingError{std::string(what) + ": not an integer"};
      x = x * 10 + static_cast<uint64_t>(v[i] - '0');
    }
    return x;
  }
  Timestamp timestamp() const {
    auto t = Timestamp::parse(text());
    if (!t) throw MappingError{std::string(local()) + ": not a timestamp label with a zone: " + text()};
    return *t;
  }
  bool is_signature() const { return ns() == urn::kNsXmlDsig && local() == "Signature"; }

  static std::string trim(std::string_view s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string_view::npos) return {};
    const auto e = s.find_last_not_of(" \t\r\n");
    return std::string(s.substr(b, e - b + 1));
  }

 private:
  const XmlDocument* d_;
  int32_t i_;
};

}  // namespace taxii::xml
