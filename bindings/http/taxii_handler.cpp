#include "bindings/http/taxii_handler.hpp"

#include <algorithm>
#include <chrono>
#include <exception>
#include <istream>
#include <variant>

#include <Poco/Exception.h>
#include <Poco/NumberParser.h>
#include <Poco/Net/HTTPRequest.h>
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
  bool pieces = false;  // the answer may be sent in pieces (ConnectionInfo::send_pieces)
  bool head_only = false;  // gate(): stop where the body would be read
  bool passed = false;     // gate(): nothing to answer from the head alone
};

namespace {

// The root element's @message_id of a body that could not be mapped to a message (wrong
// headers, unknown path, a rule broken): Services 1.1 §4.1.1 wants in_response_to to name
// the request; "0" only when none can be read (docs/spec-notes.md P12). A plain scan of the
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
    // The id is copied into the answer unparsed: it must be what the answer's schema allows
    // (http_request_fuzz found control bytes, invalid UTF-8 and, later, a non-anyURI echoed).
    if (id.find_first_of("<&") != std::string_view::npos || !xml::valid_message_id(answer, id)) return "0";
    return std::string(id);
  }
  return "0";
}

using Headers = std::vector<std::pair<std::string, std::string>>;

// Header lookup with Poco's semantics (case-insensitive names; the first of several wins).
// Field names (and the few token values compared here) are ASCII and case-insensitive
// (RFC 9110 §5.1): compared byte by byte, folding only letters.
bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto x = static_cast<unsigned char>(a[i]), y = static_cast<unsigned char>(b[i]);
    if (x == y) continue;
    const unsigned char lx = x | 0x20;
    if (lx != (y | 0x20) || lx < 'a' || lx > 'z') return false;
  }
  return true;
}

const std::string* find_header(const Headers& hs, std::string_view name) {
  for (const auto& [k, v] : hs)
    if (iequals(k, name)) return &v;
  return nullptr;
}

std::size_t count(const Headers& hs, std::string_view name) {
  std::size_t n = 0;
  for (const auto& [k, v] : hs)
    if (iequals(k, name)) ++n;
  return n;
}

// The framing a request declares (what the engine used to set up the body stream).
struct Framing {
  bool chunked = false;                 // Transfer-Encoding: chunked (Poco: the whole value)
  bool has_length = false;              // a Content-Length header
  std::optional<int64_t> length;        // its value, if it is a number
  bool expect_continue = false;         // Expect: 100-continue
};

Framing framing_of(const Headers& hs) {
  Framing f;
  const std::string* te = find_header(hs, "Transfer-Encoding");
  f.chunked = te != nullptr && iequals(*te, "chunked");
  if (const std::string* cl = find_header(hs, "Content-Length")) {
    f.has_length = true;
    Poco::Int64 n = 0;
    if (Poco::NumberParser::tryParse64(*cl, n)) f.length = static_cast<int64_t>(n);
  }
  const std::string* ex = find_header(hs, "Expect");
  f.expect_continue = ex != nullptr && iequals(*ex, "100-continue");
  return f;
}

enum class Body { Ok, TooLarge, NoLength, Truncated };

// What the head alone says of the body: Ok (it may be read), NoLength or TooLarge.
Body body_from_head(const Framing& f, std::size_t max) {
  if (f.chunked) return Body::Ok;
  if (!f.has_length || !f.length || *f.length < 0) return Body::NoLength;
  return static_cast<uint64_t>(*f.length) > max ? Body::TooLarge : Body::Ok;
}

Body read_body(const Request& req, const Framing& f, std::size_t max, std::string& out) {
  constexpr std::size_t kChunk = 64 * 1024;
  if (const Body b = body_from_head(f, max); b != Body::Ok) return b;
  // chunked: read until EOF, but never past the limit
  const std::size_t want = f.chunked ? max + 1 : static_cast<std::size_t>(*f.length);
  // HTTP/1.1 §8.2.3: ask for the body only once we know we will read it.
  if (f.expect_continue && req.send_continue) req.send_continue();
  out.clear();
  if (req.body == nullptr) return f.chunked || want == 0 ? Body::Ok : Body::Truncated;
  std::istream& in = *req.body;
  // Straight into `out`, 64 KiB at a time. One allocation for a declared length up to 1 MiB
  // (each regrowth of a large string is a fresh mmap whose pages all fault again); past
  // that, a declared length is not an allocation until the bytes are there.
  out.reserve(std::min<std::size_t>(want, 1u << 20));
  std::size_t have = 0;
  while (have < want) {
    const std::size_t step = std::min(want - have, kChunk);
    out.resize(have + step);
    in.read(out.data() + have, static_cast<std::streamsize>(step));
    const auto got = static_cast<std::size_t>(in.gcount());
    have += got;
    if (got < step || !in) break;
  }
  out.resize(have);
  if (f.chunked) return out.size() > max ? Body::TooLarge : Body::Ok;
  return out.size() == want ? Body::Ok : Body::Truncated;
}

TaxiiHeaders taxii_headers(const Headers& hs) {
  TaxiiHeaders h;
  auto get = [&](const char* name, std::optional<std::string>& into) {
    if (const std::string* v = find_header(hs, name)) into = *v;
  };
  get("Content-Type", h.content_type);
  get("Accept", h.accept);
  get("X-TAXII-Content-Type", h.x_content_type);
  get("X-TAXII-Accept", h.x_accept);
  get("X-TAXII-Protocol", h.x_protocol);
  get("X-TAXII-Services", h.x_services);
  return h;
}

// Framing ambiguities that enable request smuggling (RFC 9112 §6.3): refused, never guessed.
const char* framing_problem(const Headers& hs, const Framing& f) {
  if (count(hs, "Content-Length") > 1) return "the request has more than one Content-Length";
  if (count(hs, "Transfer-Encoding") > 1) return "the request has more than one Transfer-Encoding";
  if (find_header(hs, "Transfer-Encoding") && f.has_length)
    return "the request has both Content-Length and Transfer-Encoding";
  if (find_header(hs, "Transfer-Encoding") && !f.chunked) return "the only Transfer-Encoding accepted is chunked";
  // The engine refuses these before the handler runs (Poco cannot frame the body); checked
  // here too so that answer() is safe on its own.
  if (f.has_length && !f.length) return "the Content-Length is not a number";
  return nullptr;
}

// A TAXII header given twice has no single meaning (HTTP 1.0 §2 defines one value each).
const char* duplicated_taxii_header(const Headers& hs) {
  for (const char* h : {"Content-Type", "X-TAXII-Content-Type", "X-TAXII-Accept", "X-TAXII-Protocol", "X-TAXII-Services"})
    if (count(hs, h) > 1) return h;
  return nullptr;
}


// Text for an XML answer: valid UTF-8 of XML 1.0 characters; anything else (invalid or
// overlong sequences, surrogates, control bytes) becomes '?'. Error texts the binding makes
// quote header values and paths, which may hold any byte (found by http_request_fuzz).
std::string xml_safe(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  std::size_t i = 0;
  while (i < in.size()) {
    const auto c = static_cast<unsigned char>(in[i]);
    if (c < 0x80) {
      out += (c >= 0x20 || c == '\t' || c == '\n' || c == '\r') ? static_cast<char>(c) : '?';
      ++i;
      continue;
    }
    const std::size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
    uint32_t cp = n == 4 ? (c & 0x07u) : n == 3 ? (c & 0x0Fu) : (c & 0x1Fu);
    bool ok = n != 0 && c <= 0xF4 && i + n <= in.size();
    for (std::size_t k = 1; ok && k < n; ++k) {
      const auto cc = static_cast<unsigned char>(in[i + k]);
      ok = (cc & 0xC0u) == 0x80u;
      cp = (cp << 6) | (cc & 0x3Fu);
    }
    ok = ok && !(n == 3 && cp < 0x800) && !(n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) &&
         !(cp >= 0xD800 && cp <= 0xDFFF) && cp != 0xFFFE && cp != 0xFFFF;
    if (ok) {
      out.append(in.substr(i, n));
      i += n;
    } else {
      out += '?';
      ++i;
    }
  }
  return out;
}

bool has_body(const Framing& f) { return f.chunked || (f.has_length && f.length != int64_t{0}); }

}  // namespace

Request request_from(const Poco::Net::HTTPRequest& head) {
  Request r;
  r.method = head.getMethod();
  r.uri = head.getURI();
  r.headers.reserve(head.size());
  for (const auto& [k, v] : head) r.headers.emplace_back(k, v);
  return r;
}

TaxiiHandler::TaxiiHandler(TaxiiApplication& app, HandlerOptions options, Log log)
    : app_(app), options_(options), log_(std::move(log)) {
  options_.parse_limits.max_bytes = std::max(options_.parse_limits.max_bytes, options_.max_body_bytes);
}

Answer TaxiiHandler::answer(const Request& request, const ConnectionInfo& conn) {
  Exchange x;
  Answer a = respond(request, conn, x);
  emit(x);
  return a;
}

void TaxiiHandler::operator()(HTTPServerRequest& request, HTTPServerResponse& response,
                              const ConnectionInfo& conn) {
  Exchange x;
  x.pieces = static_cast<bool>(conn.send_pieces);
  Answer a;
  try {
    Request r = request_from(request);
    r.body = &request.stream();
    if (!conn.continue_sent) r.send_continue = [&response] { response.sendContinue(); };
    a = respond(r, conn, x);
  } catch (...) {  // only allocation can fail here: the engine answers 500
    x.log.note = "unexpected exception";
    return emit(x);
  }
  send_answer(a, response, conn, x);
  emit(x);
}

bool TaxiiHandler::gate(HTTPServerRequest& request, HTTPServerResponse& response, const ConnectionInfo& conn) {
  Exchange x;
  x.head_only = true;
  Answer a;
  try {
    const Request r = request_from(request);  // no body: the gate stops before it
    a = respond(r, conn, x);
  } catch (...) {
    return false;  // the whole exchange will run (and answer) later
  }
  if (x.passed) return false;  // logged by the whole exchange, later
  send_answer(a, response, conn, x);
  emit(x);
  return true;
}

HttpServer::Refusal TaxiiHandler::refusal(int status, std::string_view reason, const ConnectionInfo& conn) {
  HttpServer::Refusal r;
  try {
    Exchange x;
    x.log.request_id = std::to_string(next_id_.fetch_add(1));
    x.log.remote = conn.remote;
    x.log.note = "refused by the connection engine: " + std::string(reason);
    Answer out;
    status_answer(out, status, Error::bad_message("HTTP " + std::to_string(status) + ": " + std::string(reason)),
                  Version::V11, "0", conn, x);
    r.headers = std::move(out.headers);
    r.body = std::move(out.body);
    emit(x);
  } catch (...) {
    r = {};
  }
  return r;
}

void TaxiiHandler::send_answer(Answer& a, HTTPServerResponse& response, const ConnectionInfo& conn, Exchange& x) {
  try {
    if (!a.keep_alive) response.setKeepAlive(false);
    response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(a.status));
    response.setReason(Poco::Net::HTTPResponse::getReasonForStatus(response.getStatus()));
    for (const auto& [k, v] : a.headers) response.set(k, v);
    response.setContentLength64(static_cast<Poco::Int64>(a.size()));
    if (a.segmented && conn.send_pieces) {
      // The head through Poco (flushed to the connection), then envelope and content pieces.
      response.send().flush();
      conn.send_pieces(a.segmented->pieces());
    } else if (a.segmented) {
      const std::string flat = a.segmented->flatten();
      response.sendBuffer(flat.data(), flat.size());
    } else if (a.body.empty()) {
      response.send();
    } else {
      response.sendBuffer(a.body.data(), a.body.size());
    }
  } catch (const Poco::Exception& e) {
    x.log.note = "cannot send the answer: " + e.displayText();
    response.setKeepAlive(false);  // part of it may have gone out: the connection is closed
  } catch (const std::exception& e) {
    x.log.note = std::string("cannot send the answer: ") + e.what();
    response.setKeepAlive(false);
  } catch (...) {
    x.log.note = "cannot send the answer";
    response.setKeepAlive(false);
  }
}

void TaxiiHandler::emit(Exchange& x) {
  x.log.duration_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - x.start).count();
  if (log_) {
    try {
      log_(x.log);
    } catch (...) {
    }
  }
}

Answer TaxiiHandler::respond(const Request& request, const ConnectionInfo& conn, Exchange& x) {
  Answer out;
  try {
    // The router's id (request_id(), also on the answer), else this handler's own counter.
    const std::string* id = find_header(request.headers, "X-Request-Id");
    x.log.request_id = id != nullptr ? *id : std::to_string(next_id_.fetch_add(1));
    x.log.remote = conn.remote;
    x.log.method = request.method;
    x.log.path = request.uri.substr(0, request.uri.find_first_of("?#"));
    process(request, conn, x, out);
    return out;
  } catch (const Poco::Exception& e) {
    x.log.note = "unexpected: " + e.displayText();
  } catch (const std::exception& e) {
    x.log.note = std::string("unexpected: ") + e.what();
  } catch (...) {
    x.log.note = "unexpected exception";
  }
  try {
    Answer failure;
    failure.keep_alive = false;
    status_answer(failure, 200, Error::failure("internal error while processing the request"),
                  guess_version(taxii_headers(request.headers)), "0", conn, x);
    return failure;
  } catch (...) {
    Answer bare;
    bare.status = 500;
    bare.keep_alive = false;
    x.log.http_status = 500;
    return bare;
  }
}

// What the head of a request says, as process() and its steps use it.
struct TaxiiHandler::Head {
  const Headers& fields;
  TaxiiHeaders headers;
  Version guessed = Version::V11;
  Framing framing{};
  HeaderMode mode = HeaderMode::Strict;
  std::string path{};  // the service path: a trailing "/" dropped when that names a service
  bool known = false;
};

void TaxiiHandler::process(const Request& request, const ConnectionInfo& conn, Exchange& x, Answer& out) {
  Head h{request.headers, taxii_headers(request.headers)};
  h.guessed = guess_version(h.headers);
  h.framing = framing_of(h.fields);
  h.mode = options_.lenient_headers ? HeaderMode::Lenient : HeaderMode::Strict;

  // HTTP 1.0 §3: every TAXII request is a POST.
  if (request.method != Poco::Net::HTTPRequest::HTTP_POST) {
    if (has_body(h.framing)) out.keep_alive = false;  // we will not read it
    static const std::string kText = "taxiid: TAXII services take HTTP POST requests with a TAXII message\n";
    out.status = 405;
    out.headers = {{"Allow", "POST"}, {"Content-Type", "text/plain"}};
    out.body = kText;
    x.log.http_status = 405;
    x.log.bytes_out = kText.size();
    return;
  }

  if (const char* problem = framing_problem(h.fields, h.framing)) {
    out.keep_alive = false;  // the body's extent is unknown
    return status_answer(out, 400, Error::bad_message(problem), h.guessed, "0", conn, x);
  }

  h.path = x.log.path;
  if (!app_.has_path(h.path) && h.path.size() > 1 && h.path.back() == '/') h.path.pop_back();
  h.known = app_.has_path(h.path);

  // Who is asking, from the head alone: a request that may not go on is answered without
  // reading its body (an unauthenticated client cannot make us read max_body_bytes).
  RequestInfo info;
  info.request_id = x.log.request_id;
  info.path = h.path;
  info.protocol_binding = std::string(conn.https ? urn::kProtocolHttps : urn::kProtocolHttp);
  info.remote = conn.remote;
  info.client_subject = conn.client_subject;
  info.client_names = conn.client_names;
  info.https = conn.https;
  if (const std::string* a = find_header(h.fields, "Authorization")) info.authorization = *a;
  if (std::optional<Error> refused = app_.admit(h.known ? std::string_view(h.path) : std::string_view(x.log.path), info)) {
    out.keep_alive = false;  // the body stays unread
    x.log.note = "refused before the body was read: " + refused->message();
    if (!h.known) {
      const std::string shown = displayable_path(x.log.path);
      return status_answer(out, 404, Error::not_found("no TAXII service at " + shown, shown), h.guessed, "0", conn, x);
    }
    return status_answer(out, 200, *refused, check_headers(h.headers, conn.https, h.mode).answer_version, "0", conn, x);
  }
  if (x.head_only) return head_answer(h, conn, x, out);
  body_answer(request, h, info, conn, x, out);
}

// gate(): the answers read_body() would give without reading; anything else waits for the
// body (the engine reads it without holding a worker).
void TaxiiHandler::head_answer(const Head& h, const ConnectionInfo& conn, Exchange& x, Answer& out) {
  const Body early = body_from_head(h.framing, options_.max_body_bytes);
  if (early == Body::Ok) {
    x.passed = true;
    return;
  }
  out.keep_alive = false;
  if (early == Body::TooLarge)
    return status_answer(out, 413,
                         Error::bad_message("the message is larger than this server accepts (" +
                                            std::to_string(options_.max_body_bytes) + " bytes)"),
                         h.guessed, "0", conn, x);
  return status_answer(out, 411, Error::bad_message("the request has neither Content-Length nor a chunked body"),
                       h.guessed, "0", conn, x);
}

// The body is read, checked against the head and parsed; the application answers it.
void TaxiiHandler::body_answer(const Request& request, const Head& h, const RequestInfo& info,
                               const ConnectionInfo& conn, Exchange& x, Answer& out) {
  std::string body;
  const Body got = read_body(request, h.framing, options_.max_body_bytes, body);
  x.log.bytes_in = body.size();
  if (got != Body::Ok) {
    out.keep_alive = false;  // the rest of the body stays unread
    if (got == Body::TooLarge)
      return status_answer(out, 413,
                           Error::bad_message("the message is larger than this server accepts (" +
                                              std::to_string(options_.max_body_bytes) + " bytes)"),
                           h.guessed, "0", conn, x);
    if (got == Body::NoLength)
      return status_answer(out, 411, Error::bad_message("the request has neither Content-Length nor a chunked body"),
                           h.guessed, "0", conn, x);
    return status_answer(out, 400, Error::bad_message("the request body ended before its Content-Length"), h.guessed,
                         "0", conn, x);
  }

  if (!h.known) {
    const std::string shown = displayable_path(x.log.path);
    x.log.note = "no service at " + shown;
    return status_answer(out, 404, Error::not_found("no TAXII service at " + shown, shown), h.guessed,
                         readable_message_id(body, h.guessed, options_.parse_limits), conn, x);
  }

  if (const char* dup = duplicated_taxii_header(h.fields))
    return status_answer(out, 200, Error::bad_message(std::string(dup) + " appears more than once"), h.guessed,
                         readable_message_id(body, h.guessed, options_.parse_limits), conn, x);
  const HeaderCheck check = check_headers(h.headers, conn.https, h.mode);
  if (check.error) {
    // The request's message_id, if the body can be read with the binding it names (docs/spec-notes.md P12).
    std::string in_response_to = readable_message_id(body, check.answer_version, options_.parse_limits);
    if (check.binding != nullptr) {
      auto m = xml::parse_with(*check.binding, body, options_.parse_limits);
      if (m.ok()) {
        // Valid for its own binding, but the answer may be of the other version.
        if (xml::valid_message_id(check.answer_version, message_id_of(*m))) in_response_to = message_id_of(*m);
        x.log.message_type = std::string(message_type_name(*m));
      }
    }
    return status_answer(out, 200, *check.error, check.answer_version, in_response_to, conn, x);
  }

  auto parsed = xml::parse_with(*check.binding, body, options_.parse_limits);
  if (!parsed.ok())
    return status_answer(out, 200, parsed.error(), check.answer_version,
                         readable_message_id(body, check.answer_version, options_.parse_limits), conn, x);
  const Message& msg = *parsed;
  x.log.message_type = std::string(message_type_name(msg));
  auto answer = std::make_shared<const Message>(app_.handle(h.path, msg, info));
  message_answer(out, 200, *answer, conn, x, x.pieces ? answer : nullptr);
}

void TaxiiHandler::status_answer(Answer& out, int http_status, const Error& e, Version v,
                                 const std::string& in_response_to, const ConnectionInfo& conn, Exchange& x) {
  Error safe(e.type(), xml_safe(e.message()));
  for (const auto& d : e.details()) safe.with_detail(xml_safe(d.name), xml_safe(d.value));
  message_answer(out, http_status, app_.status(safe, v, in_response_to), conn, x);
}

void TaxiiHandler::message_answer(Answer& out, int http_status, const Message& m, const ConnectionInfo& conn,
                                  Exchange& x, std::shared_ptr<const Message> owner) {
  // A Poll_Response part is mostly its blocks' content: sent from where it is rather than
  // copied into one body first (docs/bench.md, "Session 7").
  Result<xml::SegmentedBody> seg = Error::failure("not segmented");
  if (owner && (std::holds_alternative<v11::PollResponse>(m) || std::holds_alternative<v10::PollResponse>(m)))
    seg = xml::serialize_segmented(m);
  Result<std::string> body = seg.ok() ? Result<std::string>(std::string()) : xml::serialize_any(m);
  const Message* sent = &m;
  Message fallback;
  if (!body.ok()) {
    x.log.note = "cannot serialize " + std::string(message_type_name(m)) + ": " + body.error().message();
    fallback = app_.status(Error::failure("the answer could not be serialized"), version_of(m), in_response_to_of(m));
    body = xml::serialize_any(fallback);
    sent = &fallback;
    if (!body.ok()) {
      out.keep_alive = false;
      out.status = 500;
      out.headers.clear();
      out.body.clear();
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
  out.status = http_status;
  // HTTP 1.0 §2: the four TAXII headers on every TAXII message (no X-TAXII-Accept on responses).
  out.headers = {{"Content-Type", "application/xml"},
                 {"X-TAXII-Content-Type", std::string(v11 ? urn::kMessageXml11 : urn::kMessageXml10)},
                 {"X-TAXII-Protocol", std::string(conn.https ? urn::kProtocolHttps : urn::kProtocolHttp)},
                 {"X-TAXII-Services", std::string(v11 ? urn::kServices11 : urn::kServices10)}};
  out.body = std::move(body).value();
  if (seg.ok()) {
    out.segmented = std::move(*seg);
    out.held = std::move(owner);
  }
  x.log.http_status = http_status;
  x.log.bytes_out = out.size();
}

}  // namespace taxii::http
