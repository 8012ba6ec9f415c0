// The namespace declarations in scope while the payload scanner (payload_scan.hpp) walks a
// document (Namespaces in XML 1.0 §6.1: a declaration's scope is its element and that element's
// content), innermost last, and what the namespace splice of a skipped payload needs to know of
// them: which the payload's own elements made and which its envelope made. Internal to
// bindings/xml; inline, as the scanner's per-element work.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "bindings/xml/scan_cursor.hpp"

namespace taxii::xml::scan {

class Bindings {
 public:
  // `doc`: the scanned document; prefixes that are views of it may be cached.
  explicit Bindings(std::string_view doc) : doc_(doc) {}

  size_t size() const { return bindings_.size(); }
  void push(std::string_view prefix, std::string_view uri) { bindings_.push_back({prefix, uri}); }
  // After push(): what was looked up before may have changed.
  void changed() { ++epoch_; }
  // Back to the first `mark` bindings (the end of the element that made the rest).
  void truncate(size_t mark) {
    if (bindings_.size() != mark) {
      bindings_.resize(mark);
      changed();
    }
  }
  // A payload begins: the bindings made from now on are the payload's own.
  void begin_fragment() {
    frag_bind_base_ = bindings_.size();
    envelope_prefixes_.clear();
    changed();
  }

  // The namespace `prefix` is bound to; throws Bail for an unbound prefix.
  std::string_view lookup(std::string_view prefix) {
    Cached& c = cached(prefix);
    if (c.uri_known) return c.uri;
    for (size_t k = bindings_.size(); k-- > 0;)
      if (bindings_[k].prefix == prefix) {
        c.uri = bindings_[k].uri;
        c.uri_known = true;
        return c.uri;
      }
    if (!prefix.empty()) throw Bail{};  // unbound prefix
    c.uri = {};
    c.uri_known = true;
    return {};
  }
  // Whether the current payload's own elements declare `prefix` (in scope now).
  bool declared_in_fragment(std::string_view prefix) {
    Cached& c = cached(prefix);
    if (c.in_fragment < 0) {
      c.in_fragment = 0;
      for (size_t k = frag_bind_base_; k < bindings_.size(); ++k)
        if (bindings_[k].prefix == prefix) {
          c.in_fragment = 1;
          break;
        }
    }
    return c.in_fragment == 1;
  }

  // Whether the payload's ancestors (the envelope) declare `prefix`. Only such a prefix can ever
  // be spliced into the captured payload (XmlDocument::inner_xml), so a value's "p:" is recorded
  // only then: what is recorded stays within the envelope's declarations however many different
  // "pN:" a payload's texts start with (100,000 of them were 100,000 recorded strings).
  bool declared_in_envelope(std::string_view prefix) {
    if (frag_bind_base_ <= 8) {
      for (size_t k = 0; k < frag_bind_base_; ++k)
        if (bindings_[k].prefix == prefix) return true;
      return false;
    }
    if (envelope_prefixes_.empty())
      for (size_t k = 0; k < frag_bind_base_; ++k) envelope_prefixes_.insert(bindings_[k].prefix);
    return envelope_prefixes_.count(prefix) != 0;
  }

 private:
  struct Binding {
    std::string_view prefix, uri;
  };
  // What lookup() and declared_in_fragment() found for a prefix, while the bindings stay as
  // they were (epoch_): a payload's elements use a few prefixes over and over, declared
  // among the twenty-odd of a STIX package's root.
  struct Cached {
    std::string_view prefix;
    uint64_t epoch = 0;  // 0: empty
    std::string_view uri;
    bool uri_known = false;
    int in_fragment = -1;
  };
  // Only prefixes that are views of the document are kept (a probed value prefix is a string
  // of its own that may be gone by the next call): any other gets a scratch entry.
  Cached& cached(std::string_view prefix) {
    const auto* b = doc_.data();
    if (prefix.data() < b || prefix.data() + prefix.size() > b + doc_.size()) {
      scratch_ = Cached{prefix, epoch_, {}, false, -1};
      return scratch_;
    }
    const size_t slot = (prefix.size() * 31 + (prefix.empty() ? 0 : static_cast<unsigned char>(prefix.back()))) & 7;
    Cached& c = cache_[slot];
    if (c.epoch != epoch_ || c.prefix != prefix) c = Cached{prefix, epoch_, {}, false, -1};
    return c;
  }

  std::string_view doc_;
  std::vector<Binding> bindings_;
  size_t frag_bind_base_ = 0;
  std::unordered_set<std::string_view> envelope_prefixes_;  // declared_in_envelope()
  uint64_t epoch_ = 1;
  Cached cache_[8];
  Cached scratch_;
};

}  // namespace taxii::xml::scan
