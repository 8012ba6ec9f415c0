#include "bindings/http/request_head.hpp"

#include <algorithm>
#include <limits>

#include "bindings/http/http_chars.hpp"

namespace taxii::http {

namespace {

using namespace chars;

// Case-insensitive comparison with a lower-case literal.
bool ieq(std::string_view s, std::string_view lower_literal) {
  if (s.size() != lower_literal.size()) return false;
  for (std::size_t i = 0; i < s.size(); ++i)
    if (lower(s[i]) != lower_literal[i]) return false;
  return true;
}

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && ows(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && ows(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool all_of(std::string_view s, uint8_t cls) {
  for (char c : s)
    if (!is(static_cast<unsigned char>(c), cls)) return false;
  return true;
}

// Calls f(element) for each non-empty, OWS-trimmed element of a comma-separated list
// (RFC 9110 §5.6.1: empty elements are ignored).
template <class F>
void for_each_element(std::string_view list, F f) {
  while (true) {
    const std::size_t comma = list.find(',');
    const std::string_view e = trim_ows(list.substr(0, comma));
    if (!e.empty()) f(e);
    if (comma == std::string_view::npos) return;
    list.remove_prefix(comma + 1);
  }
}

}  // namespace

// --- RequestHeadScanner --------------------------------------------------------------------

enum class RequestHeadScanner::St : uint8_t {
  LineStart,       // before the request line: empty lines are skipped (RFC 9112 §2.2)
  LeadLf,          // a CR before the request line: LF must follow
  Method,          // method = token (RFC 9112 §3.1)
  TargetFirst,     // after the method's SP
  Star,            // asterisk-form "*" (RFC 9112 §3.2.4): SP must follow
  Scheme,          // absolute-form (RFC 9112 §3.2.2): "http" ["s"] "://", case-insensitive
  SchemeS,         // after "http": "s" or ":"
  SchemeSep,       // inside "://"
  AuthorityFirst,  // after "://": at least one authority byte
  Target,          // origin-form (RFC 9112 §3.2.1) or the rest of absolute-form
  Version,         // inside "HTTP/" (RFC 9112 §2.3: case-sensitive)
  Major,
  Dot,
  Minor,
  LineCr,          // after the version: CR
  LineLf,          // LF
  FieldStart,      // a field line, or the empty line ending the head
  Name,            // field-name = token (RFC 9110 §5.1)
  ValueLead,       // OWS after the colon (RFC 9112 §5)
  Value,           // field-value (RFC 9110 §5.5)
  FieldLf,         // a CR ended the value: LF must follow
  EndLf,           // the empty line's CR: LF must follow
};

void RequestHeadScanner::reset() {
  const uint64_t steps = steps_;
  *this = RequestHeadScanner(lim_);
  steps_ = steps;
}

HeadVerdict& RequestHeadScanner::fail(std::size_t at, int status, std::string_view reason) {
  v_.kind = HeadVerdict::Invalid;
  v_.error_at = at;
  v_.status = status;
  v_.reason = reason;
  pos_ = at;
  return v_;
}

// The field's name is known (at its colon): rules that a second occurrence breaks are
// applied at once.
bool RequestHeadScanner::field_name_done(std::string_view name, std::size_t at) {
  field_ = Field::Other;
  if (name.size() == 14 && ieq(name, "content-length")) field_ = Field::ContentLength;
  else if (name.size() == 17 && ieq(name, "transfer-encoding")) field_ = Field::TransferEncoding;
  else if (name.size() == 6 && ieq(name, "expect")) field_ = Field::Expect;
  else if (name.size() == 10 && ieq(name, "connection")) field_ = Field::Connection;
  else if (name.size() == 4 && ieq(name, "host")) field_ = Field::Host;
  steps_ += name.size();
  switch (field_) {
    case Field::ContentLength:
      // RFC 9112 §6.3 rule 5 / RFC 9110 §8.6: several Content-Length fields -> 400; we do not
      // accept even equal repetitions (docs/security.md).
      if (seen_cl_) { fail(at, 400, "two Content-Length fields"); return false; }
      // RFC 9112 §6.1: a server MAY reject a request with both; we do (request smuggling).
      if (seen_te_) { fail(at, 400, "both Content-Length and Transfer-Encoding"); return false; }
      seen_cl_ = true;
      cl_state_ = 0;
      cl_ = 0;
      break;
    case Field::TransferEncoding:
      // Several Transfer-Encoding fields would form one list (RFC 9110 §5.3); a second field
      // line is refused rather than combined (docs/security.md).
      if (seen_te_) { fail(at, 400, "two Transfer-Encoding fields"); return false; }
      if (seen_cl_) { fail(at, 400, "both Content-Length and Transfer-Encoding"); return false; }
      // RFC 9112 §6.1: Transfer-Encoding in an HTTP/1.0 message: its framing is faulty.
      if (v_.http_minor == 0) { fail(at, 400, "Transfer-Encoding in an HTTP/1.0 request"); return false; }
      seen_te_ = true;
      break;
    case Field::Host:
      // RFC 9112 §3.2: more than one Host field line -> 400 (MUST).
      if (seen_host_) { fail(at, 400, "two Host fields"); return false; }
      seen_host_ = true;
      break;
    default:
      break;
  }
  return true;
}

// A field line has ended (its LF at `lf`): the value of a field we act on is interpreted.
bool RequestHeadScanner::field_line_done(std::string_view all, std::size_t lf) {
  if (field_ == Field::Other) return true;
  const std::string_view value = trim_ows(all.substr(tok_start_, value_end_ - tok_start_));
  steps_ += value.size();
  switch (field_) {
    case Field::ContentLength:
      // RFC 9112 §6.3 rule 5: Content-Length = 1*DIGIT (RFC 9110 §8.6); the digits were
      // checked as they came; an empty value is invalid too.
      if (cl_state_ == 0) { fail(lf, 400, "empty Content-Length"); return false; }
      v_.content_length = cl_;
      break;
    case Field::TransferEncoding: {
      // RFC 9112 §6.1, §6.3 rule 4. transfer-coding = token *( OWS ";" OWS transfer-parameter ).
      bool any = false, bad_token = false, earlier_chunked = false, earlier_other = false;
      bool last_chunked = false, last_named_chunked = false;
      for_each_element(value, [&](std::string_view e) {
        const std::size_t semi = e.find(';');
        const std::string_view name = trim_ows(e.substr(0, semi));
        if (name.empty() || !all_of(name, kTchar)) bad_token = true;
        if (any) (last_named_chunked ? earlier_chunked : earlier_other) = true;
        any = true;
        last_named_chunked = ieq(name, "chunked");
        last_chunked = last_named_chunked && semi == std::string_view::npos;  // chunked takes no parameters
      });
      if (!any || bad_token) { fail(lf, 400, "invalid Transfer-Encoding"); return false; }
      // RFC 9112 §6.3 rule 4: chunked not the final coding -> 400 and close (MUST).
      if (!last_chunked) { fail(lf, 400, "chunked is not the final transfer coding"); return false; }
      // RFC 9112 §6.1: chunked MUST NOT be applied more than once.
      if (earlier_chunked) { fail(lf, 400, "chunked applied more than once"); return false; }
      // RFC 9112 §6.1: a transfer coding the server does not understand -> 501 (SHOULD).
      if (earlier_other) { fail(lf, 501, "transfer coding not implemented"); return false; }
      // Empty list elements (",chunked", "chunked ,") are valid list syntax (RFC 9110 §5.6.1),
      // but Poco and the handler compare the whole value with "chunked": refused, so that no
      // reader behind the scanner frames the body differently.
      if (!ieq(trim_ows(value), "chunked")) { fail(lf, 400, "invalid Transfer-Encoding"); return false; }
      v_.chunked = true;
      break;
    }
    case Field::Expect:
      // RFC 9110 §10.1.1: 100-continue, ignored in an HTTP/1.0 request. Other expectations
      // are ignored (417 is a MAY).
      if (v_.http_minor == 1 && ieq(value, "100-continue")) v_.expect_continue = true;
      break;
    case Field::Connection:
      // RFC 9110 §7.6.1: a list of connection options; RFC 9112 §9.3 persistence.
      for_each_element(value, [&](std::string_view e) {
        if (ieq(e, "close")) conn_close_ = true;
        else if (ieq(e, "keep-alive")) conn_keep_alive_ = true;
      });
      break;
    case Field::Host:
      // RFC 9112 §3.2: Host = uri-host [ ":" port ] (RFC 9110 §7.2); an invalid value -> 400
      // (MUST). An empty value is allowed.
      if (!all_of(value, kHost)) { fail(lf, 400, "invalid Host"); return false; }
      break;
    default:
      break;
  }
  return true;
}

// The empty line ending the head (its LF at `lf`).
bool RequestHeadScanner::head_done(std::size_t lf) {
  // RFC 9112 §3.2: an HTTP/1.1 request without Host -> 400 (MUST).
  if (lim_.require_host && v_.http_minor == 1 && !seen_host_) { fail(lf, 400, "no Host field"); return false; }
  // RFC 9112 §9.3: HTTP/1.1 persists unless "close"; HTTP/1.0 only with "keep-alive".
  v_.keep_alive_hint = v_.http_minor == 1 ? !conn_close_ : (conn_keep_alive_ && !conn_close_);
  v_.kind = HeadVerdict::Complete;
  v_.head_len = lf + 1;
  pos_ = lf + 1;
  return true;
}

HeadVerdict RequestHeadScanner::feed(std::string_view all) {
  if (v_.kind != HeadVerdict::Incomplete) return v_;
  const auto* p = reinterpret_cast<const unsigned char*>(all.data());
  const std::size_t end = std::min(all.size(), lim_.max_head);
  std::size_t i = pos_;
  while (i < end) {
    ++steps_;
    ScanStep next;
    if (st_ <= St::AuthorityFirst) next = request_line_start(p[i], i);
    else if (st_ <= St::LineLf) next = target_and_version(p, i, end);
    else if (st_ <= St::Name) next = field_name(all, p, i, end);
    else next = field_value(all, p, i, end);
    if (next == ScanStep::Stop) return v_;
    if (next == ScanStep::Advance) ++i;
  }
  pos_ = i;
  // RFC 6585 §5: the head has not ended within max_head bytes -> 431.
  // The byte at max_head - 1 was not the head's last: no end can come in time.
  if (pos_ >= lim_.max_head) return fail(lim_.max_head - 1, 431, "request head too large");
  return v_;
}

ScanStep RequestHeadScanner::stop(std::size_t at, int status, std::string_view reason) {
  fail(at, status, reason);
  return ScanStep::Stop;
}

// The request line up to its target (RFC 9112 §3): leading empty lines, method, SP, the
// target's first bytes.
ScanStep RequestHeadScanner::request_line_start(unsigned char c, std::size_t i) {
  switch (st_) {
    case St::LineStart:
      if (c == '\r') {
        st_ = St::LeadLf;
      } else if (is(c, kTchar)) {
        v_.start = tok_start_ = i;
        st_ = St::Method;
      } else {
        // Not the first byte of a method: a TLS record (0x16), binary, a bare LF, SP...
        return stop(i, 400, "not an HTTP request line");
      }
      break;
    case St::LeadLf:
      if (c != '\n') return stop(i, 400, "CR without LF");  // RFC 9112 §2.2 bare CR
      st_ = St::LineStart;
      break;
    case St::Method:
      if (is(c, kTchar)) {
        // RFC 9112 §3: a method longer than any implemented -> 501 (SHOULD).
        if (i - tok_start_ + 1 > lim_.max_method) return stop(i, 501, "method too long");
      } else if (c == ' ') {
        st_ = St::TargetFirst;  // RFC 9112 §3: exactly one SP between the parts
      } else {
        return stop(i, 400, "invalid character in the method");
      }
      break;
    case St::TargetFirst:
      tok_start_ = i;
      if (c == '/') st_ = St::Target;
      else if (c == '*') st_ = St::Star;
      else if (c == 'h' || c == 'H') st_ = St::Scheme, idx_ = 1;
      else return stop(i, 400, "invalid request-target");  // RFC 9112 §3.2; authority-form: no CONNECT here
      break;
    case St::Star:
      if (c != ' ') return stop(i, 400, "invalid request-target");
      st_ = St::Version;
      idx_ = 0;
      break;
    case St::Scheme:
      if (lower(static_cast<char>(c)) != "http"[idx_]) return stop(i, 400, "invalid request-target");
      if (++idx_ == 4) st_ = St::SchemeS;
      break;
    case St::SchemeS:
      if (c == 's' || c == 'S') st_ = St::SchemeSep, idx_ = 0;
      else if (c == ':') st_ = St::SchemeSep, idx_ = 1;
      else return stop(i, 400, "invalid request-target");
      break;
    case St::SchemeSep:
      if (c != static_cast<unsigned char>("://"[idx_])) return stop(i, 400, "invalid request-target");
      if (++idx_ == 3) st_ = St::AuthorityFirst;
      break;
    default:  // St::AuthorityFirst
      if (!is(c, kTarget) || c == '/' || c == '?' || c == '#') return stop(i, 400, "invalid request-target");
      st_ = St::Target;
      break;
  }
  return ScanStep::Advance;
}

// The rest of the request-target, the HTTP-version and the line's end.
ScanStep RequestHeadScanner::target_and_version(const unsigned char* p, std::size_t& i, std::size_t end) {
  const unsigned char c = p[i];
  switch (st_) {
    case St::Target: {
      // Any VCHAR: no SP, CTL, DEL or non-ASCII byte (RFC 9112 §3.2, RFC 3986 §2); the
      // handler decides what the path means.
      std::size_t j = i;
      const std::size_t stop_at = std::min(end, tok_start_ + lim_.max_target);
      while (j < stop_at && is(p[j], kTarget)) ++j;
      steps_ += j - i;
      i = j;
      if (i == end) return ScanStep::Stay;
      const unsigned char d = p[i];
      if (d == ' ') {
        st_ = St::Version;
        idx_ = 0;
      } else if (is(d, kTarget)) {
        // RFC 9112 §3: a request-target longer than we parse -> 414 (MUST).
        return stop(i, 414, "request-target too long");
      } else {
        return stop(i, 400, "invalid character in the request-target");
      }
      break;
    }
    case St::Version:
      // RFC 9112 §2.3: HTTP-version = "HTTP" "/" DIGIT "." DIGIT, case-sensitive.
      if (c != static_cast<unsigned char>("HTTP/"[idx_])) return stop(i, 400, "invalid HTTP-version");
      if (++idx_ == 5) st_ = St::Major;
      break;
    case St::Major:
      if (!is(c, kDigit)) return stop(i, 400, "invalid HTTP-version");
      major_ = static_cast<uint8_t>(c - '0');
      st_ = St::Dot;
      break;
    case St::Dot:
      if (c != '.') return stop(i, 400, "invalid HTTP-version");
      st_ = St::Minor;
      break;
    case St::Minor:
      if (!is(c, kDigit)) return stop(i, 400, "invalid HTTP-version");
      // RFC 9110 §15.6.6: a version we do not support -> 505 (docs/decisions.md: 1.0 and
      // 1.1 only; an HTTP/1.2 would otherwise be echoed in Poco's answer).
      if (major_ != 1 || c > '1') return stop(i, 505, "HTTP version not supported");
      v_.http_minor = c - '0';
      st_ = St::LineCr;
      break;
    case St::LineCr:
      if (c != '\r') return stop(i, 400, c == '\n' ? "LF without CR" : "invalid HTTP-version");
      st_ = St::LineLf;
      break;
    default:  // St::LineLf
      if (c != '\n') return stop(i, 400, "CR without LF");
      st_ = St::FieldStart;
      break;
  }
  return ScanStep::Advance;
}

// A field line's start and its name up to the colon (or the empty line ending the head).
ScanStep RequestHeadScanner::field_name(std::string_view all, const unsigned char* p, std::size_t& i,
                                        std::size_t end) {
  const unsigned char c = p[i];
  if (st_ == St::FieldStart) {
    if (c == '\r') {
      st_ = St::EndLf;
    } else if (is(c, kTchar)) {
      // RFC 6585 §5: too many fields -> 431.
      if (++fields_ > lim_.max_fields) return stop(i, 431, "too many header fields");
      tok_start_ = i;
      st_ = St::Name;
    } else if (ows(c)) {
      // RFC 9112 §5.2: obs-fold -> reject (we do not replace it with SP); RFC 9112 §2.2:
      // whitespace between the start-line and the first field -> reject.
      return stop(i, 400, fields_ == 0 ? "whitespace before the first header field" : "obsolete line folding");
    } else if (c == '\n') {
      return stop(i, 400, "LF without CR");
    } else {
      return stop(i, 400, c == ':' ? "empty field name" : "invalid character in a field name");
    }
    return ScanStep::Advance;
  }
  // St::Name
  std::size_t j = i;
  const std::size_t stop_at = std::min(end, tok_start_ + lim_.max_name);
  while (j < stop_at && is(p[j], kTchar)) ++j;
  steps_ += j - i;
  i = j;
  if (i == end) return ScanStep::Stay;
  const unsigned char d = p[i];
  if (is(d, kTchar)) {
    return stop(i, 431, "field name too long");
  } else if (d == ':') {
    if (!field_name_done(all.substr(tok_start_, i - tok_start_), i)) return ScanStep::Stop;
    st_ = St::ValueLead;
  } else if (ows(d)) {
    // RFC 9112 §5.1: whitespace between field name and colon -> 400 (MUST).
    return stop(i, 400, "whitespace before a colon");
  } else if (d == '\r' || d == '\n') {
    return stop(i, 400, "field line without a colon");
  } else {
    return stop(i, 400, "invalid character in a field name");
  }
  return ScanStep::Advance;
}

// A field's value and its line's end, and the end of the head.
ScanStep RequestHeadScanner::field_value(std::string_view all, const unsigned char* p, std::size_t& i,
                                         std::size_t end) {
  const unsigned char c = p[i];
  switch (st_) {
    case St::ValueLead:
      if (ows(c)) return ScanStep::Advance;
      tok_start_ = i;
      st_ = St::Value;
      return ScanStep::Stay;  // the same byte, as the value's first
    case St::Value:
      return value_byte(p, i, end);
    case St::FieldLf:
      // RFC 9112 §2.2: a bare CR (here: in a field value) -> reject.
      if (c != '\n') return stop(i, 400, "CR without LF");
      if (!field_line_done(all, i)) return ScanStep::Stop;
      st_ = St::FieldStart;
      return ScanStep::Advance;
    default:  // St::EndLf
      if (c != '\n') return stop(i, 400, "CR without LF");
      head_done(i);
      return ScanStep::Stop;
  }
}

ScanStep RequestHeadScanner::value_byte(const unsigned char* p, std::size_t& i, std::size_t end) {
  const unsigned char c = p[i];
  if (field_ == Field::ContentLength) {
    // RFC 9110 §8.6: Content-Length = 1*DIGIT, judged byte by byte.
    if (is(c, kDigit)) {
      const uint64_t d = c - '0';
      if (cl_state_ == 2) return stop(i, 400, "invalid Content-Length");
      if (cl_ > (std::numeric_limits<uint64_t>::max() - d) / 10) return stop(i, 400, "Content-Length too large");
      cl_ = cl_ * 10 + d;
      cl_state_ = 1;
    } else if (ows(c) && cl_state_ != 0) {
      cl_state_ = 2;
    } else if (c != '\r') {
      return stop(i, 400, c == '\n' ? "LF without CR" : "invalid Content-Length");
    }
  } else {
    std::size_t j = i;
    while (j < end && is(p[j], kFieldChar)) ++j;
    steps_ += j - i;
    if (j - tok_start_ > lim_.max_value) return stop(tok_start_ + lim_.max_value, 431, "field value too long");
    i = j;
    if (j == end) return ScanStep::Stay;
  }
  const unsigned char d = p[i];
  if (i - tok_start_ + (d == '\r' ? 0 : 1) > lim_.max_value) return stop(i, 431, "field value too long");
  if (d == '\r') {
    value_end_ = i;
    st_ = St::FieldLf;
  } else if (d == '\n') {
    return stop(i, 400, "LF without CR");
  } else if (!is(d, kFieldChar)) {
    // RFC 9110 §5.5: NUL, CR, LF and other CTLs (but HTAB) are invalid in a value.
    return stop(i, 400, "control character in a field value");
  }
  return ScanStep::Advance;
}

}  // namespace taxii::http
