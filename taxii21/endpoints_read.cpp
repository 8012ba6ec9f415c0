// The paginated GET endpoints (TAXII 2.1 §5.3 manifest, §5.4 objects, §5.6 object, §5.8
// versions) and DELETE (§5.7): URL filters (stix21/query.hpp), keyset pages of at most
// min(limit, taxii2.max_page) rows with `more` and a signed `next` (stix21/cursor.hpp), and
// the X-TAXII-Date-Added-First/Last headers (§3.2). Stored objects are spliced into the
// envelope byte for byte. Decisions (docs/taxii21.md): `next` is sent whenever `more` is
// true, on all four endpoints (A2, A3); both headers are omitted on an empty page (A1);
// versions in date_added order (A15); an object id with no version in the collection is 404,
// one whose versions the filters exclude an empty envelope (A16).
#include <string>
#include <utility>
#include <vector>

#include "core/json_writer.hpp"
#include "stix21/cursor.hpp"
#include "stix21/query.hpp"
#include "stix21/timestamps.hpp"
#include "taxii21/endpoints.hpp"
#include "taxii21/rest_app.hpp"

namespace taxii::taxii21 {
namespace {

using stix21::Endpoint;

// How long a `next` stays usable (A12: long, so that slow clients keep their place).
constexpr int64_t kCursorLifetimeMicros = 7LL * 24 * 3600 * 1'000'000;

struct Page {
  std::vector<storage::StoredObject> rows;
  bool more = false;
  std::string next;
};

Problem bad_request(const std::string& why) { return {400, "Bad Request", why}; }

// The query of this request: the URL filters, the collection, the path's object id.
Result<stix21::ParsedQuery> query_of(const Call& call, Endpoint e) {
  auto parsed = stix21::parse_query(call.query, e);
  if (!parsed.ok()) return parsed.error();
  storage::ObjectQuery& q = parsed.value().query;
  q.collection = call.collection->id;
  if (!call.target.object_id.empty()) q.ids = {std::string(call.target.object_id)};
  if (e == Endpoint::Versions) {  // every version is listed (§5.8)
    q.all_versions = true;
    q.first = q.last = false;
    q.version_keys.clear();
  }
  q.with_body = e == Endpoint::Objects || e == Endpoint::ObjectById;
  return parsed;
}

// One page: rows after the cursor, at most min(limit, max_page), `more` when one more exists.
Result<Page> read_page(const EndpointDeps& d, const Call& call, Endpoint e, stix21::ParsedQuery& pq,
                       const std::string& key) {
  storage::ObjectQuery& q = pq.query;
  const std::string fingerprint = stix21::filter_fingerprint(e, q);
  const Timestamp now = d.clock.now();
  if (pq.has_next) {
    auto after = stix21::decode_cursor(pq.next, fingerprint, call.who.user, now, key);
    if (!after.ok()) return after.error();
    q.after = std::move(after).value();
  }
  const uint64_t cap = pq.has_limit && q.limit < d.config.max_page ? q.limit : d.config.max_page;
  q.limit = cap + 1;
  Page page;
  page.rows.reserve(static_cast<std::size_t>(std::min<uint64_t>(cap, 1024)));
  const Status s = d.store.scan_objects(q, [&](storage::StoredObject& o) {
    if (page.rows.size() == cap) {
      page.more = true;
      return false;
    }
    page.rows.push_back(std::move(o));
    return true;
  });
  if (!s.ok()) return Error::failure(s.error().message());
  if (page.more) {
    const storage::StoredObject& last = page.rows.back();
    page.next = stix21::encode_cursor({last.date_added, last.id, last.version_key}, fingerprint, call.who.user,
                                      Timestamp::from_micros(now.micros() + kCursorLifetimeMicros), key);
  }
  return page;
}

void paging_members(JsonWriter& w, const Page& p) {
  if (p.more) w.member("more", true).member("next", p.next);
  else w.member("more", false);
}

// {} for an empty page, else `more` (and `next`) and the list `key` with one item per row.
template <class WriteItem>
std::string page_json(const Page& p, std::string_view key, WriteItem&& item) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  if (!p.rows.empty()) {
    paging_members(w, p);
    w.key(key).begin_array();
    for (const auto& o : p.rows) item(w, o);
    w.end_array();
  }
  w.end_object();
  return out;
}

std::string body_of(Endpoint e, const Page& p) {
  using Row = storage::StoredObject;
  if (e == Endpoint::Versions) return page_json(p, "versions", [](JsonWriter& w, const Row& o) { w.string(o.version); });
  if (e != Endpoint::Manifest)  // envelope: stored bytes, not re-serialised
    return page_json(p, "objects", [](JsonWriter& w, const Row& o) { w.raw(o.body); });
  return page_json(p, "objects", [](JsonWriter& w, const Row& o) {
    w.begin_object().member("id", o.id).member("date_added", stix21::format_taxii_timestamp(o.date_added));
    w.member("version", o.version).member("media_type", "application/stix+json;version=" + o.spec_version);
    w.end_object();
  });
}

// Whether the collection holds any version of the path's object id (A16).
Result<bool> object_exists(const EndpointDeps& d, const Call& call) {
  storage::ObjectQuery q;
  q.collection = call.collection->id;
  q.ids = {std::string(call.target.object_id)};
  q.all_versions = true;
  q.last = false;
  q.with_body = false;
  q.limit = 1;
  bool found = false;
  const Status s = d.store.scan_objects(q, [&](storage::StoredObject&) { return !(found = true); });
  if (!s.ok()) return s.error();
  return found;
}

http::Answer paged(const EndpointDeps& d, const Call& call, Endpoint e) {
  auto pq = query_of(call, e);
  if (!pq.ok()) return problem_answer(bad_request(pq.error().message()));
  auto page = read_page(d, call, e, pq.value(), d.cursor_key);
  if (!page.ok()) {
    if (page.error().type() == StatusType::BadMessage) return problem_answer(bad_request(page.error().message()));
    return problem_answer({500, "Internal Server Error", "the store could not answer"});
  }
  const Page& p = page.value();
  if (p.rows.empty() && !pq.value().has_next && (e == Endpoint::ObjectById || e == Endpoint::Versions)) {
    auto exists = object_exists(d, call);
    if (!exists.ok()) return problem_answer({500, "Internal Server Error", "the store could not answer"});
    if (!exists.value()) return problem_answer({404, "Not Found", "object not found"});
  }
  http::Answer a = json_answer(200, body_of(e, p));
  if (!p.rows.empty()) {  // §3.2; omitted on an empty page (A1)
    a.headers.emplace_back("X-TAXII-Date-Added-First", stix21::format_taxii_timestamp(p.rows.front().date_added));
    a.headers.emplace_back("X-TAXII-Date-Added-Last", stix21::format_taxii_timestamp(p.rows.back().date_added));
  }
  return a;
}

}  // namespace

http::Answer get_manifest(const EndpointDeps& d, Call& call) { return paged(d, call, Endpoint::Manifest); }
http::Answer get_objects(const EndpointDeps& d, Call& call) { return paged(d, call, Endpoint::Objects); }
http::Answer get_object(const EndpointDeps& d, Call& call) { return paged(d, call, Endpoint::ObjectById); }
http::Answer get_versions(const EndpointDeps& d, Call& call) { return paged(d, call, Endpoint::Versions); }

// §5.7: every version matching match[version] / match[spec_version] (default: all versions,
// A6); nothing matched -> 404; else 200 with the TAXII Content-Type and no body.
http::Answer delete_object(const EndpointDeps& d, Call& call) {
  auto pq = query_of(call, Endpoint::Delete);
  if (!pq.ok()) return problem_answer(bad_request(pq.error().message()));
  auto n = d.store.delete_objects(pq.value().query);
  if (!n.ok()) return problem_answer({500, "Internal Server Error", "the store could not answer"});
  if (n.value() == 0) return problem_answer({404, "Not Found", "object not found"});
  return json_answer(200, "");
}

}  // namespace taxii::taxii21
