#include "client/taxii21/resources.hpp"

#include <simdjson.h>

#include "client/errors.hpp"

namespace taxii::client21 {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

// One parser per thread, reused: its buffers grow to the largest page seen and stay.
// Pages have their own, so that a sink may parse its items with the other.
simdjson::dom::parser& parser(bool page = false) {
  thread_local simdjson::dom::parser p, pages;
  return page ? pages : p;
}

Result<object> parse_object(std::string_view json, std::string_view what, bool page = false) {
  element doc;
  if (auto err = parser(page).parse(json.data(), json.size()).get(doc))
    return client::response_error("the " + std::string(what) + " is not JSON (" + simdjson::error_message(err) + ")");
  object obj;
  if (doc.get_object().get(obj)) return client::response_error("the " + std::string(what) + " is not a JSON object");
  return obj;
}

Error missing(std::string_view what, std::string_view key, std::string_view type) {
  return client::response_error("the " + std::string(what) + " has no " + std::string(type) + " '" + std::string(key) +
                                "' (TAXII 2.1 requires it)");
}

// Optional string property; a present property of another type is taken as absent.
std::optional<std::string> opt_string(const object& o, std::string_view key) {
  std::string_view v;
  if (o[key].get(v)) return std::nullopt;
  return std::string(v);
}

bool req_string(const object& o, std::string_view key, std::string& out) {
  auto v = opt_string(o, key);
  if (!v) return false;
  out = std::move(*v);
  return true;
}

bool opt_bool(const object& o, std::string_view key, bool fallback) {
  bool b = fallback;
  if (o[key].get(b)) return fallback;
  return b;
}

// Counts are integers (TAXII 2.1 §2); a negative or non-integer value is absent.
std::optional<uint64_t> opt_count(const object& o, std::string_view key) {
  uint64_t n = 0;
  if (o[key].get(n)) return std::nullopt;
  return n;
}

std::vector<std::string> string_list(const object& o, std::string_view key) {
  std::vector<std::string> out;
  simdjson::dom::array a;
  if (o[key].get(a)) return out;
  for (element e : a) {
    std::string_view s;
    if (!e.get(s)) out.emplace_back(s);
  }
  return out;
}

Result<Collection> collection_of(const object& o) {
  Collection c;
  if (!req_string(o, "id", c.id)) return missing("collection", "id", "string");
  if (!req_string(o, "title", c.title)) return missing("collection", "title", "string");
  c.description = opt_string(o, "description");
  c.alias = opt_string(o, "alias");
  c.can_read = opt_bool(o, "can_read", false);
  c.can_write = opt_bool(o, "can_write", false);
  c.media_types = string_list(o, "media_types");
  return c;
}

std::vector<StatusDetails> details_list(const object& o, std::string_view key) {
  std::vector<StatusDetails> out;
  simdjson::dom::array a;
  if (o[key].get(a)) return out;
  for (element e : a) {
    object d;
    if (e.get(d)) continue;
    StatusDetails sd;
    sd.id = opt_string(d, "id").value_or("");
    sd.version = opt_string(d, "version").value_or("");
    sd.message = opt_string(d, "message");
    out.push_back(std::move(sd));
  }
  return out;
}

}  // namespace

std::string_view items_key(PageKind k) { return k == PageKind::Versions ? "versions" : "objects"; }

Result<Discovery> parse_discovery(std::string_view json) {
  auto o = parse_object(json, "discovery resource");
  if (!o.ok()) return o.error();
  Discovery d;
  if (!req_string(*o, "title", d.title)) return missing("discovery resource", "title", "string");
  d.description = opt_string(*o, "description");
  d.contact = opt_string(*o, "contact");
  d.default_root = opt_string(*o, "default");
  d.api_roots = string_list(*o, "api_roots");
  return d;
}

Result<ApiRoot> parse_api_root(std::string_view json) {
  auto o = parse_object(json, "api-root resource");
  if (!o.ok()) return o.error();
  ApiRoot r;
  if (!req_string(*o, "title", r.title)) return missing("api-root resource", "title", "string");
  r.description = opt_string(*o, "description");
  r.versions = string_list(*o, "versions");
  auto max = opt_count(*o, "max_content_length");
  if (!max) return missing("api-root resource", "max_content_length", "integer");
  r.max_content_length = *max;
  return r;
}

Result<std::vector<Collection>> parse_collections(std::string_view json) {
  auto o = parse_object(json, "collections resource");
  if (!o.ok()) return o.error();
  std::vector<Collection> out;
  simdjson::dom::array a;
  if ((*o)["collections"].get(a)) return out;  // {} = no collections (TAXII 2.1 §5.1.1)
  for (element e : a) {
    object c;
    if (e.get(c)) return client::response_error("an entry of 'collections' is not an object");
    auto col = collection_of(c);
    if (!col.ok()) return col.error();
    out.push_back(std::move(*col));
  }
  return out;
}

Result<Collection> parse_collection(std::string_view json) {
  auto o = parse_object(json, "collection resource");
  if (!o.ok()) return o.error();
  return collection_of(*o);
}

Result<StatusResource> parse_status(std::string_view json) {
  auto o = parse_object(json, "status resource");
  if (!o.ok()) return o.error();
  StatusResource s;
  if (!req_string(*o, "id", s.id)) return missing("status resource", "id", "string");
  if (!req_string(*o, "status", s.status)) return missing("status resource", "status", "string");
  s.request_timestamp = opt_string(*o, "request_timestamp");
  auto total = opt_count(*o, "total_count");
  if (!total) return missing("status resource", "total_count", "integer");
  s.total_count = *total;
  s.successes = details_list(*o, "successes");
  s.failures = details_list(*o, "failures");
  s.pendings = details_list(*o, "pendings");
  // The counts are required (§4.3.1); a server that leaves one out is read by its list.
  s.success_count = opt_count(*o, "success_count").value_or(s.successes.size());
  s.failure_count = opt_count(*o, "failure_count").value_or(s.failures.size());
  s.pending_count = opt_count(*o, "pending_count").value_or(s.pendings.size());
  return s;
}

std::optional<ErrorResource> parse_error(std::string_view json) {
  auto o = parse_object(json, "error resource");
  if (!o.ok()) return std::nullopt;
  ErrorResource e;
  if (!req_string(*o, "title", e.title)) return std::nullopt;
  e.description = opt_string(*o, "description");
  e.error_id = opt_string(*o, "error_id");
  e.error_code = opt_string(*o, "error_code");
  e.external_details = opt_string(*o, "external_details");
  // http_status is a string (§3.6.1); some servers send a number.
  e.http_status = opt_string(*o, "http_status");
  if (uint64_t n = 0; !e.http_status && !(*o)["http_status"].get(n)) e.http_status = std::to_string(n);
  object details;
  if (!(*o)["details"].get(details)) e.details = simdjson::minify(details);
  return e;
}

Result<ManifestRecord> parse_manifest_record(std::string_view json) {
  auto o = parse_object(json, "manifest-record");
  if (!o.ok()) return o.error();
  ManifestRecord r;
  if (!req_string(*o, "id", r.id)) return missing("manifest-record", "id", "string");
  r.date_added = opt_string(*o, "date_added").value_or("");
  r.version = opt_string(*o, "version").value_or("");
  r.media_type = opt_string(*o, "media_type");
  return r;
}

Result<PageInfo> parse_page(std::string_view json, PageKind kind, const ItemSink& sink) {
  const char* what = kind == PageKind::Objects ? "envelope" : kind == PageKind::Manifest ? "manifest" : "versions resource";
  auto o = parse_object(json, what, true);
  if (!o.ok()) return o.error();
  PageInfo p;
  p.more = opt_bool(*o, "more", false);
  p.next = opt_string(*o, "next");
  simdjson::dom::array a;
  if ((*o)[items_key(kind)].get(a)) return p;  // {} = nothing (§3.7, §5.3.1, §5.8.1)
  std::string item;
  for (element e : a) {
    item = simdjson::minify(e);
    ++p.items;
    if (auto st = sink(item); !st.ok()) return st.error();
  }
  return p;
}

}  // namespace taxii::client21
