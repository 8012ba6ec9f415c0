#include "taxii21/resources.hpp"

#include <algorithm>

#include "core/json_writer.hpp"
#include "taxii21/media.hpp"

namespace taxii::taxii21 {
namespace {

void optional_member(JsonWriter& w, std::string_view key, const std::string& value) {
  if (!value.empty()) w.member(key, value);
}

void collection_members(JsonWriter& w, const CollectionView& v) {
  const CollectionConfig& c = *v.config;
  w.member("id", c.id).member("title", c.title);
  optional_member(w, "description", c.description);
  optional_member(w, "alias", c.alias);
  w.member("can_read", v.can_read).member("can_write", v.can_write);
  w.key("media_types").begin_array();
  for (const std::string& m : c.media_types) w.string(m);
  w.end_array();
}

}  // namespace

std::string error_json(const Problem& p) {
  std::string out;
  JsonWriter w(out);
  w.begin_object().member("title", p.title);
  optional_member(w, "description", p.description);
  w.member("http_status", std::to_string(p.status)).end_object();
  return out;
}

std::string discovery_json(const Taxii2Config& c, const std::vector<const ApiRootConfig*>& roots) {
  std::string out;
  JsonWriter w(out);
  w.begin_object().member("title", c.title);
  optional_member(w, "description", c.description);
  optional_member(w, "contact", c.contact);
  const bool default_visible = std::any_of(roots.begin(), roots.end(),
                                           [&](const ApiRootConfig* r) { return r->path == c.default_root; });
  if (!c.default_root.empty() && default_visible) w.member("default", c.default_root);
  if (!roots.empty()) {
    w.key("api_roots").begin_array();
    for (const ApiRootConfig* r : roots) w.string(r->path);
    w.end_array();
  }
  w.end_object();
  return out;
}

std::string api_root_json(const ApiRootConfig& r) {
  std::string out;
  JsonWriter w(out);
  w.begin_object().member("title", r.title);
  optional_member(w, "description", r.description);
  w.key("versions").begin_array().string(kTaxiiMediaType).end_array();
  w.member("max_content_length", static_cast<uint64_t>(r.max_content_length)).end_object();
  return out;
}

void write_collection(std::string& out, const CollectionView& v) {
  JsonWriter w(out);
  w.begin_object();
  collection_members(w, v);
  w.end_object();
}

std::string collection_json(const CollectionView& v) {
  std::string out;
  write_collection(out, v);
  return out;
}

std::string collections_json(std::vector<CollectionView> views) {
  if (views.empty()) return "{}";
  std::sort(views.begin(), views.end(),
            [](const CollectionView& a, const CollectionView& b) { return a.config->id < b.config->id; });
  std::string out = "{\"collections\":[";
  for (std::size_t i = 0; i < views.size(); ++i) {
    if (i > 0) out += ',';
    write_collection(out, views[i]);
  }
  out += "]}";
  return out;
}

bool is_uuid4(const std::string& s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  const char variant = s[19];
  return s[14] == '4' && (variant == '8' || variant == '9' || variant == 'a' || variant == 'b' || variant == 'A' ||
                          variant == 'B');
}

}  // namespace taxii::taxii21
