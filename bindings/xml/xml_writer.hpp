// XmlWriter: appends namespace-correct XML for the message serializers. Element names
// are written with one fixed prefix per binding ("taxii_11" / "taxii"); mixed content is
// embedded as the self-contained markup the model holds. Not thread-safe (one per call).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/model_common.hpp"

namespace taxii::xml {

class XmlWriter {
 public:
  explicit XmlWriter(std::string_view prefix) : prefix_(prefix) { out_.reserve(1024); }

  // <prefix:name
  XmlWriter& open(std::string_view name) {
    close_pending();
    out_ += '<';
    out_ += prefix_;
    out_ += ':';
    out_ += name;
    pending_ = true;
    return *this;
  }
  XmlWriter& attr(std::string_view name, std::string_view value) {
    out_ += ' ';
    out_ += name;
    out_ += "=\"";
    xml_escape_append(out_, value, true);
    out_ += '"';
    return *this;
  }
  XmlWriter& attr_bool(std::string_view name, bool value) { return attr(name, std::string_view(value ? "true" : "false")); }
  XmlWriter& attr_uint(std::string_view name, uint64_t value) { return attr(name, std::to_string(value)); }
  // Ends the element: "/>" if nothing was written inside, else "</prefix:name>".
  XmlWriter& close(std::string_view name) {
    if (pending_) {
      out_ += "/>";
      pending_ = false;
      return *this;
    }
    out_ += "</";
    out_ += prefix_;
    out_ += ':';
    out_ += name;
    out_ += '>';
    return *this;
  }
  XmlWriter& text(std::string_view s) {
    close_pending();
    xml_escape_append(out_, s, false);
    return *this;
  }
  XmlWriter& raw(std::string_view markup) {
    close_pending();
    out_ += markup;
    return *this;
  }
  // <prefix:name>text</prefix:name>
  XmlWriter& leaf(std::string_view name, std::string_view value) {
    open(name);
    if (!value.empty()) text(value);
    return close(name);
  }
  XmlWriter& mixed(std::string_view name, const Mixed& m) {
    open(name);
    if (!m.xml.empty()) raw(m.xml);
    return close(name);
  }
  std::string take() { return std::move(out_); }

 private:
  void close_pending() {
    if (pending_) {
      out_ += '>';
      pending_ = false;
    }
  }
  std::string_view prefix_;
  std::string out_;
  bool pending_ = false;
};

}  // namespace taxii::xml
