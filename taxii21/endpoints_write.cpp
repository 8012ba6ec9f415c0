// Add Objects (TAXII 2.1 §5.5) and Get Status (§4.3). A POST is processed at once, in one
// store transaction, and answered 202 with a `complete` status resource (§4.3.1) that names
// every object: successes (added, or a duplicate already stored: A9, "already stored", its
// date_added unchanged) and failures (refused by the STIX 2.1 checks, or the same id and
// version with other content), each with a message. The status is kept for
// taxii2.status_retention after it completed (>= 24 h, §4.3; Interop); a sweep removes older
// ones at most once an hour, on the next POST.
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "core/ids.hpp"
#include "core/json_writer.hpp"
#include "stix21/envelope.hpp"
#include "stix21/timestamps.hpp"
#include "taxii21/endpoints.hpp"
#include "taxii21/rest_app.hpp"

namespace taxii::taxii21 {
namespace {

constexpr int64_t kSweepEveryMicros = 3600LL * 1'000'000;

struct Detail {
  std::string id, version, message;
};

struct Outcome {
  std::vector<Detail> successes, failures;
};

// Spec versions the collection stores, from its media types (§5.2.1): "...;version=2.1".
std::vector<std::string> spec_versions(const CollectionConfig& c) {
  std::vector<std::string> out;
  for (const std::string& m : c.media_types) {
    const std::size_t v = m.find("version=");
    out.push_back(v == std::string::npos ? "2.1" : m.substr(v + 8));
  }
  return out;
}

// status-details need an id and a version (§4.3.1); a refused element may lack both.
Detail failure_detail(const stix21::ObjectFailure& f, std::size_t index) {
  return {f.id.empty() ? "objects[" + std::to_string(index) + "]" : f.id, f.version.empty() ? "unknown" : f.version,
          f.message};
}

std::string status_json(const std::string& id, Timestamp requested, std::size_t total, const Outcome& o) {
  std::string out;
  JsonWriter w(out);
  w.begin_object().member("id", id).member("status", "complete");
  w.member("request_timestamp", stix21::format_taxii_timestamp(requested));
  w.member("total_count", static_cast<uint64_t>(total));
  w.member("success_count", static_cast<uint64_t>(o.successes.size()));
  w.member("failure_count", static_cast<uint64_t>(o.failures.size()));
  w.member("pending_count", static_cast<uint64_t>(0));
  for (const auto& [name, list] : {std::pair{"successes", &o.successes}, std::pair{"failures", &o.failures}}) {
    if (list->empty()) continue;  // lists are never empty (§2)
    w.key(name).begin_array();
    for (const Detail& dt : *list) {
      w.begin_object().member("id", dt.id).member("version", dt.version);
      if (!dt.message.empty()) w.member("message", dt.message);
      w.end_object();
    }
    w.end_array();
  }
  w.end_object();
  return out;
}

// 422 (§5.5): nothing in the envelope is of a spec version the collection stores.
bool unsupported_version_only(const std::vector<stix21::ObjectResult>& results) {
  for (const auto& r : results) {
    const auto* f = std::get_if<stix21::ObjectFailure>(&r);
    if (f == nullptr || f->message.find("spec_version") == std::string::npos) return false;
  }
  return true;
}

// Stores the parsed objects in one transaction; fills the outcome in envelope order.
Status store_objects(const EndpointDeps& d, const Call& call, std::vector<stix21::ObjectResult>& results, Outcome& o) {
  std::vector<storage::NewObject> news;
  std::vector<std::size_t> where;
  for (std::size_t i = 0; i < results.size(); ++i)
    if (auto* n = std::get_if<storage::NewObject>(&results[i])) {
      news.push_back(std::move(*n));
      where.push_back(i);
    }
  std::vector<storage::AddOutcome> added;
  if (!news.empty()) {
    auto r = d.store.add_objects(call.collection->id, news);
    if (!r.ok()) return r.error();
    added = std::move(r).value();
  }
  std::size_t k = 0;
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (const auto* f = std::get_if<stix21::ObjectFailure>(&results[i])) {
      o.failures.push_back(failure_detail(*f, i));
      continue;
    }
    const storage::AddOutcome& a = added.at(k);
    const std::string& id = news.at(k++).id;
    using Kind = storage::AddOutcome::Kind;
    if (a.kind == Kind::Added) o.successes.push_back({id, a.version, ""});
    else if (a.kind == Kind::Duplicate) o.successes.push_back({id, a.version, "already stored; not added again"});
    else o.failures.push_back({id, a.version, "another object with this id and version is stored (STIX 2.1 §3.6)"});
  }
  return Ok{};
}

void sweep_statuses(const EndpointDeps& d, Timestamp now) {
  int64_t last = d.last_sweep->load();
  if (now.micros() - last < kSweepEveryMicros || !d.last_sweep->compare_exchange_strong(last, now.micros())) return;
  const int64_t keep = static_cast<int64_t>(d.config.status_retention.count()) * 1'000'000;
  (void)d.store.expire_statuses(Timestamp::from_micros(now.micros() - keep));
}

}  // namespace

http::Answer add_objects(const EndpointDeps& d, Call& call) {
  const Timestamp requested = d.clock.now();
  stix21::EnvelopeLimits limits;
  limits.spec_versions = spec_versions(*call.collection);
  stix21::EnvelopeResult parsed = stix21::parse_envelope(call.body, limits);
  if (const auto* e = std::get_if<stix21::EnvelopeError>(&parsed)) {
    const int status = stix21::http_status(e->kind);
    return problem_answer({status, status == 413 ? "Payload Too Large" : "Bad Request", e->message});
  }
  auto& results = std::get<std::vector<stix21::ObjectResult>>(parsed);
  if (unsupported_version_only(results))
    return problem_answer({422, "Unprocessable Entity", "no object in the envelope has a spec_version this collection stores"});
  Outcome o;
  if (const Status s = store_objects(d, call, results, o); !s.ok()) {
    call.log.note = s.error().message();
    return problem_answer({500, "Internal Server Error", "the objects could not be stored; nothing was added"});
  }
  storage::StatusRecord rec;
  rec.id = generate_uuid();
  rec.api_root = call.target.root->path;
  rec.owner = call.who.user;
  rec.complete = true;
  rec.request_timestamp = requested;
  rec.updated = d.clock.now();
  rec.body = status_json(rec.id, requested, results.size(), o);
  if (const Status s = d.store.put_status(rec); !s.ok()) call.log.note = "status not kept: " + s.error().message();
  sweep_statuses(d, rec.updated);
  return json_answer(202, std::move(rec.body));
}

// §4.3: only the caller who made the request sees its status, and only under its API root.
http::Answer get_status(const EndpointDeps& d, Call& call) {
  auto s = d.store.get_status(call.target.status_id);
  if (!s.ok()) return problem_answer({500, "Internal Server Error", "the store could not answer"});
  const auto& rec = s.value();
  if (!rec || rec->api_root != call.target.root->path || rec->owner != call.who.user)
    return problem_answer({404, "Not Found", "status not found"});
  return json_answer(200, rec->body);
}

}  // namespace taxii::taxii21
