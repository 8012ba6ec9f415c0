#include "bindings/http/taxii_handler.hpp"

#include <algorithm>
#include <chrono>
#include <exception>
#include <istream>
#include <variant>

#include <Poco/Exception.h>
#include <Poco/String.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include "bindings/http/taxii_headers.hpp"
#include "core/urn.hpp"

namespace taxii::http {

using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

struct TaxiiHandler::Exchange {
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  RequestLog log;
};

namespace {

// The root element's @message_id of a body that could not be mapped to a message (wrong
// headers, unknown path, a rule broken): Services 1.1 §4.1.1 wants in_response_to to name
// the request; "0" only when none can be read (PROTOCOL.md §12.12). A plain scan of the
// root start tag, not a parse: it runs on bodies already known to be wrong, so it must be
// cheap and touch no parser state. A 1.0 answer needs digits.
std::string readable_message_id(std::string_view body, Version answer, const xml::ParseLimits& /*limits*/) {
  size_t i = 0;
  // Skip the prolog: BOM, XML declaration, comments, PIs, whitespace. No DOCTYPE.
  if (body.substr(0, 3) == "\xEF\xBB\xBF") i = 3;
  while (i < body.size()) {
    if (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' || body[i] == '\n') {
      ++i;
    } else if (body.compare(i, 4, "<!--") == 0) {
      const size_t e = body.find("-->", i + 4);
      if (e == std::string_view::npos) return "0";
      i = e + 3;
    } else if (body.compare(i, 2, "<?") == 0) {
      const size_t e = body.find("?>", i + 2);
      if (e == std::string_view::npos) return "0";
      i = e + 2;
    } else {
      break;
    }
  }
  if (i >= body.size() || body[i] != '<') return "0";
  const size_t end = body.find('>', i);
  if (end == std::string_view::npos) return "0";
  const std::string_view tag = body.substr(i, end - i);
  // Only a TAXII root names a request (its namespace is declared on it in every message seen).
  if (tag.find(urn::kNsXml10) == std::string_view::npos) return "0";
  for (size_t p = tag.find("message_id"); p != std::string_view::npos; p = tag.find("message_id", p + 1)) {
    const char before = tag[p - 1];
    if (before != ' ' && before != '\t' && before != '\r' && before != '\n') continue;
    size_t q = p + 10;
    while (q < tag.size() && (tag[q] == ' ' || tag[q] == '\t')) ++q;
    if (q >= tag.size() || tag[q] != '=') continue;
    ++q;
    while (q < tag.size() && (tag[q] == ' ' || tag[q] == '\t')) ++q;
    if (q >= tag.size() || (tag[q] != '"' && tag[q] != '\'')) return "0";
    const size_t close = tag.find(tag[q], q + 1);
    if (close == std::string_view::npos) return "0";
    const std::string_view id = tag.substr(q + 1, close - q - 1);
    if (id.empty() || id.size() > 256 || id.find_first_of("<&\r\n\t") != std::string_view::npos) return "0";
    if (answer == Version::V10 && id.find_first_not_of("0123456789") != std::string_view::npos) return "0";
    return std::string(id);
  }
  return "0";
}

enum class Body { Ok, TooLarge, NoLength, Truncated };

Body read_body(HTTPServerRequest& req, HTTPServerResponse& resp, std::size_t max, std::string& out) {
  constexpr std::size_t kChunk = 64 * 1024;
  std::istream& in = req.stream();
  const bool chunked = req.getChunkedTransferEncoding();
  if (!chunked && !req.hasContentLength()) return Body::NoLength;
  std::size_t want = max + 1;  // chunked: read until EOF, but never past the limit
  if (!chunked) {
    const auto n = req.getContentLength64();
    if (n < 0) return Body::NoLength;
    if (static_cast<uint64_t>(n) > max) return Body::TooLarge;
    want = static_cast<std::size_t>(n);
  }
  // HTTP/1.1 §8.2.3: ask for the body only once we know we will read it.
  if (req.getExpectContinue()) resp.sendContinue();
  out.clear();
  out.reserve(std::min<std::size_t>(want, 1u << 20));
  char buf[kChunk];
  while (out.size() < want) {
    in.read(buf, static_cast<std::streamsize>(std::min(kChunk, want - out.size())));
    const auto got = static_cast<std::size_t>(in.gcount());
    out.append(buf, got);
    if (got == 0 || !in) break;
  }
  if (chunked) return out.size() > max ? Body::TooLarge : Body::Ok;
  return out.size() == want ? Body::Ok : Body::Truncated;
}

std::string header(const HTTPServerRequest& req, const std::string& name, bool& present) {
  present = req.has(name);
  return present ? req.get(name) : std::string();
}

TaxiiHeaders taxii_headers(const HTTPServerRequest& req) {
  TaxiiHeaders h;
  bool p = false;
  auto get = [&](const char* name, std::optional<std::string>& into) {
    std::string v = header(req, name, p);
    if (p) into = std::move(v);
  };
  get("Content-Type", h.content_type);
  get("Accept", h.accept);
  get("X-TAXII-Content-Type", h.x_content_type);
  get("X-TAXII-Accept", h.x_accept);
  get("X-TAXII-Protocol", h.x_protocol);
  get("X-TAXII-Services", h.x_services);
  return h;
}

std::size_t count(const HTTPServerRequest& req, const char* name) {
  std::size_t n = 0;
  for (const auto& [k, v] : req)
    if (Poco::icompare(k, name) == 0) ++n;
  return n;
}

// Framing ambiguities that enable request smuggling (RFC 9112 §6.3): refused, never guessed.
const char* framing_problem(const HTTPServerRequest& req) {
  if (count(req, "Content-Length") > 1) return "the request has more than one Content-Length";
  if (count(req, "Transfer-Encoding") > 1) return "the request has more than one Transfer-Encoding";
  if (req.has("Transfer-Encoding") && req.has("Content-Length"))
    return "the request has both Content-Length and Transfer-Encoding";
  if (req.has("Transfer-Encoding") && !req.getChunkedTransferEncoding())
    return "the only Transfer-Encoding accepted is chunked";
  return nullptr;
}

// A TAXII header given twice has no single meaning (HTTP 1.0 §2 defines one value each).
const char* duplicated_taxii_header(const HTTPServerRequest& req) {
  for (const char* h : {"Content-Type", "X-TAXII-Content-Type", "X-TAXII-Accept", "X-TAXII-Protocol", "X-TAXII-Services"})
    if (count(req, h) > 1) return h;
  return nullptr;
}

bool has_body(const HTTPServerRequest& req) {
  return req.getChunkedTransferEncoding() || (req.hasContentLength() && req.getContentLength64() != 0);
}

}  // namespace

TaxiiHandler::TaxiiHandler(TaxiiApplication& app, HandlerOptions options, Log log)
    : app_(app), options_(options), log_(std::move(log)) {
  options_.parse_limits.max_bytes = std::max(options_.parse_limits.max_bytes, options_.max_body_bytes);
}

void TaxiiHandler::operator()(HTTPServerRequest& request, HTTPServerResponse& response,
                              const ConnectionInfo& conn) {
  Exchange x;
  x.log.request_id = std::to_string(next_id_.fetch_add(1));
  x.log.remote = conn.remote;
  try {
    x.log.method = request.getMethod();
    const std::string& uri = request.getURI();
    x.log.path = uri.substr(0, uri.find_first_of("?#"));
    process(request, response, conn, x);
  } catch (const Poco::Exception& e) {
    x.log.note = "unexpected: " + e.displayText();
  } catch (const std::exception& e) {
    x.log.note = std::string("unexpected: ") + e.what();
  } catch (...) {
    x.log.note = "unexpected exception";
  }
  if (!response.sent()) {
    try {
      response.setKeepAlive(false);
      send_status(response, 200, Error::failure("internal error while processing the request"),
                  guess_version(taxii_headers(request)), "0", conn, x);
    } catch (...) {
      // The engine answers 500 when nothing was sent.
    }
  }
  x.log.duration_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - x.start).count();
  if (log_) {
    try {
      log_(x.log);
    } catch (...) {
    }
  }
}

void TaxiiHandler::process(HTTPServerRequest& request, HTTPServerResponse& response,
                           const ConnectionInfo& conn, Exchange& x) {
  const TaxiiHeaders headers = taxii_headers(request);
  const Version guessed = guess_version(headers);

  // HTTP 1.0 §3: every TAXII request is a POST.
  if (request.getMethod() != Poco::Net::HTTPRequest::HTTP_POST) {
    if (has_body(request)) response.setKeepAlive(false);  // we will not read it
    response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_METHOD_NOT_ALLOWED);
    response.set("Allow", "POST");
    response.setContentType("text/plain");
    static const std::string kText = "taxiid: TAXII services take HTTP POST requests with a TAXII message\n";
    response.setContentLength(static_cast<std::streamsize>(kText.size()));
    response.sendBuffer(kText.data(), kText.size());
    x.log.http_status = 405;
    x.log.bytes_out = kText.size();
    return;
  }

  if (const char* problem = framing_problem(request)) {
    response.setKeepAlive(false);  // the body's extent is unknown
    return send_status(response, 400, Error::bad_message(problem), guessed, "0", conn, x);
  }
  std::string body;
  const Body got = read_body(request, response, options_.max_body_bytes, body);
  x.log.bytes_in = body.size();
  if (got != Body::Ok) {
    response.setKeepAlive(false);  // the rest of the body stays unread
    if (got == Body::TooLarge)
      return send_status(response, 413,
                         Error::bad_message("the message is larger than this server accepts (" +
                                            std::to_string(options_.max_body_bytes) + " bytes)"),
                         guessed, "0", conn, x);
    if (got == Body::NoLength)
      return send_status(response, 411, Error::bad_message("the request has neither Content-Length nor a chunked body"),
                         guessed, "0", conn, x);
    return send_status(response, 400, Error::bad_message("the request body ended before its Content-Length"),
                       guessed, "0", conn, x);
  }

  std::string path = x.log.path;
  if (!app_.has_path(path) && path.size() > 1 && path.back() == '/') path.pop_back();
  if (!app_.has_path(path)) {
    x.log.note = "no service at " + x.log.path;
    return send_status(response, 404, Error::not_found("no TAXII service at " + x.log.path, x.log.path), guessed,
                       readable_message_id(body, guessed, options_.parse_limits), conn, x);
  }

  if (const char* dup = duplicated_taxii_header(request))
    return send_status(response, 200, Error::bad_message(std::string(dup) + " appears more than once"), guessed,
                       readable_message_id(body, guessed, options_.parse_limits), conn, x);
  const HeaderCheck check = check_headers(headers, conn.https);
  if (check.error) {
    // The request's message_id, if the body can be read with the binding it names (§12.12).
    std::string in_response_to = readable_message_id(body, check.answer_version, options_.parse_limits);
    if (check.binding != nullptr) {
      auto m = xml::parse_with(*check.binding, body, options_.parse_limits);
      if (m.ok()) {
        in_response_to = message_id_of(*m);
        x.log.message_type = std::string(message_type_name(*m));
      }
    }
    return send_status(response, 200, *check.error, check.answer_version, in_response_to, conn, x);
  }

  auto parsed = xml::parse_with(*check.binding, body, options_.parse_limits);
  if (!parsed.ok())
    return send_status(response, 200, parsed.error(), check.answer_version,
                       readable_message_id(body, check.answer_version, options_.parse_limits), conn, x);
  const Message& msg = *parsed;
  x.log.message_type = std::string(message_type_name(msg));

  RequestInfo info;
  info.request_id = x.log.request_id;
  info.path = path;
  info.protocol_binding = std::string(conn.https ? urn::kProtocolHttps : urn::kProtocolHttp);
  info.remote = conn.remote;
  info.client_subject = conn.client_subject;
  info.client_names = conn.client_names;
  info.https = conn.https;
  bool has_auth = false;
  info.authorization = header(request, "Authorization", has_auth);
  const Message answer = app_.handle(path, msg, info);
  send_message(response, 200, answer, conn, x);
}

void TaxiiHandler::send_status(HTTPServerResponse& response, int http_status, const Error& e, Version v,
                               const std::string& in_response_to, const ConnectionInfo& conn, Exchange& x) {
  send_message(response, http_status, app_.status(e, v, in_response_to), conn, x);
}

void TaxiiHandler::send_message(HTTPServerResponse& response, int http_status, const Message& m,
                                const ConnectionInfo& conn, Exchange& x) {
  auto body = xml::serialize_any(m);
  const Message* sent = &m;
  Message fallback;
  if (!body.ok()) {
    x.log.note = "cannot serialize " + std::string(message_type_name(m)) + ": " + body.error().message();
    fallback = app_.status(Error::failure("the answer could not be serialized"), version_of(m), in_response_to_of(m));
    body = xml::serialize_any(fallback);
    sent = &fallback;
    if (!body.ok()) {
      response.setKeepAlive(false);
      response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_INTERNAL_SERVER_ERROR);
      response.setContentLength(0);
      response.send();
      x.log.http_status = 500;
      return;
    }
  }
  if (const auto* s = std::get_if<v11::StatusMessage>(sent)) {
    x.log.outcome = s->status_type;
    if (x.log.note.empty() && s->message) x.log.note = *s->message;
  } else if (const auto* s10 = std::get_if<v10::StatusMessage>(sent)) {
    x.log.outcome = s10->status_type;
    if (x.log.note.empty() && s10->message) x.log.note = *s10->message;
  } else {
    x.log.outcome = std::string(message_type_name(*sent));
  }
  const bool v11 = version_of(*sent) == Version::V11;
  response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(http_status));
  response.setReason(Poco::Net::HTTPResponse::getReasonForStatus(response.getStatus()));
  // HTTP 1.0 §2: the four TAXII headers on every TAXII message (no X-TAXII-Accept on responses).
  response.setContentType("application/xml");
  response.set("X-TAXII-Content-Type", std::string(v11 ? urn::kMessageXml11 : urn::kMessageXml10));
  response.set("X-TAXII-Protocol", std::string(conn.https ? urn::kProtocolHttps : urn::kProtocolHttp));
  response.set("X-TAXII-Services", std::string(v11 ? urn::kServices11 : urn::kServices10));
  response.setContentLength64(static_cast<Poco::Int64>(body->size()));
  response.sendBuffer(body->data(), body->size());
  x.log.http_status = http_status;
  x.log.bytes_out = body->size();
}

}  // namespace taxii::http
