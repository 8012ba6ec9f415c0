// ChunkedScanner (request_head.hpp): the end of a chunked request body (RFC 9112 §7.1),
// found and validated as its bytes arrive.
#include "bindings/http/request_head.hpp"

#include <algorithm>
#include <limits>

#include "bindings/http/http_chars.hpp"

namespace taxii::http {

using namespace chars;

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
  while (i < end) {
    ++steps_;
    ScanStep next;
    if (st_ <= St::Size || st_ == St::SizeLf) next = size_line(p[i], i);
    else if (st_ <= St::ExtValEscape) next = extension(p[i], i);
    else next = data_and_trailer(p, i, end);
    if (next == ScanStep::Stop) return v_;
    if (next == ScanStep::Advance) ++i;
  }
  pos_ = i;
  if (pos_ >= lim_.max_wire) return fail(static_cast<std::size_t>(lim_.max_wire - 1), 413, "chunked body too large");
  return v_;
}

ScanStep ChunkedScanner::stop(std::size_t at, int status, std::string_view reason) {
  fail(at, status, reason);
  return ScanStep::Stop;
}

// chunk-size [ chunk-ext ] CRLF (RFC 9112 §7.1), but the extensions (extension()).
ScanStep ChunkedScanner::size_line(unsigned char c, std::size_t i) {
  switch (st_) {
    case St::SizeFirst:
      line_start_ = i;
      if (!is(c, kHex)) return stop(i, 400, "invalid chunk size");
      size_ = static_cast<uint64_t>(c <= '9' ? c - '0' : lower(static_cast<char>(c)) - 'a' + 10);
      if (size_ > lim_.max_body - v_.body_len) return stop(i, 413, "chunked body too large");
      st_ = St::Size;
      break;
    case St::Size:
      if (i - line_start_ >= lim_.max_line) return stop(i, 400, "chunk-size line too long");
      if (is(c, kHex)) {
        size_ = size_ * 16 + static_cast<uint64_t>(c <= '9' ? c - '0' : lower(static_cast<char>(c)) - 'a' + 10);
        // The decoded total may not pass max_body (413, RFC 9110 §15.5.14); checked per
        // digit, so the size never overflows.
        if (size_ > lim_.max_body - v_.body_len) return stop(i, 413, "chunked body too large");
      } else if (c == ';') {
        st_ = St::ExtNameBws;
      } else if (ows(c)) {
        st_ = St::ExtBws;
      } else if (c == '\r') {
        st_ = St::SizeLf;
      } else {
        return stop(i, 400, "invalid chunk size");
      }
      break;
    default:  // St::SizeLf
      if (c != '\n') return stop(i, 400, "CR without LF");
      if (size_ == 0) {
        st_ = St::TrailerStart;  // last-chunk
        trailer_start_ = i + 1;
      } else {
        st_ = St::Data;
      }
      break;
  }
  return ScanStep::Advance;
}

// chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] ) (RFC 9112 §7.1.1)
ScanStep ChunkedScanner::extension(unsigned char c, std::size_t i) {
  if (i - line_start_ >= lim_.max_line) return stop(i, 400, "chunk-size line too long");
  switch (st_) {
    case St::ExtBws:
      if (c == ';') st_ = St::ExtNameBws;
      else if (c == '\r') st_ = St::SizeLf;
      else if (!ows(c)) return stop(i, 400, "invalid chunk extension");
      break;
    case St::ExtNameBws:
      if (is(c, kTchar)) st_ = St::ExtName;
      else if (!ows(c)) return stop(i, 400, "invalid chunk extension");
      break;
    case St::ExtName:
    case St::ExtAfterName:
      if (is(c, kTchar) && st_ == St::ExtName) break;
      if (ows(c)) st_ = St::ExtAfterName;
      else if (c == '=') st_ = St::ExtValBws;
      else if (c == ';') st_ = St::ExtNameBws;
      else if (c == '\r') st_ = St::SizeLf;
      else return stop(i, 400, "invalid chunk extension");
      break;
    case St::ExtValBws:
      if (is(c, kTchar)) st_ = St::ExtValToken;
      else if (c == '"') st_ = St::ExtValQuoted;
      else if (!ows(c)) return stop(i, 400, "invalid chunk extension");
      break;
    case St::ExtValToken:
      if (is(c, kTchar)) break;
      if (ows(c)) st_ = St::ExtBws;
      else if (c == ';') st_ = St::ExtNameBws;
      else if (c == '\r') st_ = St::SizeLf;
      else return stop(i, 400, "invalid chunk extension");
      break;
    case St::ExtValQuoted:
      if (c == '"') st_ = St::ExtBws;
      else if (c == '\\') st_ = St::ExtValEscape;
      else if (!is(c, kQdtext)) return stop(i, 400, "control character in a chunk extension");
      break;
    default:  // St::ExtValEscape
      if (!is(c, kFieldChar)) return stop(i, 400, "control character in a chunk extension");
      st_ = St::ExtValQuoted;
      break;
  }
  return ScanStep::Advance;
}

// chunk-data CRLF, and after the last chunk the trailer section and its final CRLF.
ScanStep ChunkedScanner::data_and_trailer(const unsigned char* p, std::size_t& i, std::size_t end) {
  const unsigned char c = p[i];
  const bool trailer_full = i - trailer_start_ >= lim_.max_trailer;
  switch (st_) {
    case St::Data: {
      // Skipped, not examined.
      const std::size_t take = static_cast<std::size_t>(std::min<uint64_t>(size_, end - i));
      i += take;
      size_ -= take;
      v_.body_len += take;
      if (size_ == 0) st_ = St::DataCr;
      return ScanStep::Stay;
    }
    case St::DataCr:
      if (c != '\r') return stop(i, 400, "chunk data longer than its size");
      st_ = St::DataLf;
      break;
    case St::DataLf:
      if (c != '\n') return stop(i, 400, "CR without LF");
      st_ = St::SizeFirst;
      break;
    case St::TrailerStart:
      if (trailer_full) return stop(i, 431, "trailer section too large");
      if (c == '\r') st_ = St::EndLf;
      else if (is(c, kTchar)) st_ = St::TrailerName;
      else return stop(i, 400, ows(c) ? "obsolete line folding" : "invalid trailer field");
      break;
    case St::TrailerName:
      if (trailer_full) return stop(i, 431, "trailer section too large");
      if (c == ':') st_ = St::TrailerValue;
      else if (!is(c, kTchar)) return stop(i, 400, ows(c) ? "whitespace before a colon" : "invalid trailer field");
      break;
    case St::TrailerValue:
      if (trailer_full) return stop(i, 431, "trailer section too large");
      if (c == '\r') st_ = St::TrailerLf;
      else if (!is(c, kFieldChar)) return stop(i, 400, "control character in a trailer field");
      break;
    case St::TrailerLf:
      if (c != '\n') return stop(i, 400, "CR without LF");
      st_ = St::TrailerStart;
      break;
    default:  // St::EndLf
      if (c != '\n') return stop(i, 400, "CR without LF");
      v_.kind = ChunkedVerdict::Complete;
      v_.wire_len = i + 1;
      pos_ = i + 1;
      return ScanStep::Stop;
  }
  return ScanStep::Advance;
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
