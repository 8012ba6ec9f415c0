// Internal to convert/: CybOX property elements as STIX 2.1 pattern terms (STIX 2.1 §9.5)
// and SCO properties, and the object converters beyond cybox.cpp's (cybox_net.cpp).
#pragma once

#include <string>
#include <vector>

#include "convert/cybox.hpp"

namespace taxii::convert {

enum class Kind { Str, Int, Bool, Time };

// STIX 2.1 §9.3 string constant: single quotes, ' and \ escaped.
std::string quote(const std::string& v);
// A property value as an SCO property (integers and booleans typed).
Json sco_value(const std::string& v, Kind kind);
// One property element as a pattern term on `lhs`, with its CybOX condition.
std::string term(Ctx& c, Node prop, const std::string& lhs, Kind kind);

// Builds the SCO and the comparison for one object, property by property.
struct Builder {
  Ctx& c;
  CyboxObject& out;
  std::vector<std::string> terms;
  bool only_group = false;  // the single term is a parenthesized group

  void simple(Node props, const char* element, const char* property, Kind kind = Kind::Str) {
    Node p = c.child(props, element);
    if (p == kNone) return;
    add(p, property, kind);
  }
  void add(Node p, const std::string& property, Kind kind) {
    terms.push_back(term(c, p, out.type + ":" + property, kind));
    if (property.find_first_of(".[") == std::string::npos) out.sco.set(property, sco_value(c.text(p), kind));
  }
  // "a" for one part, "(a OP b ...)" for several.
  static std::string grouped(const std::vector<std::string>& parts, const char* op) {
    if (parts.size() == 1) return parts[0];
    std::string g;
    for (size_t i = 0; i < parts.size(); ++i) g += (i ? std::string(" ") + op + " " : "") + parts[i];
    return "(" + g + ")";
  }
  void group(const std::vector<std::string>& parts, const char* op) {
    if (parts.empty()) return;
    if (parts.size() > 1) only_group = terms.empty();
    terms.push_back(grouped(parts, op));
  }
  std::string joined() const {
    if (terms.size() == 1 && only_group) return terms[0].substr(1, terms[0].size() - 2);
    std::string s;
    for (const auto& t : terms) s += (s.empty() ? "" : " AND ") + t;
    return s;
  }
};


void software(Builder& b, Node props);
void network(Builder& b, Node props, const std::string& xsi_type);
void x509(Builder& b, Node props);
void user_account(Builder& b, Node props, const std::string& xsi_type);

}  // namespace taxii::convert
