// Router: the applications behind one HttpServer, chosen by request path and method, so that
// TAXII 1.x (POST, XML: TaxiiHandler), a REST/JSON API (GET/POST/DELETE under a prefix) and
// operations endpoints (GET /health) share the listeners.
//
// Routes: a path matched exactly (one trailing "/" tolerated, as TAXII 1.x service paths
// always were) or a prefix (at a segment boundary), with the methods the application takes
// there. The most specific route wins: an exact route over a prefix, a longer prefix over a
// shorter one. The path is the request-target up to "?" or "#", compared byte for byte (no
// percent-decoding, no dot-segment removal: "/a/../b" is not "/b").
//   - a route's path with one of its methods: its application;
//   - a route's path with another method: 405 with Allow (RFC 9110 §15.5.6) listing its
//     methods, and a short text body;
//   - a path no route has: the fallback application for that method, if one is set (TAXII
//     1.x for POST in taxiid: a TAXII client that names a wrong service path reads a NOT_FOUND
//     Status_Message, HTTP 1.0 binding), else 404 with a short text body.
// A request-target that is not a path (absolute-form, "*") has no route.
//
// The engine's three callbacks go through the router: serve() (HttpServer::Handler), gate()
// (HttpServer::Gate: the application's head-only checks and "100 Continue"; the router's own
// 404 and 405 are answered from the head) and refusal() (HttpServer::RefusalBody: the engine's
// own 400/408/413/... carry the body of the application the request was meant for, e.g. TAXII
// 1.x's BAD_MESSAGE Status_Message on its paths; elsewhere a short text).
//
// Cost per request: one scan of the routes with string_view comparisons; no allocation, no
// lock (a 404 or 405 answer allocates its text).
//
// Thread-safety: add() and fallback() before the server starts; afterwards the router is
// read-only and serve() / gate() / refusal() run concurrently on the engine's threads.
// Applications are not owned and must outlive the server.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bindings/http/http_server.hpp"  // also declares Poco's HTTPServerRequest / Response

namespace taxii::http {

// One application behind the router. Implementations are thread-safe (called from every
// worker at once) and do not throw.
class Application {
 public:
  virtual ~Application() = default;
  // The whole exchange (HttpServer::Handler's contract: answer, and read the whole body or
  // set keep-alive off).
  virtual void serve(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                     const ConnectionInfo& conn) = 0;
  // HttpServer::Gate's contract: answers from the head alone and returns true, or returns
  // false to have the body read. Default: nothing to check before the body.
  virtual bool gate(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                    const ConnectionInfo& conn);
  // The body of an answer the engine gives itself for a request meant for this application.
  // Default: a short text naming the status and the reason.
  virtual HttpServer::Refusal refusal(int status, std::string_view reason, const ConnectionInfo& conn);
};

// The request's id (issue #26), for the log line and the `X-Request-Id` answer header: the
// request's own X-Request-Id when a proxy or client set a usable one (1-128 characters of
// [A-Za-z0-9._:/+=@-]), else one made here, unique in this process ("<8 hex of a random
// start>-<counter>"). Stored into the request's X-Request-Id, so the application and a later
// call (the gate, then the whole exchange) see the same; the answer carries it.
std::string request_id(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response);

// A short text/plain body (the router's own answers and the default refusal).
HttpServer::Refusal text_refusal(int status, std::string_view reason);

// Whether the request declares a body (Content-Length other than 0, or chunked): an answer
// that does not read it closes the connection.
bool declares_body(const Poco::Net::HTTPServerRequest& request);

// A path as it may be shown (in a log or an answer): every byte outside printable ASCII
// (0x21-0x7E) percent-encoded, so invalid UTF-8 or control bytes in the request line never
// reach an answer (an XML one would then not be well-formed; found by http_request_fuzz).
std::string displayable_path(std::string_view path);

class Router {
 public:
  enum class Match { Exact, Prefix };

  // REQUIRES: before the server starts. methods: as sent (case-sensitive, RFC 9110 §9.1).
  void add(std::string path, Match match, std::vector<std::string> methods, Application& app);
  // Requests with `method` on a path no route has go to app.
  void fallback(std::string method, Application& app);
  // Called after each answer the router gives itself (404, 405): method, path, status, the
  // request's id.
  using Log = std::function<void(std::string_view method, std::string_view path, int status,
                                 std::string_view request_id, const ConnectionInfo&)>;
  void set_log(Log log) { log_ = std::move(log); }

  // Where a request goes: an application, or the router's own status (404, 405).
  struct Decision {
    Application* app = nullptr;
    int status = 0;                   // app == nullptr: 404 or 405
    const std::string* allow = nullptr;  // 405: the Allow header's value
  };
  Decision route(std::string_view method, std::string_view target) const;

  // Both first give the request its id (request_id()) and put it on the answer.
  void serve(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
             const ConnectionInfo& conn) const;
  bool gate(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
            const ConnectionInfo& conn) const;
  HttpServer::Refusal refusal(int status, std::string_view reason, const HttpServer::RefusedRequest& request,
                              const ConnectionInfo& conn) const;

 private:
  struct Route {
    std::string path;
    Match match;
    std::vector<std::string> methods;
    std::string allow;  // methods joined with ", "
    Application* app;
  };
  struct Fallback {
    std::string method;
    Application* app;
  };
  const Route* find(std::string_view path) const;
  void answer(const Decision& d, Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
              bool close, const ConnectionInfo& conn) const;

  std::vector<Route> routes_;
  std::vector<Fallback> fallbacks_;
  Log log_;
};

}  // namespace taxii::http
