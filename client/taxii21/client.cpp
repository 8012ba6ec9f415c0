#include "client/taxii21/client.hpp"

#include <algorithm>
#include <utility>

#include "client/errors.hpp"
#include "core/percent.hpp"

namespace taxii::client21 {
namespace {

bool unreserved(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

// A query value percent-encoded; `keep` characters stay (',' separates match values, §3.4).
std::string encode(std::string_view s, std::string_view keep = "") {
  return percent_encode(s, [keep](unsigned char c) { return unreserved(c) || keep.find(char(c)) != std::string_view::npos; });
}

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

std::string with_slash(std::string path) {
  if (path.empty() || path.back() != '/') path += '/';
  return path;
}

// The path of a URL without its query.
std::string_view path_of(const Url& u) {
  std::string_view t = u.target;
  return t.substr(0, t.find('?'));
}

std::optional<std::string> header(const client::HttpResponse& r, std::string_view name) {
  if (const std::string* v = r.headers.find(name)) return *v;
  return std::nullopt;
}

void add_field(Error& e, std::string_view name, const std::optional<std::string>& v) {
  if (v) e.with_detail(std::string(kErrorField) + std::string(name), *v);
}

}  // namespace

std::string encode_segment(std::string_view s) { return encode(s); }

std::string query_string(const Filter& f) {
  std::string q;
  auto param = [&q](std::string_view name, const std::string& value, std::string_view keep = "") {
    q += q.empty() ? '?' : '&';
    q += name;
    q += '=';
    q += encode(value, keep);
  };
  if (f.added_after) param("added_after", *f.added_after);
  if (!f.ids.empty()) param("match%5Bid%5D", joined(f.ids), ",");
  if (!f.types.empty()) param("match%5Btype%5D", joined(f.types), ",");
  if (!f.versions.empty()) param("match%5Bversion%5D", joined(f.versions), ",");
  if (!f.spec_versions.empty()) param("match%5Bspec_version%5D", joined(f.spec_versions), ",");
  if (f.limit) param("limit", std::to_string(*f.limit));
  if (f.next) param("next", *f.next);
  return q;
}

Error error_from_response(const client::HttpResponse& r) {
  const std::string status = "HTTP " + std::to_string(r.status) + (r.reason.empty() ? "" : " " + r.reason);
  auto er = parse_error(r.body);
  if (!er) {
    // No error resource (§3.6: "MAY"): the HTTP status and the start of the body.
    const Error h = client::http_error(r);
    Error e{h.type(), h.message()};
    e.with_detail(std::string(client::kHttpStatusDetail), std::to_string(r.status));
    if (auto id = client::detail_value(h, client::kRequestIdDetail)) e.with_detail(std::string(client::kRequestIdDetail), *id);
    return e;
  }
  std::string msg = status + ": " + er->title;
  if (er->description && !er->description->empty()) msg += ": " + *er->description;
  Error e{client::status_for_http(r.status), std::move(msg)};
  e.with_detail(std::string(client::kHttpStatusDetail), std::to_string(r.status));
  if (const std::string* id = r.headers.find("X-Request-Id")) e.with_detail(std::string(client::kRequestIdDetail), *id);
  add_field(e, "title", er->title);
  add_field(e, "description", er->description);
  add_field(e, "http_status", er->http_status);
  add_field(e, "error_id", er->error_id);
  add_field(e, "error_code", er->error_code);
  add_field(e, "external_details", er->external_details);
  add_field(e, "details", er->details);
  return e;
}

std::vector<StatusDetail> error_fields(const Error& e) {
  std::vector<StatusDetail> out;
  for (const auto& d : e.details())
    if (d.name.rfind(kErrorField, 0) == 0) out.push_back({d.name.substr(kErrorField.size()), d.value});
  return out;
}

Client::Client(std::unique_ptr<client::Transport> transport, Options options, const Clock& clock)
    : transport_(std::move(transport)), opt_(std::move(options)), clock_(clock) {}

Result<client::HttpResponse> Client::exchange(std::string method, const Url& url, std::string body) {
  client::HttpRequest req;
  req.method = std::move(method);
  req.url = url;
  req.headers.add("Accept", std::string(kMediaType));  // §3.1
  if (req.method == "POST") req.headers.add("Content-Type", std::string(kMediaType));
  req.headers.add("User-Agent", opt_.user_agent);
  if (opt_.basic_auth)
    req.headers.add("Authorization", http::basic_authorization(opt_.basic_auth->user, opt_.basic_auth->password));
  req.body = std::move(body);
  if (opt_.trace) opt_.trace(Trace{true, req.method, &req.url, 0, &req.headers, req.body});
  auto r = transport_->post(req);
  if (!r.ok()) return r.error();
  if (opt_.trace) opt_.trace(Trace{false, req.method, &req.url, r->status, &r->headers, r->body});
  if (r->status < 200 || r->status > 299) return error_from_response(*r);
  return r;
}

Result<Discovery> Client::discover(const Url& url) {
  auto r = exchange("GET", url);
  if (!r.ok()) return r.error();
  return parse_discovery(r->body);
}

Result<Url> Client::resolve_root(const Url& url) {
  const std::string_view path = path_of(url);
  if (path != "/taxii2/" && path != "/taxii2") return url;
  auto d = discover(url);
  if (!d.ok()) return d.error();
  if (!d->default_root) {
    std::string roots;
    for (const auto& r : d->api_roots) roots += (roots.empty() ? "" : ", ") + r;
    return client::local_error("the server names no default API root; give an API root's URL" +
                               (roots.empty() ? std::string() : " (" + roots + ")"));
  }
  auto root = http::resolve_url(url, *d->default_root);
  if (!root.ok()) return client::response_error("the default API root '" + *d->default_root + "' is not a URL");
  root->target = with_slash(root->target);
  return root;
}

Result<ApiRoot> Client::api_root(const Url& root) {
  auto r = exchange("GET", root);
  if (!r.ok()) return r.error();
  return parse_api_root(r->body);
}

Result<std::vector<Collection>> Client::collections(const Url& root) {
  auto r = exchange("GET", collection_url(root, ""));
  if (!r.ok()) return r.error();
  return parse_collections(r->body);
}

Result<Collection> Client::collection(const Url& root, std::string_view id) {
  auto r = exchange("GET", collection_url(root, id));
  if (!r.ok()) return r.error();
  return parse_collection(r->body);
}

Result<StatusResource> Client::status(const Url& root, std::string_view status_id) {
  Url u = root;
  u.target = with_slash(std::string(path_of(root))) + "status/" + encode_segment(status_id) + "/";
  auto r = exchange("GET", u);
  if (!r.ok()) return r.error();
  return parse_status(r->body);
}

Result<StatusResource> Client::add(const Url& root, std::string_view collection, std::string envelope) {
  auto r = exchange("POST", objects_url(root, collection), std::move(envelope));
  if (!r.ok()) return r.error();
  return parse_status(r->body);
}

Result<StatusResource> Client::wait(const Url& root, StatusResource s, std::chrono::milliseconds timeout) {
  // §5.5: the client SHOULD poll while pending. 0.25 s, doubling up to 5 s.
  std::chrono::milliseconds pause{250}, waited{0};
  while (!s.complete() && waited < timeout) {
    const auto d = std::min(pause, timeout - waited);
    clock_.sleep_for(d);
    waited += d;
    pause = std::min(pause * 2, std::chrono::milliseconds(5000));
    auto next = status(root, s.id);
    if (!next.ok()) return next.error();
    s = std::move(*next);
  }
  return s;
}

Status Client::remove(const Url& root, std::string_view collection, std::string_view object_id, const Filter& f) {
  Filter only;  // §5.7: match[version] and match[spec_version] only
  only.versions = f.versions;
  only.spec_versions = f.spec_versions;
  Url u = objects_url(root, collection, object_id);
  u.target += query_string(only);
  auto r = exchange("DELETE", u);
  if (!r.ok()) return r.error();
  return ok_status();
}

Result<PagesSummary> Client::pages(const Url& endpoint, PageKind kind, Filter f, bool follow, const ItemSink& sink,
                                   const std::function<void(const PageEvent&)>& on_page) {
  PagesSummary sum;
  int empty_in_a_row = 0;
  for (;;) {
    Url u = endpoint;
    u.target = std::string(path_of(endpoint)) + query_string(f);
    auto r = exchange("GET", u);
    if (!r.ok()) return r.error();
    auto info = parse_page(r->body, kind, sink);
    if (!info.ok()) return info.error();
    PageEvent ev{++sum.pages, *info, r->body.size(), header(*r, "X-TAXII-Date-Added-First"),
                 header(*r, "X-TAXII-Date-Added-Last")};
    sum.items += info->items;
    sum.bytes += r->body.size();
    if (info->items > 0) {
      if (!sum.date_added_first) sum.date_added_first = ev.date_added_first;
      if (ev.date_added_last) sum.date_added_last = ev.date_added_last;
    }
    if (on_page) on_page(ev);
    sum.more = info->more;
    sum.next = info->next;
    if (!info->more || !follow) break;
    // §3.5: more:true followed by an empty page is legal, but not forever.
    empty_in_a_row = info->items == 0 ? empty_in_a_row + 1 : 0;
    if (empty_in_a_row >= 100) return client::response_error("the server answered 100 empty pages with more=true");
    if (info->next) {
      f.next = info->next;
      continue;
    }
    // §3.5: `more` without `next`: continue after the last object's date_added.
    if (!ev.date_added_last || info->items == 0 || ev.date_added_last == f.added_after)
      return client::response_error("the server says there is more (page " + std::to_string(sum.pages) +
                                    ") but gives neither `next` nor a new X-TAXII-Date-Added-Last");
    f.added_after = ev.date_added_last;
    f.next.reset();
    ++sum.fallbacks;
  }
  sum.more = follow ? false : sum.more;
  if (follow) sum.next.reset();
  return sum;
}

Url Client::collection_url(const Url& root, std::string_view collection, std::string_view tail) {
  Url u = root;
  u.target = with_slash(std::string(path_of(root))) + "collections/";
  if (!collection.empty()) u.target += encode_segment(collection) + "/";
  u.target += tail;
  return u;
}

Url Client::objects_url(const Url& root, std::string_view collection, std::string_view object_id) {
  return collection_url(root, collection,
                        object_id.empty() ? std::string("objects/") : "objects/" + encode_segment(object_id) + "/");
}

Url Client::manifest_url(const Url& root, std::string_view collection) {
  return collection_url(root, collection, "manifest/");
}

Url Client::versions_url(const Url& root, std::string_view collection, std::string_view object_id) {
  return collection_url(root, collection, "objects/" + encode_segment(object_id) + "/versions/");
}

}  // namespace taxii::client21
