#include "services/subscriptions/subscription_codec.hpp"

#include <cstdint>
#include <cstdio>
#include <utility>

namespace taxii::services {
namespace {

constexpr std::string_view kParametersFormat = "taxiid-subscription-1";
constexpr std::string_view kFilterFormat = "taxiid-poll-filter-1";
constexpr std::string_view kQueryFilterFormat = "taxiid-poll-filter-2";  // with a query

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  while (true) {
    const std::size_t at = s.find(sep);
    out.push_back(s.substr(0, at));
    if (at == std::string_view::npos) break;
    s = s.substr(at + 1);
  }
  return out;
}

std::vector<std::string_view> lines(std::string_view s) {
  std::vector<std::string_view> out;
  if (!s.empty() && s.back() == '\n') s.remove_suffix(1);
  if (s.empty()) return out;
  return split(s, '\n');
}

uint64_t fnv1a(std::string_view s, uint64_t h) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

}  // namespace

void put_escaped(std::string& out, std::string_view s) {
  for (char ch : s) {
    if (ch == '%') out += "%25";
    else if (ch == '\t') out += "%09";
    else if (ch == '\n') out += "%0A";
    else out += ch;
  }
}

std::string unescape(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      const std::string_view code = s.substr(i + 1, 2);
      if (code == "25") { out += '%'; i += 2; continue; }
      if (code == "09") { out += '\t'; i += 2; continue; }
      if (code == "0A") { out += '\n'; i += 2; continue; }
    }
    out += s[i];
  }
  return out;
}

std::string encode_parameters(const v11::SubscriptionParameters& p) {
  std::string out(kParametersFormat);
  out += "\nresponse_type\t";
  out += v11::to_string(p.response_type);
  out += '\n';
  for (const auto& b : p.content_bindings) {
    out += "binding\t";
    put_escaped(out, b.binding_id);
    for (const auto& st : b.subtypes) {
      out += '\t';
      put_escaped(out, st);
    }
    out += '\n';
  }
  if (p.query) {
    out += "query\t";
    put_escaped(out, p.query->format_id);
    out += '\t';
    put_escaped(out, p.query->body.xml);
    out += '\n';
  }
  return out;
}

std::optional<v11::SubscriptionParameters> decode_parameters(std::string_view text) {
  const auto ls = lines(text);
  if (ls.empty() || ls[0] != kParametersFormat) return std::nullopt;
  v11::SubscriptionParameters p;
  for (std::size_t i = 1; i < ls.size(); ++i) {
    const auto fields = split(ls[i], '\t');
    if (fields[0] == "response_type" && fields.size() == 2) {
      p.response_type = fields[1] == "COUNT_ONLY" ? v11::ResponseType::CountOnly : v11::ResponseType::Full;
    } else if (fields[0] == "binding" && fields.size() >= 2) {
      v11::ContentBinding b;
      b.binding_id = unescape(fields[1]);
      for (std::size_t k = 2; k < fields.size(); ++k) b.subtypes.push_back(unescape(fields[k]));
      p.content_bindings.push_back(std::move(b));
    } else if (fields[0] == "query" && fields.size() == 3) {
      p.query = v11::Query{unescape(fields[1]), Mixed{unescape(fields[2])}};
    } else {
      return std::nullopt;
    }
  }
  return p;
}

std::string spec_key(const std::string& encoded_parameters, const std::optional<v11::PushParameters>& push) {
  std::string all = encoded_parameters;
  all += "\npush\t";
  if (push) {
    put_escaped(all, push->protocol_binding);
    all += '\t';
    put_escaped(all, push->address);
    all += '\t';
    put_escaped(all, push->message_binding);
  }
  const uint64_t a = fnv1a(all, 14695981039346656037ULL);
  const uint64_t b = fnv1a(all, a ^ 0x9e3779b97f4a7c15ULL);
  char hex[33];
  std::snprintf(hex, sizeof hex, "%016llx%016llx", static_cast<unsigned long long>(a),
                static_cast<unsigned long long>(b));
  return hex;
}

storage::PushTarget to_target(const v11::PushParameters& p) {
  return {p.protocol_binding, p.address, p.message_binding};
}

v11::PushParameters to_push_parameters(const storage::PushTarget& t) {
  return {t.protocol_binding, t.address, t.message_binding};
}

std::vector<storage::BindingFilter> to_filters(const std::vector<v11::ContentBinding>& bindings) {
  std::vector<storage::BindingFilter> out;
  for (const auto& b : bindings) out.push_back({b.binding_id, b.subtypes});
  return out;
}

std::string encode_filter(const std::vector<storage::BindingFilter>& filters) {
  std::string out(kFilterFormat);
  out += '\n';
  for (const auto& f : filters) {
    put_escaped(out, f.binding_id);
    for (const auto& st : f.subtypes) {
      out += '\t';
      put_escaped(out, st);
    }
    out += '\n';
  }
  return out;
}

std::optional<std::vector<storage::BindingFilter>> decode_filter(std::string_view text) {
  const auto ls = lines(text);
  if (ls.empty() || ls[0] != kFilterFormat) return std::nullopt;
  std::vector<storage::BindingFilter> out;
  for (std::size_t i = 1; i < ls.size(); ++i) {
    const auto fields = split(ls[i], '\t');
    storage::BindingFilter f;
    f.binding_id = unescape(fields[0]);
    for (std::size_t k = 1; k < fields.size(); ++k) f.subtypes.push_back(unescape(fields[k]));
    out.push_back(std::move(f));
  }
  return out;
}

std::string encode_poll_filter(const PollFilter& f) {
  if (!f.query) return encode_filter(f.bindings);
  std::string out(kQueryFilterFormat);
  out += "\nquery\t";
  put_escaped(out, f.query->format_id);
  out += '\t';
  put_escaped(out, f.query->body.xml);
  out += '\n';
  // The filter lines, as encode_filter writes them after its format line.
  const std::string bindings = encode_filter(f.bindings);
  out += bindings.substr(bindings.find('\n') + 1);
  return out;
}

std::optional<PollFilter> decode_poll_filter(std::string_view text) {
  PollFilter f;
  if (text.substr(0, kQueryFilterFormat.size() + 1) != std::string(kQueryFilterFormat) + "\n") {
    auto bindings = decode_filter(text);
    if (!bindings) return std::nullopt;
    f.bindings = std::move(*bindings);
    return f;
  }
  text.remove_prefix(kQueryFilterFormat.size() + 1);
  const std::size_t eol = text.find('\n');
  if (eol == std::string_view::npos) return std::nullopt;
  const auto fields = split(text.substr(0, eol), '\t');
  if (fields.size() != 3 || fields[0] != "query") return std::nullopt;
  f.query = v11::Query{unescape(fields[1]), Mixed{unescape(fields[2])}};
  auto bindings = decode_filter(std::string(kFilterFormat) + "\n" + std::string(text.substr(eol + 1)));
  if (!bindings) return std::nullopt;
  f.bindings = std::move(*bindings);
  return f;
}

}  // namespace taxii::services
