#include "stix21/canonical.hpp"

#include <algorithm>
#include <cmath>
#include <string_view>
#include <utility>
#include <vector>

#include <openssl/evp.h>

#include "core/json_writer.hpp"
#include "stix21/envelope.hpp"

namespace taxii::stix21 {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

class Walker {
 public:
  Walker(std::string& out, std::string& error) : out_(out), error_(error) {}

  bool value(element v) {
    switch (v.type()) {
      case element_type::OBJECT: return object(v);
      case element_type::ARRAY: return array(v);
      case element_type::STRING: JsonWriter::quote_into(out_, std::string_view(v)); return true;
      case element_type::INT64: out_ += std::to_string(int64_t(v)); return true;
      case element_type::UINT64: out_ += std::to_string(uint64_t(v)); return true;
      case element_type::DOUBLE: number(v); return true;
      case element_type::BOOL: out_ += bool(v) ? "true" : "false"; return true;
      case element_type::NULL_VALUE: out_ += "null"; return true;
    }
    return true;
  }

 private:
  bool object(element v) {
    std::vector<std::pair<std::string_view, element>> members;
    for (auto field : simdjson::dom::object(v)) members.emplace_back(field.key, field.value);
    std::sort(members.begin(), members.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    out_ += '{';
    for (size_t i = 0; i < members.size(); ++i) {
      const auto& [name, member] = members[i];
      path_.push_back(name);
      if (i + 1 < members.size() && members[i + 1].first == name) {
        return fail("duplicate member name (RFC 7493 §2.3)");
      }
      if (local_refs_ == 0 && !reference(name, member)) return false;
      // observed-data's deprecated `objects` (STIX 2.1 §4.13; all of STIX 2.0's observables)
      // refer to each other by dictionary key ("0", "1"), not by identifier.
      const bool local = path_.size() == 1 && name == "objects";
      local_refs_ += local;
      if (i != 0) out_ += ',';
      JsonWriter::quote_into(out_, name);
      out_ += ':';
      if (!value(member)) return false;
      local_refs_ -= local;
      path_.pop_back();
    }
    out_ += '}';
    return true;
  }

  bool array(element v) {
    out_ += '[';
    bool first = true;
    for (element item : simdjson::dom::array(v)) {
      if (!first) out_ += ',';
      first = false;
      if (!value(item)) return false;
    }
    out_ += ']';
    return true;
  }

  void number(element v) {
    const double d = double(v);
    if (d == 0) {
      out_ += '0';
    } else if (std::trunc(d) == d && std::fabs(d) < 9007199254740992.0) {
      out_ += std::to_string(static_cast<int64_t>(d));
    } else {
      out_ += simdjson::minify(v);
    }
  }

  // STIX 2.1 §3.1: a property ending in _ref holds an identifier, one ending in _refs a
  // non-empty list of them (STIX 2.1 §2.9; lists are never empty, TAXII 2.1 §2).
  bool reference(std::string_view name, element member) {
    if (ends_with(name, "_ref")) {
      if (!member.is_string() || !is_identifier(std::string_view(member))) {
        return fail("a _ref property must be a STIX identifier (STIX 2.1 §2.9)");
      }
    } else if (ends_with(name, "_refs")) {
      if (!member.is_array()) return fail("a _refs property must be a list of identifiers (STIX 2.1 §2.9)");
      bool any = false;
      for (element item : simdjson::dom::array(member)) {
        any = true;
        if (!item.is_string() || !is_identifier(std::string_view(item))) {
          return fail("a _refs property must list STIX identifiers only (STIX 2.1 §2.9)");
        }
      }
      if (!any) return fail("a _refs list must not be empty (STIX 2.1 §2.9)");
    }
    return true;
  }

  bool fail(std::string_view why) {
    std::string where;
    for (std::string_view p : path_) {
      if (!where.empty()) where += '.';
      where.append(p.data(), std::min<size_t>(p.size(), 100));
    }
    error_ = "property '" + where + "': " + std::string(why);
    return false;
  }

  std::string& out_;
  std::string& error_;
  std::vector<std::string_view> path_;  // member names from the object down to the current one
  int local_refs_ = 0;                   // > 0 below a top-level `objects` member
};

}  // namespace

bool canonical_json(element value, std::string& out, std::string& error) {
  return Walker(out, error).value(value);
}

std::string sha256_hex(std::string_view bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(bytes.data(), bytes.size(), md, &n, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * n);
  for (unsigned int i = 0; i < n; ++i) {
    hex += kHex[md[i] >> 4];
    hex += kHex[md[i] & 15];
  }
  return hex;
}

}  // namespace taxii::stix21
