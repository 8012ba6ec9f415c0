#include "convert/cybox_terms.hpp"

#include <cctype>
#include <cstdint>

#include "core/timestamp.hpp"

namespace taxii::convert {

std::string quote(const std::string& v) {
  std::string out = "'";
  for (char ch : v) {
    if (ch == '\'' || ch == '\\') out += '\\';
    out += ch;
  }
  return out + "'";
}

namespace {

std::vector<std::string> split_list(const std::string& v) {
  std::vector<std::string> out;
  const std::string delim = "##comma##";  // CybOX 2.1 default list delimiter
  size_t from = 0;
  for (;;) {
    size_t at = v.find(delim, from);
    out.push_back(v.substr(from, at == std::string::npos ? std::string::npos : at - from));
    if (at == std::string::npos) break;
    from = at + delim.size();
  }
  return out;
}

std::string literal(const std::string& v, Kind kind) {
  switch (kind) {
    case Kind::Int: return v;
    case Kind::Bool: return v == "true" || v == "1" ? "true" : "false";
    case Kind::Time:  // as written, with the zone STIX 2.1 §3.2 requires (UTC when none)
      return "t" + quote(Timestamp::parse(v) || !Timestamp::parse_lenient(v) ? v : v + "Z");
    case Kind::Str: break;
  }
  return quote(v);
}

}  // namespace

Json sco_value(const std::string& v, Kind kind) {
  if (kind == Kind::Int) {
    int64_t n = 0;
    for (char ch : v) {
      if (!std::isdigit(static_cast<unsigned char>(ch))) return Json::str(v);
      if (n > (INT64_MAX - 9) / 10) return Json::str(v);
      n = n * 10 + (ch - '0');
    }
    return Json::integer(n);
  }
  if (kind == Kind::Bool) return Json::boolean(v == "true" || v == "1");
  return Json::str(v);
}

// One property element as a pattern term on `lhs` (CybOX 2.1 conditions; STIX 2.1 §9.5).
std::string term(Ctx& c, Node prop, const std::string& lhs, Kind kind) {
  const std::string value = c.text(prop);
  const std::string cond = c.attr_or(prop, "condition", "Equals");
  auto values = split_list(value);
  if (values.size() > 1) {
    std::string list;
    for (const auto& v : values) list += (list.empty() ? "" : ", ") + literal(v, kind);
    const bool all = c.attr_or(prop, "apply_condition", "ANY") == "ALL";
    if (cond != "Equals" || all) c.warn(kUnsupportedCondition, prop, "list with condition " + cond + " taken as IN");
    return lhs + " IN (" + list + ")";
  }
  if (cond == "Equals") return lhs + " = " + literal(value, kind);
  if (cond == "DoesNotEqual") return lhs + " != " + literal(value, kind);
  if (cond == "GreaterThan") return lhs + " > " + literal(value, kind);
  if (cond == "GreaterThanOrEqual") return lhs + " >= " + literal(value, kind);
  if (cond == "LessThan") return lhs + " < " + literal(value, kind);
  if (cond == "LessThanOrEqual") return lhs + " <= " + literal(value, kind);
  if (cond == "Contains" || cond == "FitsPattern") return lhs + " MATCHES " + quote(value);
  if (cond == "DoesNotContain") return "NOT " + lhs + " MATCHES " + quote(value);
  if (cond == "StartsWith") return lhs + " MATCHES " + quote("^" + value);
  if (cond == "EndsWith") return lhs + " MATCHES " + quote(value + "$");
  c.warn(kUnsupportedCondition, prop, "condition " + cond + " has no STIX 2.1 pattern operator; '=' used");
  return lhs + " = " + literal(value, kind);
}


}  // namespace taxii::convert
