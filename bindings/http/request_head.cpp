#include "bindings/http/request_head.hpp"

#include <algorithm>
#include <array>
#include <limits>

namespace taxii::http {

namespace {

// Character classes (RFC 9110 §5.6.2 tchar, §5.5 field-vchar; RFC 3986 for targets and hosts).
enum : uint8_t {
  kTchar = 1,      // token characters
  kFieldChar = 2,  // field-vchar / SP / HTAB: VCHAR, obs-text (0x80-0xFF), SP, HTAB
  kTarget = 4,     // request-target bytes we accept: VCHAR (0x21-0x7E)
  kDigit = 8,
  kHex = 16,
  kHost = 32,      // uri-host [":" port]: unreserved, pct-encoded, sub-delims, ":", "[", "]"
  kQdtext = 64,    // quoted-string text (RFC 9110 §5.6.4): HTAB, SP, 0x21, 0x23-0x5B, 0x5D-0x7E, obs-text
};

constexpr bool in(char c, const char* set) {
  for (; *set != '\0'; ++set)
    if (*set == c) return true;
  return false;
}

constexpr std::array<uint8_t, 256> make_classes() {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    uint8_t f = 0;
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    const bool digit = c >= '0' && c <= '9';
    const bool vchar = c >= 0x21 && c <= 0x7E;
    if (alpha || digit || (c < 128 && in(static_cast<char>(c), "!#$%&'*+-.^_`|~"))) f |= kTchar;
    if (vchar || c >= 0x80 || c == ' ' || c == '\t') f |= kFieldChar;
    if (vchar) f |= kTarget;
    if (digit) f |= kDigit;
    if (digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) f |= kHex;
    if (alpha || digit || (c < 128 && in(static_cast<char>(c), "-._~!$&'()*+,;=:[]%"))) f |= kHost;
    if (c == '\t' || c == ' ' || c == 0x21 || (c >= 0x23 && c <= 0x5B) || (c >= 0x5D && c <= 0x7E) || c >= 0x80)
      f |= kQdtext;
    t[static_cast<std::size_t>(c)] = f;
  }
  return t;
}

constexpr std::array<uint8_t, 256> kClass = make_classes();

inline bool is(unsigned char c, uint8_t cls) { return (kClass[c] & cls) != 0; }
inline bool ows(unsigned char c) { return c == ' ' || c == '\t'; }

inline char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c; }

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
    const unsigned char c = p[i];
    ++steps_;
    switch (st_) {
      case St::LineStart:
        if (c == '\r') {
          st_ = St::LeadLf;
        } else if (is(c, kTchar)) {
          v_.start = tok_start_ = i;
          st_ = St::Method;
        } else {
          // Not the first byte of a method: a TLS record (0x16), binary, a bare LF, SP...
          return fail(i, 400, "not an HTTP request line");
        }
        break;
      case St::LeadLf:
        if (c != '\n') return fail(i, 400, "CR without LF");  // RFC 9112 §2.2 bare CR
        st_ = St::LineStart;
        break;
      case St::Method:
        if (is(c, kTchar)) {
          // RFC 9112 §3: a method longer than any implemented -> 501 (SHOULD).
          if (i - tok_start_ + 1 > lim_.max_method) return fail(i, 501, "method too long");
        } else if (c == ' ') {
          st_ = St::TargetFirst;  // RFC 9112 §3: exactly one SP between the parts
        } else {
          return fail(i, 400, "invalid character in the method");
        }
        break;
      case St::TargetFirst:
        tok_start_ = i;
        if (c == '/') st_ = St::Target;
        else if (c == '*') st_ = St::Star;
        else if (c == 'h' || c == 'H') st_ = St::Scheme, idx_ = 1;
        else return fail(i, 400, "invalid request-target");  // RFC 9112 §3.2; authority-form: no CONNECT here
        break;
      case St::Star:
        if (c != ' ') return fail(i, 400, "invalid request-target");
        st_ = St::Version;
        idx_ = 0;
        break;
      case St::Scheme:
        if (lower(static_cast<char>(c)) != "http"[idx_]) return fail(i, 400, "invalid request-target");
        if (++idx_ == 4) st_ = St::SchemeS;
        break;
      case St::SchemeS:
        if (c == 's' || c == 'S') st_ = St::SchemeSep, idx_ = 0;
        else if (c == ':') st_ = St::SchemeSep, idx_ = 1;
        else return fail(i, 400, "invalid request-target");
        break;
      case St::SchemeSep:
        if (c != static_cast<unsigned char>("://"[idx_])) return fail(i, 400, "invalid request-target");
        if (++idx_ == 3) st_ = St::AuthorityFirst;
        break;
      case St::AuthorityFirst:
        if (!is(c, kTarget) || c == '/' || c == '?' || c == '#') return fail(i, 400, "invalid request-target");
        st_ = St::Target;
        break;
      case St::Target: {
        // Any VCHAR: no SP, CTL, DEL or non-ASCII byte (RFC 9112 §3.2, RFC 3986 §2); the
        // handler decides what the path means.
        std::size_t j = i;
        const std::size_t stop = std::min(end, tok_start_ + lim_.max_target);
        while (j < stop && is(p[j], kTarget)) ++j;
        steps_ += j - i;
        i = j;
        if (i == end) continue;
        const unsigned char d = p[i];
        if (d == ' ') {
          st_ = St::Version;
          idx_ = 0;
        } else if (is(d, kTarget)) {
          // RFC 9112 §3: a request-target longer than we parse -> 414 (MUST).
          return fail(i, 414, "request-target too long");
        } else {
          return fail(i, 400, "invalid character in the request-target");
        }
        break;
      }
      case St::Version:
        // RFC 9112 §2.3: HTTP-version = "HTTP" "/" DIGIT "." DIGIT, case-sensitive.
        if (c != static_cast<unsigned char>("HTTP/"[idx_])) return fail(i, 400, "invalid HTTP-version");
        if (++idx_ == 5) st_ = St::Major;
        break;
      case St::Major:
        if (!is(c, kDigit)) return fail(i, 400, "invalid HTTP-version");
        major_ = static_cast<uint8_t>(c - '0');
        st_ = St::Dot;
        break;
      case St::Dot:
        if (c != '.') return fail(i, 400, "invalid HTTP-version");
        st_ = St::Minor;
        break;
      case St::Minor:
        if (!is(c, kDigit)) return fail(i, 400, "invalid HTTP-version");
        // RFC 9110 §15.6.6: a version we do not support -> 505 (docs/decisions.md: 1.0 and
        // 1.1 only; an HTTP/1.2 would otherwise be echoed in Poco's answer).
        if (major_ != 1 || c > '1') return fail(i, 505, "HTTP version not supported");
        v_.http_minor = c - '0';
        st_ = St::LineCr;
        break;
      case St::LineCr:
        if (c != '\r') return fail(i, 400, c == '\n' ? "LF without CR" : "invalid HTTP-version");
        st_ = St::LineLf;
        break;
      case St::LineLf:
        if (c != '\n') return fail(i, 400, "CR without LF");
        st_ = St::FieldStart;
        break;
      case St::FieldStart:
        if (c == '\r') {
          st_ = St::EndLf;
        } else if (is(c, kTchar)) {
          // RFC 6585 §5: too many fields -> 431.
          if (++fields_ > lim_.max_fields) return fail(i, 431, "too many header fields");
          tok_start_ = i;
          st_ = St::Name;
        } else if (ows(c)) {
          // RFC 9112 §5.2: obs-fold -> reject (we do not replace it with SP); RFC 9112 §2.2:
          // whitespace between the start-line and the first field -> reject.
          return fail(i, 400, fields_ == 0 ? "whitespace before the first header field" : "obsolete line folding");
        } else if (c == '\n') {
          return fail(i, 400, "LF without CR");
        } else {
          return fail(i, 400, c == ':' ? "empty field name" : "invalid character in a field name");
        }
        break;
      case St::Name: {
        std::size_t j = i;
        const std::size_t stop = std::min(end, tok_start_ + lim_.max_name);
        while (j < stop && is(p[j], kTchar)) ++j;
        steps_ += j - i;
        i = j;
        if (i == end) continue;
        const unsigned char d = p[i];
        if (is(d, kTchar)) {
          return fail(i, 431, "field name too long");
        } else if (d == ':') {
          if (!field_name_done(all.substr(tok_start_, i - tok_start_), i)) return v_;
          st_ = St::ValueLead;
        } else if (ows(d)) {
          // RFC 9112 §5.1: whitespace between field name and colon -> 400 (MUST).
          return fail(i, 400, "whitespace before a colon");
        } else if (d == '\r' || d == '\n') {
          return fail(i, 400, "field line without a colon");
        } else {
          return fail(i, 400, "invalid character in a field name");
        }
        break;
      }
      case St::ValueLead:
        if (ows(c)) break;
        tok_start_ = i;
        st_ = St::Value;
        continue;  // the same byte, as the value's first
      case St::Value: {
        if (field_ == Field::ContentLength) {
          // RFC 9110 §8.6: Content-Length = 1*DIGIT, judged byte by byte.
          if (is(c, kDigit)) {
            const uint64_t d = c - '0';
            if (cl_state_ == 2) return fail(i, 400, "invalid Content-Length");
            if (cl_ > (std::numeric_limits<uint64_t>::max() - d) / 10) return fail(i, 400, "Content-Length too large");
            cl_ = cl_ * 10 + d;
            cl_state_ = 1;
          } else if (ows(c) && cl_state_ != 0) {
            cl_state_ = 2;
          } else if (c != '\r') {
            return fail(i, 400, c == '\n' ? "LF without CR" : "invalid Content-Length");
          }
        } else {
          std::size_t j = i;
          while (j < end && is(p[j], kFieldChar)) ++j;
          steps_ += j - i;
          if (j - tok_start_ > lim_.max_value) return fail(tok_start_ + lim_.max_value, 431, "field value too long");
          if (j == end) {
            i = j;
            continue;
          }
          i = j;
        }
        const unsigned char d = p[i];
        if (i - tok_start_ + (d == '\r' ? 0 : 1) > lim_.max_value) return fail(i, 431, "field value too long");
        if (d == '\r') {
          value_end_ = i;
          st_ = St::FieldLf;
        } else if (d == '\n') {
          return fail(i, 400, "LF without CR");
        } else if (!is(d, kFieldChar)) {
          // RFC 9110 §5.5: NUL, CR, LF and other CTLs (but HTAB) are invalid in a value.
          return fail(i, 400, "control character in a field value");
        }
        break;
      }
      case St::FieldLf:
        // RFC 9112 §2.2: a bare CR (here: in a field value) -> reject.
        if (c != '\n') return fail(i, 400, "CR without LF");
        if (!field_line_done(all, i)) return v_;
        st_ = St::FieldStart;
        break;
      case St::EndLf:
        if (c != '\n') return fail(i, 400, "CR without LF");
        head_done(i);
        return v_;
    }
    ++i;
  }
  pos_ = i;
  // RFC 6585 §5: the head has not ended within max_head bytes -> 431.
  // The byte at max_head - 1 was not the head's last: no end can come in time.
  if (pos_ >= lim_.max_head) return fail(lim_.max_head - 1, 431, "request head too large");
  return v_;
}

// --- ChunkedScanner ------------------------------------------------------------------------

enum class ChunkedScanner::St : uint8_t {
  SizeFirst,     // chunk-size = 1*HEXDIG (RFC 9112 §7.1)
  Size,
  ExtBws,        // BWS before ";" or the line's end (RFC 9112 §7.1.1)
  ExtNameBws,    // after ";": BWS, then chunk-ext-name = token
  ExtName,
  ExtAfterName,  // BWS after the name: "=", ";" or the end
  ExtValBws,     // after "=": BWS, then token or quoted-string
  ExtValToken,
  ExtValQuoted,
  ExtValEscape,  // quoted-pair (RFC 9110 §5.6.4)
  SizeLf,        // the chunk-size line's CR: LF must follow
  Data,
  DataCr,        // CRLF after chunk-data
  DataLf,
  TrailerStart,  // trailer-section = *( field-line CRLF ), then CRLF (RFC 9112 §7.1.2)
  TrailerName,
  TrailerValue,
  TrailerLf,
  EndLf,
};

ChunkedScanner::ChunkedScanner(ChunkedLimits limits) : lim_(limits) {
  lim_.max_body = std::min<uint64_t>(lim_.max_body, uint64_t{1} << 56);  // size * 16 cannot overflow
  if (lim_.max_wire == 0) lim_.max_wire = 2 * lim_.max_body + 64 * 1024;
}

void ChunkedScanner::reset() {
  const uint64_t steps = steps_;
  const ChunkedLimits lim = lim_;
  *this = ChunkedScanner(lim);
  steps_ = steps;
}

ChunkedVerdict& ChunkedScanner::fail(std::size_t at, int status, std::string_view reason) {
  v_.kind = ChunkedVerdict::Invalid;
  v_.error_at = at;
  v_.status = status;
  v_.reason = reason;
  pos_ = at;
  return v_;
}

ChunkedVerdict ChunkedScanner::feed(std::string_view all) {
  if (v_.kind != ChunkedVerdict::Incomplete) return v_;
  const auto* p = reinterpret_cast<const unsigned char*>(all.data());
  const std::size_t end = static_cast<std::size_t>(std::min<uint64_t>(all.size(), lim_.max_wire));
  std::size_t i = pos_;
  auto line_ok = [&] { return i - line_start_ < lim_.max_line; };
  while (i < end) {
    const unsigned char c = p[i];
    ++steps_;
    switch (st_) {
      case St::SizeFirst:
        line_start_ = i;
        if (!is(c, kHex)) return fail(i, 400, "invalid chunk size");
        size_ = static_cast<uint64_t>(c <= '9' ? c - '0' : lower(static_cast<char>(c)) - 'a' + 10);
        if (size_ > lim_.max_body - v_.body_len) return fail(i, 413, "chunked body too large");
        st_ = St::Size;
        break;
      case St::Size:
        if (!line_ok()) return fail(i, 400, "chunk-size line too long");
        if (is(c, kHex)) {
          size_ = size_ * 16 + static_cast<uint64_t>(c <= '9' ? c - '0' : lower(static_cast<char>(c)) - 'a' + 10);
          // The decoded total may not pass max_body (413, RFC 9110 §15.5.14); checked per
          // digit, so the size never overflows.
          if (size_ > lim_.max_body - v_.body_len) return fail(i, 413, "chunked body too large");
        } else if (c == ';') {
          st_ = St::ExtNameBws;
        } else if (ows(c)) {
          st_ = St::ExtBws;
        } else if (c == '\r') {
          st_ = St::SizeLf;
        } else {
          return fail(i, 400, "invalid chunk size");
        }
        break;
      // chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
      case St::ExtBws:
        if (!line_ok()) return fail(i, 400, "chunk-size line too long");
        if (c == ';') st_ = St::ExtNameBws;
        else if (c == '\r') st_ = St::SizeLf;
        else if (!ows(c)) return fail(i, 400, "invalid chunk extension");
        break;
      case St::ExtNameBws:
        if (!line_ok()) return fail(i, 400, "chunk-size line too long");
        if (is(c, kTchar)) st_ = St::ExtName;
        else if (!ows(c)) return fail(i, 400, "invalid chunk extension");
        break;
      case St::ExtName:
      case St::ExtAfterName:
        if (!line_ok()) return fail(i, 400, "chunk-size line too long");
        if (is(c, kTchar) && st_ == St::ExtName) break;
        if (ows(c)) st_ = St::ExtAfterName;
        else if (c == '=') st_ = St::ExtValBws;
        else if (c == ';') st_ = St::ExtNameBws;
        else if (c == '\r') st_ = St::SizeLf;
        else return fail(i, 400, "invalid chunk extension");
        break;
      case St::ExtValBws:
        if (!line_ok()) return fail(i, 400, "chunk-size line too long");
        if (is(c, kTchar)) st_ = St::ExtValToken;
        else if (c == '"') st_ = St::ExtValQuoted;
        else if (!ows(c)) return fail(i, 400, "invalid chunk extension");
        break;
      case St::ExtValToken:
        if (!line_ok()) return fail(i, 400, "chunk-size line too long");
        if (is(c, kTchar)) break;
        if (ows(c)) st_ = St::ExtBws;
        else if (c == ';') st_ = St::ExtNameBws;
        else if (c == '\r') st_ = St::SizeLf;
        else return fail(i, 400, "invalid chunk extension");
        break;
      case St::ExtValQuoted:
        if (!line_ok()) return fail(i, 400, "chunk-size line too long");
        if (c == '"') st_ = St::ExtBws;
        else if (c == '\\') st_ = St::ExtValEscape;
        else if (!is(c, kQdtext)) return fail(i, 400, "control character in a chunk extension");
        break;
      case St::ExtValEscape:
        if (!line_ok()) return fail(i, 400, "chunk-size line too long");
        if (!is(c, kFieldChar)) return fail(i, 400, "control character in a chunk extension");
        st_ = St::ExtValQuoted;
        break;
      case St::SizeLf:
        if (c != '\n') return fail(i, 400, "CR without LF");
        if (size_ == 0) {
          st_ = St::TrailerStart;  // last-chunk
          trailer_start_ = i + 1;
        } else {
          st_ = St::Data;
        }
        break;
      case St::Data: {
        // Skipped, not examined.
        const std::size_t take = static_cast<std::size_t>(std::min<uint64_t>(size_, end - i));
        i += take;
        size_ -= take;
        v_.body_len += take;
        if (size_ == 0) st_ = St::DataCr;
        continue;
      }
      case St::DataCr:
        if (c != '\r') return fail(i, 400, "chunk data longer than its size");
        st_ = St::DataLf;
        break;
      case St::DataLf:
        if (c != '\n') return fail(i, 400, "CR without LF");
        st_ = St::SizeFirst;
        break;
      case St::TrailerStart:
        if (i - trailer_start_ >= lim_.max_trailer) return fail(i, 431, "trailer section too large");
        if (c == '\r') st_ = St::EndLf;
        else if (is(c, kTchar)) st_ = St::TrailerName;
        else return fail(i, 400, ows(c) ? "obsolete line folding" : "invalid trailer field");
        break;
      case St::TrailerName:
        if (i - trailer_start_ >= lim_.max_trailer) return fail(i, 431, "trailer section too large");
        if (c == ':') st_ = St::TrailerValue;
        else if (!is(c, kTchar)) return fail(i, 400, ows(c) ? "whitespace before a colon" : "invalid trailer field");
        break;
      case St::TrailerValue:
        if (i - trailer_start_ >= lim_.max_trailer) return fail(i, 431, "trailer section too large");
        if (c == '\r') st_ = St::TrailerLf;
        else if (!is(c, kFieldChar)) return fail(i, 400, "control character in a trailer field");
        break;
      case St::TrailerLf:
        if (c != '\n') return fail(i, 400, "CR without LF");
        st_ = St::TrailerStart;
        break;
      case St::EndLf:
        if (c != '\n') return fail(i, 400, "CR without LF");
        v_.kind = ChunkedVerdict::Complete;
        v_.wire_len = i + 1;
        pos_ = i + 1;
        return v_;
    }
    ++i;
  }
  pos_ = i;
  if (pos_ >= lim_.max_wire) return fail(static_cast<std::size_t>(lim_.max_wire - 1), 413, "chunked body too large");
  return v_;
}

bool ChunkedScanner::decode(std::string_view wire, std::string& out) {
  std::size_t i = 0;
  while (true) {
    uint64_t size = 0;
    std::size_t digits = 0;
    while (i < wire.size() && is(static_cast<unsigned char>(wire[i]), kHex)) {
      const char c = lower(wire[i++]);
      if (size > (std::numeric_limits<uint64_t>::max() >> 4)) return false;
      size = size * 16 + static_cast<uint64_t>(c <= '9' ? c - '0' : c - 'a' + 10);
      ++digits;
    }
    const std::size_t lf = wire.find('\n', i);
    if (digits == 0 || lf == std::string_view::npos) return false;
    i = lf + 1;
    if (size == 0) break;
    if (wire.size() - i < size + 2) return false;
    out.append(wire.data() + i, static_cast<std::size_t>(size));
    i += static_cast<std::size_t>(size) + 2;
  }
  // Trailer fields, then the empty line.
  while (true) {
    const std::size_t lf = wire.find('\n', i);
    if (lf == std::string_view::npos) return false;
    const bool empty = lf == i + 1;
    i = lf + 1;
    if (empty) return true;
  }
}

}  // namespace taxii::http
