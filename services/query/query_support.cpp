#include "services/query/query_support.hpp"

#include <algorithm>
#include <utility>

namespace taxii::services {

QuerySupport::QuerySupport(const query::QueryFormatRegistry* registry, std::optional<std::vector<std::string>> enabled)
    : registry_(registry), enabled_(std::move(enabled)) {}

bool QuerySupport::enabled(std::string_view id) const {
  if (registry_ == nullptr || registry_->find(id) == nullptr) return false;
  return !enabled_ || std::find(enabled_->begin(), enabled_->end(), id) != enabled_->end();
}

std::vector<std::string> QuerySupport::format_ids() const {
  std::vector<std::string> out;
  if (registry_ == nullptr) return out;
  for (const std::string& id : registry_->ids())
    if (enabled(id)) out.push_back(id);
  return out;
}

std::vector<v11::SupportedQuery> QuerySupport::supported_queries() const {
  std::vector<v11::SupportedQuery> out;
  for (const std::string& id : format_ids()) {
    auto info = registry_->find(id)->supported_query_info();
    out.insert(out.end(), std::make_move_iterator(info.begin()), std::make_move_iterator(info.end()));
  }
  return out;
}

Result<PredicatePtr> QuerySupport::compile(const v11::Query& q) const {
  if (!enabled(q.format_id)) {
    const auto ids = format_ids();
    Error e{StatusType::UnsupportedQuery, ids.empty() ? "this service does not support queries"
                                                      : "query format " + q.format_id + " is not supported"};
    for (const std::string& id : ids) e.with_detail(std::string(detail_name::kSupportedQuery), id);
    return e;
  }
  auto compiled = registry_->compile(q);
  if (!compiled.ok()) return compiled.error();
  return PredicatePtr(std::move(compiled).value());
}

Result<PredicatePtr> QuerySupport::compile_stored(const v11::Query& q) const {
  return compile_stored_query(registry_, q, "query");
}

Result<PredicatePtr> compile_stored_query(const query::QueryFormatRegistry* registry,
                                          const std::optional<v11::Query>& q, const std::string& what) {
  if (!q) return PredicatePtr();
  if (registry == nullptr) return Error::failure(what + ": query format " + q->format_id + " is not available");
  auto compiled = registry->compile(*q);
  if (!compiled.ok()) return Error::failure(what + ": the stored query no longer compiles: " + compiled.error().message());
  return PredicatePtr(std::move(compiled).value());
}

bool block_matches(const query::Predicate* pred, const storage::StoredBlock& b) {
  return pred == nullptr || (pred->can_evaluate(b.binding_id) && pred->matches(b.content));
}

v11::ContentBlock take_content_block(storage::StoredBlock&& b) {
  v11::ContentBlock cb;
  cb.binding_id = std::move(b.binding_id);
  cb.subtype = std::move(b.subtype);
  cb.content.xml = std::move(b.content);
  cb.timestamp_label = b.label;
  cb.message = std::move(b.message);
  return cb;
}

Status scan_matching(storage::ContentStore& store, const storage::ScanQuery& q, const query::Predicate* pred,
                     const std::function<bool(storage::StoredBlock&)>& fn) {
  if (pred == nullptr) return store.scan(q, fn);
  storage::ScanQuery all = q;
  all.limit = 0;  // the limit counts matches, not candidates
  uint64_t seen = 0;
  return store.scan(all, [&](storage::StoredBlock& b) {
    if (!block_matches(pred, b)) return true;
    if (!fn(b)) return false;
    return q.limit == 0 || ++seen < q.limit;
  });
}

Result<uint64_t> count_matching(storage::ContentStore& store, const storage::ScanQuery& q, const query::Predicate* pred) {
  if (pred == nullptr) return store.count(q);
  uint64_t n = 0;
  auto s = scan_matching(store, q, pred, [&](const storage::StoredBlock&) {
    ++n;
    return true;
  });
  if (!s.ok()) return s.error();
  return n;
}

}  // namespace taxii::services
