// TaxiiHandler: the server side of the TAXII HTTP/HTTPS protocol binding (HTTP 1.0; PROTOCOL.md
// §9) for one HTTP exchange: method, body size, path, X-TAXII-* headers (taxii_headers.hpp),
// parsing with the XML message binding, handing the message to the TaxiiApplication, and
// writing the answer with the four TAXII headers and a Content-Length (keep-alive works).
//
// HTTP status codes (decisions; docs/server.md). TAXII errors are Status_Messages in an
// HTTP 200 (HTTP 1.0 §4), answered in the request's version with in_response_to = the
// request's message_id, or "0" when it is unknown (PROTOCOL.md §12.12); after a header error
// the body is still parsed with the named binding, if any, just to echo its message_id.
// Non-200 only where no TAXII service is reached:
//   405 (+ Allow: POST, text body)       any method but POST
//   404 + NOT_FOUND status, ITEM=path   no service at that path (a trailing "/" is tolerated)
//   413 + BAD_MESSAGE status            body over max_body_bytes; reading stops, the
//                                        connection closes (HTTP 1.0 §5.1 maps 413 to BAD_MESSAGE)
//   411 + BAD_MESSAGE status            POST with neither Content-Length nor chunked body
//   400 (no body)                       malformed HTTP (from the engine)
//   500 (no body)                       nothing could be serialized at all (never expected)
// The handler never throws: anything unexpected becomes a FAILURE status and a log line.
//
// Thread-safe: one instance serves every worker thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "bindings/http/http_server.hpp"
#include "bindings/xml/message_binding.hpp"
#include "core/message.hpp"
#include "core/result.hpp"

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
};

// The TAXII application behind the binding (the server wires services::Dispatcher here).
// Implementations are thread-safe and do not throw.
class TaxiiApplication {
 public:
  virtual ~TaxiiApplication() = default;
  virtual bool has_path(std::string_view path) const = 0;
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

struct HandlerOptions {
  std::size_t max_body_bytes = 10u << 20;
  xml::ParseLimits parse_limits{};  // max_bytes is raised to max_body_bytes
};

class TaxiiHandler {
 public:
  using Log = std::function<void(const RequestLog&)>;
  TaxiiHandler(TaxiiApplication& app, HandlerOptions options, Log log);

  // The HttpServer::Handler. Never throws.
  void operator()(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                  const ConnectionInfo& conn);

 private:
  struct Exchange;
  void process(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
               const ConnectionInfo& conn, Exchange& x);
  void send_message(Poco::Net::HTTPServerResponse& response, int http_status, const Message& m,
                    const ConnectionInfo& conn, Exchange& x);
  void send_status(Poco::Net::HTTPServerResponse& response, int http_status, const Error& e, Version v,
                   const std::string& in_response_to, const ConnectionInfo& conn, Exchange& x);

  TaxiiApplication& app_;
  HandlerOptions options_;
  Log log_;
  std::atomic<uint64_t> next_id_{1};
};

}  // namespace taxii::http
