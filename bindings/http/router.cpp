#include "bindings/http/router.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <random>
#include <string_view>
#include <utility>

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include "core/percent.hpp"

namespace taxii::http {
namespace {

std::string_view path_of(std::string_view target) { return target.substr(0, target.find_first_of("?#")); }

// The prefix matches at a segment boundary: "/api" matches "/api" and "/api/x", not "/apix".
bool prefix_matches(std::string_view path, std::string_view prefix) {
  if (path.compare(0, prefix.size(), prefix) != 0) return false;
  return prefix.empty() || prefix.back() == '/' || path.size() == prefix.size() || path[prefix.size()] == '/';
}

}  // namespace

bool Application::gate(Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse&, const ConnectionInfo&) {
  return false;
}

HttpServer::Refusal Application::refusal(int status, std::string_view reason, const ConnectionInfo&) {
  return text_refusal(status, reason);
}

bool declares_body(const Poco::Net::HTTPServerRequest& r) {
  return r.getChunkedTransferEncoding() || (r.hasContentLength() && r.getContentLength64() != 0);
}

HttpServer::Refusal text_refusal(int status, std::string_view reason) {
  HttpServer::Refusal r;
  r.headers = {{"Content-Type", "text/plain; charset=utf-8"}};
  r.body = "taxiid: " + std::to_string(status) + ": " + std::string(reason) + "\n";
  return r;
}

std::string displayable_path(std::string_view path) {
  return percent_encode(path, [](unsigned char c) { return c >= 0x21 && c <= 0x7e; });
}

void Router::add(std::string path, Match match, std::vector<std::string> methods, Application& app) {
  std::string allow;
  for (const std::string& m : methods) allow += (allow.empty() ? "" : ", ") + m;
  routes_.push_back(Route{std::move(path), match, std::move(methods), std::move(allow), &app});
}

void Router::fallback(std::string method, Application& app) { fallbacks_.push_back(Fallback{std::move(method), &app}); }

// The most specific route for a path: exact (then exact but for a trailing "/"), then the
// longest prefix.
const Router::Route* Router::find(std::string_view path) const {
  if (path.empty() || path.front() != '/') return nullptr;  // "*", absolute-form
  const Route* best = nullptr;
  std::size_t best_rank = 0;
  for (const Route& r : routes_) {
    std::size_t rank = 0;
    if (r.match == Match::Exact) {
      if (path == r.path) rank = SIZE_MAX;
      else if (path.size() == r.path.size() + 1 && path.back() == '/' && path.compare(0, r.path.size(), r.path) == 0)
        rank = SIZE_MAX - 1;
    } else if (prefix_matches(path, r.path)) {
      rank = r.path.size() + 1;
    }
    if (rank > best_rank) {
      best = &r;
      best_rank = rank;
    }
  }
  return best;
}

Router::Decision Router::route(std::string_view method, std::string_view target) const {
  Decision d;
  if (const Route* r = find(path_of(target))) {
    for (const std::string& m : r->methods)
      if (m == method) {
        d.app = r->app;
        return d;
      }
    d.status = 405;
    d.allow = &r->allow;
    return d;
  }
  for (const Fallback& f : fallbacks_)
    if (f.method == method) {
      d.app = f.app;
      return d;
    }
  d.status = 404;
  return d;
}

namespace {

bool usable_request_id(std::string_view id) {
  constexpr std::string_view kPunctuation = "._:/+=@-";
  const auto allowed = [&](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || kPunctuation.find(c) != std::string_view::npos;
  };
  return !id.empty() && id.size() <= 128 && std::all_of(id.begin(), id.end(), allowed);
}

std::string new_request_id() {
  static const std::string prefix = [] {
    std::random_device rd;
    char buf[16];
    std::snprintf(buf, sizeof buf, "%08x", rd());
    return std::string(buf);
  }();
  static std::atomic<uint64_t> next{1};
  return prefix + "-" + std::to_string(next.fetch_add(1, std::memory_order_relaxed));
}

}  // namespace

std::string request_id(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
  std::string id;
  const auto it = request.find("X-Request-Id");
  if (it != request.end() && usable_request_id(it->second)) {
    id = it->second;
  } else {
    id = new_request_id();
    request.set("X-Request-Id", id);
  }
  response.set("X-Request-Id", id);
  return id;
}

void Router::serve(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                   const ConnectionInfo& conn) const {
  request_id(request, response);
  const Decision d = route(request.getMethod(), request.getURI());
  if (d.app != nullptr) return d.app->serve(request, response, conn);
  answer(d, request, response, declares_body(request), conn);
}

bool Router::gate(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                  const ConnectionInfo& conn) const {
  request_id(request, response);
  const Decision d = route(request.getMethod(), request.getURI());
  if (d.app != nullptr) return d.app->gate(request, response, conn);
  answer(d, request, response, /*close=*/true, conn);  // the body is never read
  return true;
}

HttpServer::Refusal Router::refusal(int status, std::string_view reason, const HttpServer::RefusedRequest& request,
                                    const ConnectionInfo& conn) const {
  // The application of the path (whatever the method), else the fallback for the method.
  Application* app = nullptr;
  if (const Route* r = find(path_of(request.target))) app = r->app;
  if (app == nullptr && !request.method.empty()) app = route(request.method, request.target).app;
  if (app != nullptr) return app->refusal(status, reason, conn);
  return text_refusal(status, reason);
}

// The router's own 404 or 405, with a short text body; `close`: the body was not read.
void Router::answer(const Decision& d, Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                    bool close, const ConnectionInfo& conn) const {
  const std::string_view path = path_of(request.getURI());
  std::string body;
  if (d.status == 405) {
    body = "taxiid: 405: " + request.getMethod() + " is not served at " + displayable_path(path) + " (allowed: " +
           *d.allow + ")\n";
  } else {
    body = "taxiid: 404: nothing is served at " + displayable_path(path) + "\n";
  }
  try {
    if (close) response.setKeepAlive(false);
    response.setStatusAndReason(d.status == 405 ? Poco::Net::HTTPResponse::HTTP_METHOD_NOT_ALLOWED
                                                : Poco::Net::HTTPResponse::HTTP_NOT_FOUND);
    if (d.status == 405) response.set("Allow", *d.allow);
    response.setContentType("text/plain; charset=utf-8");
    response.setContentLength64(static_cast<Poco::Int64>(body.size()));
    response.sendBuffer(body.data(), body.size());
  } catch (const std::exception&) {
    response.setKeepAlive(false);  // part of it may have gone out: the connection is closed
  }
  if (log_) {
    try {
      log_(request.getMethod(), path, d.status, request.get("X-Request-Id", ""), conn);
    } catch (...) {
    }
  }
}

}  // namespace taxii::http
