#include "taxii21/endpoints.hpp"

#include "taxii21/rest_app.hpp"

namespace taxii::taxii21 {
namespace {

http::Answer store_failure() {
  return problem_answer({500, "Internal Server Error", "the store could not answer"});
}

}  // namespace

// §4.3: only the caller who made the request sees its status, and only under its API root.
http::Answer get_status(const EndpointDeps& d, Call& call) {
  auto s = d.store.get_status(call.target.status_id);
  if (!s.ok()) return store_failure();
  const auto& rec = s.value();
  if (!rec || rec->api_root != call.target.root->path || rec->owner != call.who.user)
    return problem_answer({404, "Not Found", "status not found"});
  return json_answer(200, rec->body);
}

http::Answer get_manifest(const EndpointDeps&, Call&) { return problem_answer({501, "Not Implemented", "not yet"}); }
http::Answer get_objects(const EndpointDeps&, Call&) { return problem_answer({501, "Not Implemented", "not yet"}); }
http::Answer add_objects(const EndpointDeps&, Call&) { return problem_answer({501, "Not Implemented", "not yet"}); }
http::Answer get_object(const EndpointDeps&, Call&) { return problem_answer({501, "Not Implemented", "not yet"}); }
http::Answer delete_object(const EndpointDeps&, Call&) { return problem_answer({501, "Not Implemented", "not yet"}); }
http::Answer get_versions(const EndpointDeps&, Call&) { return problem_answer({501, "Not Implemented", "not yet"}); }

}  // namespace taxii::taxii21
