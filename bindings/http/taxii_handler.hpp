// TaxiiHandler: the server side of the TAXII HTTP/HTTPS protocol binding
// (HTTP Binding 1.0 §2-5) for one HTTP exchange: method, body size, path, X-TAXII-* headers (taxii_headers.hpp),
// authentication before the body is read, parsing with the XML message binding, handing the
// message to the TaxiiApplication, and the answer with the four TAXII headers and a
// Content-Length (keep-alive works).
//
// The logic is socket-free: answer() takes a Request (method, URI, headers, a stream with the
// body) and returns an Answer (status, headers, body, keep-alive); operator() is the thin
// adapter between the connection engine's Poco request/response and answer(). The libFuzzer
// target tests/fuzz/http_request_fuzz drives answer() in-process (docs/security.md).
//
// HTTP status codes (decisions; docs/server.md). TAXII errors are Status_Messages in an
// HTTP 200 (HTTP 1.0 §4), answered in the request's version with in_response_to = the
// request's message_id, or "0" when it is unknown (docs/spec-notes.md P12); after a header error
// the body is still parsed with the named binding, if any, just to echo its message_id.
// Non-200 only where no TAXII service is reached:
//   405 (+ Allow: POST, text body)       any method but POST (behind taxiid's router the
//                                        router answers it first, with the same status and Allow)
//   404 + NOT_FOUND status, ITEM=path   no service at that path (a trailing "/" is tolerated)
//   413 + BAD_MESSAGE status            body over max_body_bytes; reading stops, the
//                                        connection closes (HTTP 1.0 §5.1 maps 413 to BAD_MESSAGE)
//   411 + BAD_MESSAGE status            POST with neither Content-Length nor chunked body
//   400 (no body)                       malformed HTTP (from the engine)
//   500 (no body)                       nothing could be serialized at all (never expected)
// Authentication before the body (issue #7, docs/security.md): TaxiiApplication::admit() sees
// the head only. When it refuses (credentials offered and refused, or none offered where the
// service cannot be used anonymously) the answer is that UNAUTHORIZED status in an HTTP 200
// (in_response_to "0": the body is never read), or the 404 for an unknown path, and the
// connection closes; no "100 Continue" is sent.
// The handler never throws: anything unexpected becomes a FAILURE status and a log line.
//
// Thread-safe: one instance serves every worker thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/identity.hpp"
#include "bindings/http/http_server.hpp"
#include "bindings/http/router.hpp"
#include "bindings/xml/message_binding.hpp"
#include "core/message.hpp"
#include "core/result.hpp"

namespace Poco::Net {
class HTTPRequest;
}  // namespace Poco::Net

namespace taxii::http {

// What the application learns about a request besides the message.
struct RequestInfo {
  std::string request_id;
  std::string path;
  std::string protocol_binding;  // urn::kProtocolHttp / kProtocolHttps (the transport)
  std::string remote;
  std::string client_subject;    // verified TLS client certificate subject, if any
  std::vector<std::string> client_names;  // and its DNS subjectAltNames
  std::string authorization;     // the Authorization header (credentials; never logged)
  bool https = false;            // the request came over HTTPS (BoundListener::https)
  // Set by TaxiiApplication::admit() before the body is read (the application's own record
  // of who asked; the binding does not interpret it).
  auth::Identity who;                 // anonymous when no credentials were offered
  std::optional<Error> auth_error;    // credentials offered but refused
};

// The TAXII application behind the binding (the server wires services::Dispatcher here).
// Implementations are thread-safe and do not throw.
class TaxiiApplication {
 public:
  virtual ~TaxiiApplication() = default;
  virtual bool has_path(std::string_view path) const = 0;
  // Called with the request head only, before the body is read: authenticates the offered
  // credentials into info.who / info.auth_error and says whether the body may be read at all
  // (nullopt), or the error to answer instead (UNAUTHORIZED). `path` may name no service.
  virtual std::optional<Error> admit(std::string_view /*path*/, RequestInfo& /*info*/) { return std::nullopt; }
  // The answer to a parsed request, in the request's version (a response or a Status_Message).
  virtual Message handle(std::string_view path, const Message& request, const RequestInfo& info) = 0;
  // A Status_Message in version v for an error found by the binding.
  virtual Message status(const Error& e, Version v, const std::string& in_response_to) = 0;
};

// One structured log line per exchange.
struct RequestLog {
  std::string request_id;
  std::string remote;
  std::string method;
  std::string path;
  std::string message_type = "-";  // the request's root element, if parsed
  std::string outcome = "-";       // status_type of a Status_Message, else the response type
  int http_status = 0;
  double duration_ms = 0;
  std::size_t bytes_in = 0;
  std::size_t bytes_out = 0;
  std::string note;                // the status message text, or what went wrong
};

// One HTTP request as the binding sees it, without a socket.
struct Request {
  std::string method;
  std::string uri;                                            // request target, e.g. "/services/poll"
  std::vector<std::pair<std::string, std::string>> headers;  // as received, in order
  // The body after transfer decoding (chunked framing removed), read only once the head is
  // accepted; nullptr: no body stream (an empty body).
  std::istream* body = nullptr;
  // Sends "100 Continue" (Expect: 100-continue) right before the body is read; may be empty.
  std::function<void()> send_continue;
};

// The Poco head as a Request (headers in order; body and send_continue left for the caller).
Request request_from(const Poco::Net::HTTPRequest& head);

// The answer to one Request.
struct Answer {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Length / Connection
  std::string body;
  bool keep_alive = true;  // false: the connection closes after the answer (the body may be unread)
  // Only on the server's own path (operator() over a plain connection), for a Poll_Response:
  // the body as an envelope and views of `held`, the answer message, which the Answer keeps
  // alive (xml::SegmentedBody); `body` is then empty.
  std::optional<xml::SegmentedBody> segmented;
  std::shared_ptr<const Message> held;
  std::size_t size() const { return segmented ? segmented->size() : body.size(); }  // on the wire
};

struct HandlerOptions {
  std::size_t max_body_bytes = 10u << 20;
  xml::ParseLimits parse_limits{};  // max_bytes is raised to max_body_bytes
  // true: an absent Content-Type, X-TAXII-Services or X-TAXII-Protocol is inferred
  // (HeaderMode::Lenient, taxii_headers.hpp); false: refused, as HTTP 1.0 §2 requires them.
  bool lenient_headers = false;
};

// The TAXII 1.x application behind the router (router.hpp): serve() is operator(), gate()
// and refusal() are its own.
class TaxiiHandler final : public Application {
 public:
  using Log = std::function<void(const RequestLog&)>;
  TaxiiHandler(TaxiiApplication& app, HandlerOptions options, Log log);

  // The answer to one request, and its log line. Never throws; no socket needed.
  Answer answer(const Request& request, const ConnectionInfo& conn);

  // The HttpServer::Handler: answer() over Poco's request and response. Never throws.
  void operator()(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                  const ConnectionInfo& conn);
  void serve(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
             const ConnectionInfo& conn) override {
    (*this)(request, response, conn);
  }

  // The HttpServer::Gate: the checks that need only the head (method, framing, path,
  // authentication, declared size), run while the body is still arriving. Answers (and
  // returns true) when the request is refused from its head alone; false: the engine reads
  // the body and then calls operator(). Never throws.
  bool gate(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
            const ConnectionInfo& conn) override;

  // The HttpServer::RefusalBody: a TAXII 1.1 BAD_MESSAGE Status_Message (in_response_to "0")
  // for an answer the engine gives itself (a head refused by RFC 9112's rules, a request too
  // slow), logged like any exchange. Never throws.
  HttpServer::Refusal refusal(int status, std::string_view reason, const ConnectionInfo& conn) override;

 private:
  struct Exchange;
  Answer respond(const Request& request, const ConnectionInfo& conn, Exchange& x);
  struct Head;
  void process(const Request& request, const ConnectionInfo& conn, Exchange& x, Answer& out);
  void head_answer(const Head& h, const ConnectionInfo& conn, Exchange& x, Answer& out);
  void body_answer(const Request& request, const Head& h, const RequestInfo& info, const ConnectionInfo& conn,
                   Exchange& x, Answer& out);
  // With `owner` (the message m is), an answer with content may keep its content where it
  // is (Answer::inserts).
  void message_answer(Answer& out, int http_status, const Message& m, const ConnectionInfo& conn, Exchange& x,
                      std::shared_ptr<const Message> owner = nullptr);
  void status_answer(Answer& out, int http_status, const Error& e, Version v, const std::string& in_response_to,
                     const ConnectionInfo& conn, Exchange& x);
  void send_answer(Answer& a, Poco::Net::HTTPServerResponse& response, const ConnectionInfo& conn, Exchange& x);
  void emit(Exchange& x);

  TaxiiApplication& app_;
  HandlerOptions options_;
  Log log_;
  std::atomic<uint64_t> next_id_{1};
};

}  // namespace taxii::http
