#include "bindings/query/query_format.hpp"

#include "bindings/query/default/default_query.hpp"
#include "core/lookup.hpp"
#include "core/status.hpp"

namespace taxii::query {

Status QueryFormatRegistry::add(std::unique_ptr<QueryFormat> format) {
  if (format == nullptr) return Error::failure("null query format");
  const std::string id(format->id());
  if (id.empty()) return Error::failure("query format with an empty id");
  if (by_id_.count(id) != 0) return Error::failure("query format " + id + " is registered twice");
  formats_.push_back(std::move(format));
  by_id_.emplace(id, formats_.back().get());
  return ok_status();
}

const QueryFormat* QueryFormatRegistry::find(std::string_view format_id) const {
  return find_or_null(by_id_, format_id);
}

std::vector<std::string> QueryFormatRegistry::ids() const {
  std::vector<std::string> out;
  for (const auto& f : formats_) out.emplace_back(f->id());
  return out;
}

Result<std::unique_ptr<Predicate>> QueryFormatRegistry::compile(const v11::Query& q) const {
  const QueryFormat* f = find(q.format_id);
  if (f == nullptr) {
    Error e{StatusType::UnsupportedQuery,
            formats_.empty() ? "this service does not support queries"
                             : "query format " + q.format_id + " is not supported"};
    for (const auto& id : ids()) e.with_detail(std::string(detail_name::kSupportedQuery), id);
    return e;
  }
  return f->compile(q);
}

std::vector<v11::SupportedQuery> QueryFormatRegistry::supported_queries() const {
  std::vector<v11::SupportedQuery> out;
  for (const auto& f : formats_) {
    auto s = f->supported_query_info();
    out.insert(out.end(), std::make_move_iterator(s.begin()), std::make_move_iterator(s.end()));
  }
  return out;
}

Status register_builtin_query_formats(QueryFormatRegistry& registry) {
  return registry.add(std::make_unique<tdq::DefaultQueryFormat>());
}

}  // namespace taxii::query
