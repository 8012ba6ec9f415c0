#include "taxii21/rest_app.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <exception>
#include <istream>
#include <utility>

#include <Poco/Exception.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include "taxii21/endpoints.hpp"
#include "taxii21/media.hpp"

namespace taxii::taxii21 {
namespace {

std::string_view header(const http::Request& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (k.size() == name.size() &&
        std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) { return std::tolower(a) == std::tolower(b); }))
      return v;
  return {};
}

// The Content-Length the head declares (the engine has checked its syntax, RFC 9112 §6.3);
// 0 without one (a chunked body is counted while it is read).
uint64_t declared_length(const http::Request& r) {
  const std::string_view v = header(r, "Content-Length");
  uint64_t n = 0;
  const auto res = std::from_chars(v.data(), v.data() + v.size(), n);
  if (res.ec == std::errc::result_out_of_range) return UINT64_MAX;
  return res.ec == std::errc() ? n : 0;
}

// The access policy: the configured permissions of each 2.1 collection; without an auth:
// section everything is open to everyone (docs/taxii21.md, "Accounts and permissions").
auth::AccessPolicy make_policy(const Taxii2Config& c, const RestDeps& d) {
  if (d.authenticator == nullptr) return auth::AccessPolicy(false, {}, auth::Permissions{{"*", "anonymous"}, {"*", "anonymous"}});
  std::map<std::string, auth::Permissions, std::less<>> perms;
  for (const ApiRootConfig& r : c.roots)
    for (const CollectionConfig& col : r.collections)
      if (col.permissions) perms[policy_key(col)] = *col.permissions;
  return auth::AccessPolicy(d.public_discovery, std::move(perms));
}

// 404, or 401 to an anonymous caller of a server with accounts (who might see it with
// credentials): the same text for "absent" and "hidden" (TAXII 2.1 Appendix B).
Problem hidden(const auth::Identity& who, bool accounts, std::string_view what) {
  if (who.anonymous() && accounts) return {401, "Unauthorized", "credentials are required"};
  return {404, "Not Found", std::string(what) + " not found"};
}

}  // namespace

http::Answer json_answer(int status, std::string body) {
  http::Answer a;
  a.status = status;
  a.headers.emplace_back("Content-Type", kTaxiiMediaType);
  a.body = std::move(body);
  return a;
}

http::Answer problem_answer(const Problem& p) {
  http::Answer a = json_answer(p.status, error_json(p));
  // RFC 9110 §11.6.1: one challenge per scheme taxiid accepts (Basic, RFC 7617; API tokens,
  // RFC 6750 §3); client certificates need none.
  if (p.status == 401)
    a.headers.emplace_back("WWW-Authenticate", "Basic realm=\"taxiid\", charset=\"UTF-8\", Bearer realm=\"taxiid\"");
  return a;
}

RestApplication::RestApplication(Taxii2Config config, RestDeps deps)
    : config_(std::move(config)), deps_(std::move(deps)), policy_(make_policy(config_, deps_)) {}

std::vector<std::string> RestApplication::prefixes() const {
  std::vector<std::string> out{config_.prefix.substr(0, config_.prefix.size() - 1)};
  for (const ApiRootConfig& r : config_.roots) out.push_back(r.path.substr(0, r.path.size() - 1));
  return out;
}

std::vector<std::string> RestApplication::methods() { return {"GET", "HEAD", "POST", "DELETE", "PUT", "PATCH", "OPTIONS"}; }

bool RestApplication::root_visible(const auth::Identity& who, const ApiRootConfig& root) const {
  if (root.collections.empty()) return deps_.authenticator == nullptr || !who.anonymous();
  return std::any_of(root.collections.begin(), root.collections.end(), [&](const CollectionConfig& c) {
    return policy_.can_read(who, policy_key(c)) || policy_.can_write(who, policy_key(c));
  });
}

// Authentication (Basic, client certificate: auth/authenticator.hpp), then whether the caller
// may see the API root (discovery: whether it may see anything).
std::optional<Problem> RestApplication::authorize(Call& call) const {
  if (deps_.authenticator != nullptr) {
    auth::Credentials cr;
    cr.authorization = std::string(header(*call.request, "Authorization"));
    cr.https = call.conn->https;
    cr.client_subject = call.conn->client_subject;
    cr.client_names = call.conn->client_names;
    cr.remote = call.conn->remote;
    auth::AuthResult res = deps_.authenticator->authenticate(cr);
    if (res.error) return Problem{401, "Unauthorized", res.error->message()};
    call.who = std::move(res.identity);
  }
  const Target& t = call.target;
  if (t.resource == Resource::Discovery) {
    if (deps_.authenticator != nullptr && call.who.anonymous() && !deps_.public_discovery &&
        std::none_of(config_.roots.begin(), config_.roots.end(),
                     [&](const ApiRootConfig& r) { return root_visible(call.who, r); }))
      return Problem{401, "Unauthorized", "credentials are required"};
    return std::nullopt;
  }
  if (!root_visible(call.who, *t.root)) return hidden(call.who, deps_.authenticator != nullptr, "API root");
  return resolve_collection(call);
}

// The collection named by {id} (its id or alias, TAXII 2.1 §5.2.1) and the caller's rights
// on it; the right the endpoint needs (docs/taxii21.md: 403 when the collection is visible).
std::optional<Problem> RestApplication::resolve_collection(Call& call) const {
  const Target& t = call.target;
  if (t.collection.empty()) return std::nullopt;
  for (const CollectionConfig& c : t.root->collections)
    if (c.id == t.collection || (!c.alias.empty() && c.alias == t.collection)) call.collection = &c;
  if (call.collection == nullptr) return hidden(call.who, deps_.authenticator != nullptr, "collection");
  call.can_read = policy_.can_read(call.who, policy_key(*call.collection));
  call.can_write = policy_.can_write(call.who, policy_key(*call.collection));
  if (!call.can_read && !call.can_write) return hidden(call.who, deps_.authenticator != nullptr, "collection");
  const std::string_view m = call.request->method;
  const bool needs_write = m == "POST" || m == "DELETE";
  const bool needs_read = (t.resource != Resource::Collection && m != "POST") || m == "DELETE";
  if ((needs_write && !call.can_write) || (needs_read && !call.can_read))
    return Problem{403, "Forbidden", std::string("this account may not ") + (needs_write && !call.can_write ? "write to" : "read") +
                                         " this collection"};
  return std::nullopt;
}

std::optional<http::Answer> RestApplication::head_checks(const http::Request& request, const http::ConnectionInfo& conn,
                                                         Call& call) {
  call.request = &request;
  call.conn = &conn;
  call.log.method = request.method;
  call.log.remote = conn.remote;
  call.log.request_id = std::string(header(request, "X-Request-Id"));  // the router's (http::request_id)
  const std::string_view uri(request.uri);
  const std::size_t q = uri.find_first_of("?#");
  const std::string_view path = uri.substr(0, q);
  call.log.path = http::displayable_path(path);
  if (q != std::string_view::npos && uri[q] == '?') call.query = uri.substr(q + 1, uri.find('#', q) - q - 1);
  call.target = route(config_, path);
  if (call.target.resource == Resource::None) return problem_answer({404, "Not Found", "no TAXII 2.1 resource at this path"});
  if (!method_allowed(call.target.resource, request.method)) {
    http::Answer a = problem_answer({405, "Method Not Allowed", request.method + " is not allowed here"});
    a.headers.emplace_back("Allow", allowed_methods(call.target.resource));
    return a;
  }
  if (std::optional<Problem> p = authorize(call)) return problem_answer(*p);
  if (!accepts_taxii21(header(request, "Accept")))
    return problem_answer({406, "Not Acceptable", "this server answers in application/taxii+json;version=2.1 only"});
  if (request.method == "POST") {
    if (!is_taxii21_content(header(request, "Content-Type")))
      return problem_answer({415, "Unsupported Media Type", "send an envelope as application/taxii+json;version=2.1"});
    if (declared_length(request) > call.target.root->max_content_length)
      return problem_answer({413, "Payload Too Large", "the body exceeds max_content_length (" +
                                                           std::to_string(call.target.root->max_content_length) + " octets)"});
  }
  return std::nullopt;
}

// Reads a POST's body, counting: a chunked body over max_content_length is cut short with 413.
std::optional<Problem> RestApplication::read_body(const http::Request& request, Call& call) const {
  if (request.body == nullptr) return std::nullopt;
  const uint64_t max = call.target.root->max_content_length;
  char buf[16384];
  while (*request.body) {
    request.body->read(buf, sizeof buf);
    call.body.append(buf, static_cast<std::size_t>(request.body->gcount()));
    if (call.body.size() > max)
      return Problem{413, "Payload Too Large", "the body exceeds max_content_length (" + std::to_string(max) + " octets)"};
  }
  return std::nullopt;
}

http::Answer RestApplication::discovery(const Call& call) const {
  std::vector<const ApiRootConfig*> roots;
  for (const ApiRootConfig& r : config_.roots)
    if (root_visible(call.who, r)) roots.push_back(&r);
  return json_answer(200, discovery_json(config_, roots));
}

http::Answer RestApplication::collections(const Call& call) const {
  std::vector<CollectionView> views;
  for (const CollectionConfig& c : call.target.root->collections) {
    const bool r = policy_.can_read(call.who, policy_key(c)), w = policy_.can_write(call.who, policy_key(c));
    if (r || w) views.push_back({&c, r, w});
  }
  return json_answer(200, collections_json(std::move(views)));
}

http::Answer RestApplication::dispatch(Call& call) {
  const bool stored = call.target.resource >= Resource::Status && call.target.resource != Resource::Collections &&
                      call.target.resource != Resource::Collection;
  if (stored && deps_.store == nullptr) return problem_answer({503, "Service Unavailable", "no TAXII 2.1 store"});
  const EndpointDeps d{config_, *deps_.store, *deps_.clock, deps_.cursor_key, &last_sweep_};
  switch (call.target.resource) {
    case Resource::Discovery: return discovery(call);
    case Resource::ApiRoot: return json_answer(200, api_root_json(*call.target.root));
    case Resource::Collections: return collections(call);
    case Resource::Collection: return json_answer(200, collection_json({call.collection, call.can_read, call.can_write}));
    case Resource::Status: return get_status(d, call);
    case Resource::Manifest: return get_manifest(d, call);
    case Resource::Versions: return get_versions(d, call);
    case Resource::Objects: return call.request->method == "POST" ? add_objects(d, call) : get_objects(d, call);
    case Resource::Object: return call.request->method == "DELETE" ? delete_object(d, call) : get_object(d, call);
    case Resource::None: break;
  }
  return problem_answer({404, "Not Found", "no TAXII 2.1 resource at this path"});
}

http::Answer RestApplication::answer(const http::Request& request, const http::ConnectionInfo& conn) {
  const auto start = std::chrono::steady_clock::now();
  Call call;
  http::Answer a;
  try {
    if (auto refused = head_checks(request, conn, call)) {
      a = std::move(*refused);
      if (request.body != nullptr) a.keep_alive = false;  // the body is not read
    } else if (request.method != "POST") {
      a = dispatch(call);  // a body has no meaning here (RFC 9110 §9.3.1): not read, the connection closes
      if (request.body != nullptr) a.keep_alive = false;
    } else if (auto p = read_body(request, call)) {
      a = problem_answer(*p);
      a.keep_alive = false;
    } else {
      a = dispatch(call);
    }
  } catch (const std::exception& e) {
    call.log.note = e.what();
    a = problem_answer({500, "Internal Server Error", "the request could not be processed"});
  }
  emit(call, a, start);
  return a;
}

void RestApplication::emit(Call& call, const http::Answer& a, std::chrono::steady_clock::time_point start) const {
  static const char* const kNames[] = {"-",           "discovery", "api-root", "status",  "collections",
                                       "collection", "manifest",  "objects",  "object", "versions"};
  call.log.message_type = std::string("taxii2:") + kNames[static_cast<int>(call.target.resource)];
  call.log.http_status = a.status;
  call.log.outcome = a.status < 400 ? "ok" : "error";
  call.log.bytes_in = call.body.size();
  call.log.bytes_out = a.body.size();
  call.log.duration_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  if (a.status >= 400 && call.log.note.empty()) call.log.note = a.body.substr(0, 200);
  if (deps_.log) {
    try {
      deps_.log(call.log);
    } catch (...) {
    }
  }
}

namespace {

void send(http::Answer& a, Poco::Net::HTTPServerResponse& response) {
  try {
    if (!a.keep_alive) response.setKeepAlive(false);
    response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(a.status));
    for (const auto& [k, v] : a.headers) response.set(k, v);
    response.setContentLength64(static_cast<Poco::Int64>(a.body.size()));
    if (a.body.empty()) response.send();
    else response.sendBuffer(a.body.data(), a.body.size());  // Poco sends no body to HEAD
  } catch (const std::exception&) {
    response.setKeepAlive(false);  // part of it may have gone out
  }
}

}  // namespace

void RestApplication::serve(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                            const http::ConnectionInfo& conn) {
  http::Request r = http::request_from(request);
  if (http::declares_body(request)) r.body = &request.stream();
  http::Answer a = answer(r, conn);
  send(a, response);
}

bool RestApplication::gate(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                           const http::ConnectionInfo& conn) {
  const http::Request r = http::request_from(request);
  Call call;
  const auto start = std::chrono::steady_clock::now();
  std::optional<http::Answer> refused;
  try {
    refused = head_checks(r, conn, call);
  } catch (const std::exception&) {
    refused = problem_answer({500, "Internal Server Error", "the request could not be processed"});
  }
  if (!refused) return false;
  refused->keep_alive = false;  // the body is never read
  emit(call, *refused, start);
  send(*refused, response);
  return true;
}

http::HttpServer::Refusal RestApplication::refusal(int status, std::string_view reason, const http::ConnectionInfo&) {
  http::HttpServer::Refusal r;
  r.headers = {{"Content-Type", kTaxiiMediaType}};
  r.body = error_json({status, std::string(reason), ""});
  return r;
}

}  // namespace taxii::taxii21
