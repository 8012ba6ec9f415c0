#include "bindings/query/default/capability_module.hpp"

#include <algorithm>
#include <charconv>

namespace taxii::query::tdq {

Result<CompiledTest> TableModule::compile(std::string_view relationship, const Parameters& params,
                                          const DefaultQueryOptions& options) const {
  for (const Relationship& r : relationships_)
    if (r.name == relationship) return r.compile(relationship, params, options);
  std::string defined;
  for (const Relationship& r : relationships_) {
    if (!defined.empty()) defined += ", ";
    defined += r.name;
  }
  return Error::bad_message("relationship \"" + std::string(relationship) + "\" is not defined by " +
                            std::string(id_) + " (defined: " + defined + ")");
}

Result<std::vector<std::optional<std::string>>> read_parameters(std::string_view relationship,
                                                                const Parameters& params,
                                                                const std::vector<std::string_view>& allowed,
                                                                const std::vector<std::string_view>& required) {
  std::vector<std::optional<std::string>> out(allowed.size());
  const std::string rel = "relationship \"" + std::string(relationship) + "\": ";
  for (const auto& [name, value] : params) {
    const auto it = std::find(allowed.begin(), allowed.end(), name);
    if (it == allowed.end()) {
      if (allowed.empty()) return Error::bad_message(rel + "takes no parameters, got \"" + name + "\"");
      return Error::bad_message(rel + "unknown parameter \"" + name + "\"");
    }
    auto& slot = out[static_cast<size_t>(it - allowed.begin())];
    if (slot) return Error::bad_message(rel + "parameter \"" + name + "\" given twice");
    slot = value;
  }
  for (std::string_view name : required) {
    const auto it = std::find(allowed.begin(), allowed.end(), name);
    if (!out[static_cast<size_t>(it - allowed.begin())])
      return Error::bad_message(rel + "missing parameter \"" + std::string(name) + "\"");
  }
  return out;
}

std::string_view trim(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

std::optional<bool> parse_boolean(std::string_view s) {
  s = trim(s);
  if (s == "true" || s == "1") return true;
  if (s == "false" || s == "0") return false;
  return std::nullopt;
}

std::optional<double> parse_number(std::string_view s) {
  s = trim(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);  // from_chars refuses '+'
  size_t i = 0;
  auto digits = [&] {
    const size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i - start;
  };
  if (i < s.size() && s[i] == '-') ++i;
  size_t n = digits();
  if (i < s.size() && s[i] == '.') {
    ++i;
    n += digits();
  }
  if (n == 0) return std::nullopt;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (digits() == 0) return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  double v = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  // Out-of-range values (1e999) are not numbers we can compare faithfully.
  if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

namespace {
char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }
}  // namespace

std::string fold_case(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

bool equal_fold(std::string_view a, std::string_view folded_b) {
  if (a.size() != folded_b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != folded_b[i]) return false;
  return true;
}

}  // namespace taxii::query::tdq
