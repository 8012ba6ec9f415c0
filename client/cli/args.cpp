#include "client/cli/args.hpp"

#include <algorithm>

namespace taxii::cli {

bool Args::has(const std::string& name) const {
  return std::any_of(seq_.begin(), seq_.end(), [&name](const auto& o) { return o.first == name; });
}

std::optional<std::string> Args::get(const std::string& name) const {
  for (auto it = seq_.rbegin(); it != seq_.rend(); ++it)
    if (it->first == name) return it->second;
  return std::nullopt;
}

std::vector<std::string> Args::all(const std::string& name) const {
  std::vector<std::string> out;
  for (const auto& o : seq_)
    if (o.first == name) out.push_back(o.second);
  return out;
}

std::optional<std::string> parse_args(const std::vector<std::string>& args, const std::vector<OptionSpec>& specs,
                                      Args& out) {
  bool options_done = false;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (options_done || a == "-" || a.empty() || a[0] != '-') {
      out.pos_.push_back(a);
      continue;
    }
    if (a == "--") {
      options_done = true;
      continue;
    }
    const OptionSpec* spec = nullptr;
    std::optional<std::string> inline_value;
    if (a.size() == 2 && a[0] == '-') {
      for (const auto& s : specs)
        if (s.short_name == a[1]) spec = &s;
    } else if (a.rfind("--", 0) == 0) {
      std::string name = a.substr(2);
      if (const size_t eq = name.find('='); eq != std::string::npos) {
        inline_value = name.substr(eq + 1);
        name.resize(eq);
      }
      for (const auto& s : specs)
        if (s.name == name) spec = &s;
    }
    if (spec == nullptr) return "unknown option " + a;
    if (spec->value_name.empty()) {
      if (inline_value) return "option --" + spec->name + " takes no value";
      out.seq_.emplace_back(spec->name, "");
      continue;
    }
    if (!inline_value) {
      if (i + 1 >= args.size()) return "option --" + spec->name + " needs a value (" + spec->value_name + ")";
      inline_value = args[++i];
    }
    out.seq_.emplace_back(spec->name, *inline_value);
  }
  return std::nullopt;
}

std::string format_options(const std::vector<OptionSpec>& specs) {
  std::vector<std::string> left;
  size_t width = 0;
  for (const auto& s : specs) {
    std::string l = s.short_name ? std::string("-") + s.short_name + ", --" + s.name : "    --" + s.name;
    if (!s.value_name.empty()) l += " " + s.value_name;
    width = std::max(width, l.size());
    left.push_back(std::move(l));
  }
  std::string out;
  for (size_t i = 0; i < specs.size(); ++i) {
    out += "  " + left[i] + std::string(width - left[i].size() + 2, ' ');
    // Continuation lines of the help text line up with its first line.
    const std::string& h = specs[i].help;
    for (size_t p = 0; p < h.size();) {
      const size_t nl = h.find('\n', p);
      out += h.substr(p, nl == std::string::npos ? std::string::npos : nl - p) + "\n";
      if (nl == std::string::npos) break;
      out += std::string(width + 4, ' ');
      p = nl + 1;
    }
    if (h.empty()) out += "\n";
  }
  return out;
}

}  // namespace taxii::cli
