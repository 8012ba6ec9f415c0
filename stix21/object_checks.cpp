#include "stix21/object_checks.hpp"

#include <algorithm>
#include <array>
#include <string_view>
#include <utility>

#include "stix21/canonical.hpp"
#include "stix21/timestamps.hpp"

namespace taxii::stix21 {
namespace {

using simdjson::dom::element;

// STIX 2.1 §6: the STIX Cyber-observable Object types.
constexpr std::array<std::string_view, 18> kScoTypes = {
    "artifact", "autonomous-system", "directory", "domain-name", "email-addr", "email-message",
    "file", "ipv4-addr", "ipv6-addr", "mac-addr", "mutex", "network-traffic", "process",
    "software", "url", "user-account", "windows-registry-key", "x509-certificate"};

// STIX 2.1 §4 (SDOs), §5 (SROs), §7 (meta objects other than marking-definition): created and
// modified are required (STIX 2.1 §3.2 table).
constexpr std::array<std::string_view, 23> kVersionedTypes = {
    "attack-pattern", "campaign", "course-of-action", "grouping", "identity", "incident",
    "indicator", "infrastructure", "intrusion-set", "location", "malware", "malware-analysis",
    "note", "observed-data", "opinion", "report", "threat-actor", "tool", "vulnerability",
    "relationship", "sighting", "language-content", "extension-definition"};

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// RFC 4122 text form with the RFC 4122 variant (STIX 2.1 §2.9: "RFC 4122-compliant"), as the
// OASIS stix2 library checks it; the version digit is not checked (§2.9's v4/v5 are SHOULDs).
bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < 36; ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !is_hex(s[i])) return false;
  }
  const char variant = s[19];
  return variant == '8' || variant == '9' || variant == 'a' || variant == 'b' || variant == 'A' || variant == 'B';
}

// STIX 2.1 §3.1: property names are [a-z0-9_], 3-250 characters; "id" is the one shorter name
// the specification itself defines. Starting with a letter as the STIX 2.1 schemas require.
bool is_property_name(std::string_view s) {
  if (s == "id") return true;
  if (s.size() < 3 || s.size() > 250 || !(s[0] >= 'a' && s[0] <= 'z')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return is_lower_alnum(c) || c == '_'; });
}

template <size_t N>
bool contains(const std::array<std::string_view, N>& list, std::string_view s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

// The members check_object reads; `bad_type` names one that is present but not a string.
struct Core {
  std::optional<std::string_view> type, id, spec_version, created, modified;
  std::string_view bad_type;
};

Core read_core(simdjson::dom::object obj) {
  using Slot = std::optional<std::string_view> Core::*;
  static constexpr std::pair<const char*, Slot> kMembers[] = {
      {"type", &Core::type}, {"id", &Core::id}, {"spec_version", &Core::spec_version},
      {"created", &Core::created}, {"modified", &Core::modified}};
  Core c;
  for (const auto& [name, slot] : kMembers) {
    element v;
    if (obj[name].get(v)) continue;
    if (v.is_string()) {
      c.*slot = std::string_view(v);
    } else if (c.bad_type.empty()) {
      c.bad_type = name;
    }
  }
  return c;
}

ObjectFailure failure(const Core& c, std::string message) {
  ObjectFailure f;
  if (c.id) f.id = std::string(c.id->substr(0, 300));
  if (c.modified) {
    f.version = std::string(c.modified->substr(0, 64));
  } else if (c.created) {
    f.version = std::string(c.created->substr(0, 64));
  }
  f.message = std::move(message);
  return f;
}

// STIX 2.1 §2.16 syntax and the millisecond precision of §3.2 for created/modified.
std::optional<std::string> check_timestamp(const char* name, std::string_view value, std::string& key) {
  const auto t = parse_stix_timestamp(value);
  if (!t) return std::string(name) + " is not a STIX timestamp 'YYYY-MM-DDTHH:MM:SS[.s+]Z' (STIX 2.1 §2.16)";
  if (t->fraction_digits < 3) {
    return std::string(name) + " needs at least millisecond precision, 3 fraction digits (STIX 2.1 §3.2)";
  }
  key = version_key(*t);
  return std::nullopt;
}

// spec_version, created and modified as the object's kind requires (STIX 2.1 §3.2 table,
// §7.2.1; TAXII 2.1 §5.2.1). Fills spec_version, version and version_key of `o`.
std::optional<std::string> check_versioning(const Core& c, const EnvelopeLimits& limits, storage::NewObject& o) {
  const bool known_sco = contains(kScoTypes, o.type);
  const bool sco = known_sco || (!contains(kVersionedTypes, o.type) && o.type != "marking-definition" &&
                                 !c.created && !c.modified);
  const bool marking = o.type == "marking-definition";
  if (c.spec_version) {
    o.spec_version = std::string(*c.spec_version);
  } else {
    o.spec_version = sco ? "2.1" : "2.0";  // an SDO/SRO without it is a STIX 2.0 object (STIX 2.1 §3.2)
  }
  if (std::find(limits.spec_versions.begin(), limits.spec_versions.end(), o.spec_version) ==
      limits.spec_versions.end()) {
    if (!c.spec_version) return std::string("spec_version is required on a ") + o.type + " (STIX 2.1 §3.2)";
    return "spec_version '" + o.spec_version.substr(0, 16) + "' is not accepted by this collection (TAXII 2.1 §5.2.1)";
  }
  if (!sco && !c.created) return std::string("created is required on a ") + o.type + " (STIX 2.1 §3.2)";
  if (!sco && !marking && !c.modified) return std::string("modified is required on a ") + o.type + " (STIX 2.1 §3.2)";
  if (marking && c.modified) {
    return std::string("a marking-definition has no modified; it cannot be versioned (STIX 2.1 §7.2.1)");
  }
  std::string created_key, modified_key;
  if (c.created) {
    if (auto e = check_timestamp("created", *c.created, created_key)) return e;
  }
  if (c.modified) {
    if (auto e = check_timestamp("modified", *c.modified, modified_key)) return e;
    if (c.created && modified_key < created_key) {
      return std::string("modified is earlier than created (STIX 2.1 §3.2)");
    }
  }
  if (c.modified) {
    o.version = std::string(*c.modified);
    o.version_key = modified_key;
  } else if (c.created) {
    o.version = std::string(*c.created);
    o.version_key = created_key;
  }
  return std::nullopt;
}

// type and id (STIX 2.1 §2.9, §3.1, §8), then the top-level property names (STIX 2.1 §3.1).
std::optional<std::string> check_identity(const Core& c, simdjson::dom::object obj) {
  if (!c.type) return std::string("type is missing (STIX 2.1 §3.2)");
  if (!is_type_name(*c.type)) {
    return std::string("type must be 3-250 characters of a-z, 0-9 and '-', starting with a letter (STIX 2.1 §3.1)");
  }
  if (*c.type == "bundle") {
    return std::string("a bundle is not a STIX object; send its objects (TAXII 2.1 §3.7, STIX 2.1 §8)");
  }
  if (!c.id) return std::string("id is missing (STIX 2.1 §3.2)");
  if (!is_identifier(*c.id)) return std::string("id must be '<type>--<UUID>' (STIX 2.1 §2.9)");
  if (c.id->substr(0, c.id->size() - 38) != *c.type) {
    return std::string("id must start with the object's type (STIX 2.1 §2.9)");
  }
  for (auto field : obj) {
    if (!is_property_name(field.key)) {
      return "property name '" + std::string(field.key.substr(0, 100)) +
             "' must be 3-250 characters of a-z, 0-9 and '_', starting with a letter (STIX 2.1 §3.1)";
    }
  }
  return std::nullopt;
}

}  // namespace

bool is_sco_type(std::string_view type) { return contains(kScoTypes, type); }

bool is_type_name(std::string_view s) {
  if (s.size() < 3 || s.size() > 250 || !(s[0] >= 'a' && s[0] <= 'z')) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '-') {
      if (s[i - 1] == '-') return false;  // "--" separates type and UUID in an identifier
    } else if (!is_lower_alnum(s[i])) {
      return false;
    }
  }
  return true;
}

bool is_identifier(std::string_view s) {
  if (s.size() < 3 + 2 + 36) return false;
  return s.substr(s.size() - 38, 2) == "--" && is_uuid(s.substr(s.size() - 36)) &&
         is_type_name(s.substr(0, s.size() - 38));
}

ObjectResult check_object(element item, const EnvelopeLimits& limits) {
  if (!item.is_object()) return ObjectFailure{"", "", "not a JSON object (TAXII 2.1 §3.7)"};
  const simdjson::dom::object obj(item);
  const Core c = read_core(obj);
  if (!c.bad_type.empty()) return failure(c, std::string(c.bad_type) + " must be a string (STIX 2.1 §3.2)");
  storage::NewObject o;
  o.body = simdjson::minify(item);
  if (o.body.size() > limits.max_object_bytes) {
    return failure(c, "the object has " + std::to_string(o.body.size()) + " bytes; this server takes at most " +
                          std::to_string(limits.max_object_bytes));
  }
  std::string canonical, error;
  canonical.reserve(o.body.size());
  if (!canonical_json(item, canonical, error)) return failure(c, error);
  if (auto e = check_identity(c, obj)) return failure(c, *e);
  o.type = std::string(*c.type);
  o.id = std::string(*c.id);
  if (auto e = check_versioning(c, limits, o)) return failure(c, *e);
  o.digest = sha256_hex(canonical);
  return o;
}

}  // namespace taxii::stix21
