// XmlWriter: appends namespace-correct XML for the message serializers. Element names
// are written with one fixed prefix per binding ("taxii_11" / "taxii"); mixed content is
// embedded as the self-contained markup the model holds. Not thread-safe (one per call).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "bindings/xml/message_binding.hpp"
#include "core/big_buffer.hpp"
#include "core/model_common.hpp"

namespace taxii::xml {

template <class T, class = void>
struct HasContentBlocks : std::false_type {};
template <class T>
struct HasContentBlocks<T, std::void_t<decltype(std::declval<const T&>().content_blocks)>> : std::true_type {};

class XmlWriter {
 public:
  explicit XmlWriter(std::string_view prefix, std::size_t size_hint = 1024,
                     std::vector<SegmentedBody::Insert>* inserts = nullptr)
      : prefix_(prefix), inserts_(inserts) {
    reserve_big(out_, size_hint);
  }

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
  // With inserts (SegmentedBody), markup of kMinInsert bytes or more is recorded there, not
  // copied: `m` must outlive the result.
  XmlWriter& mixed(std::string_view name, const Mixed& m) {
    open(name);
    if (inserts_ != nullptr && m.xml.size() >= kMinInsert) {
      close_pending();
      inserts_->push_back({out_.size(), m.xml});
    } else if (!m.xml.empty()) {
      raw(m.xml);
    }
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
  std::vector<SegmentedBody::Insert>* inserts_;
  std::string out_;
  bool pending_ = false;
};

// Bytes a message will take, roughly: messages with content blocks are reserved in one
// allocation (a 1000-block Poll_Response is ~3 MB; growing by doubling copied it ~12 times and,
// above the mmap threshold, faulted in fresh pages at every step).
// With `segmented`, the envelope alone (content that becomes inserts not counted).
template <class Msg>
std::size_t size_hint(const Msg& msg, bool segmented = false) {
  return std::visit(
      [segmented](const auto& m) -> std::size_t {
        std::size_t n = 1024;
        if constexpr (std::is_class_v<std::decay_t<decltype(m)>> &&
                      HasContentBlocks<std::decay_t<decltype(m)>>::value)
          for (const auto& b : m.content_blocks) {
            const std::size_t c = b.content.xml.size();
            n += (segmented && c >= kMinInsert ? 0 : c) + (b.padding ? b.padding->size() : 0) + 512;
          }
        return n;
      },
      msg);
}

}  // namespace taxii::xml
