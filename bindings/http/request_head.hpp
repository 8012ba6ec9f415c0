// A strict, incremental validator of HTTP/1.1 request heads (RFC 9112) and of chunked
// bodies (RFC 9112 §7.1), run on the bytes the connection engine has staged before Poco
// parses them. Poco is lenient (it accepts whitespace before a field's colon, obs-fold, bare
// LF, a line without a colon, ...): what Poco would read differently from a front-end proxy
// is refused here first (request smuggling), and what is not HTTP at all (a TLS ClientHello
// on a plain listener, binary noise) is refused at its first impossible byte instead of
// waiting for a "\r\n\r\n" that never comes.
//
// Use: one scanner per connection (or per request). Each time more bytes are staged, call
// feed() with ALL the bytes of this request seen so far (the view must begin at the
// request's first byte and extend the previous view; its address may change, e.g. after the
// buffer grew). The scanner resumes where it stopped: the whole head is looked at once,
// however it is split. After Complete or Invalid, feed() returns the same verdict until
// reset(). Nothing is allocated; a verdict's reason is a static string.
//
// Decisions (docs/decisions.md "HTTP request heads"):
// - Line terminator: CRLF only. A bare LF anywhere in the head, or a CR not followed by LF,
//   is 400 (RFC 9112 §2.2 allows either; one rule for every line removes a parser
//   difference a smuggler could use).
// - Empty lines (CRLF) before the request line are skipped (RFC 9112 §2.2); `start` says
//   where the request line begins. They count toward max_head.
// - HTTP-version: `HTTP/1.0` and `HTTP/1.1` are served; any other well-formed `HTTP/D.D`
//   (HTTP/2.0 prior knowledge, HTTP/1.2, HTTP/3.7) is 505 (RFC 9110 §15.6.6); anything
//   else in its place is 400.
// - Too large: a field name or value over Poco's limits, more than max_fields fields, or a
//   head that has not ended after max_head bytes: 431 (RFC 6585 §5). A request-target over
//   max_target: 414 (RFC 9112 §3, MUST). A method over max_method: 501 (RFC 9112 §3, SHOULD).
// - Transfer-Encoding whose final coding is not chunked, or chunked twice: 400 (RFC 9112
//   §6.3 rule 4, MUST); chunked preceded by another coding (e.g. "gzip, chunked"): 501
//   (RFC 9112 §6.1, SHOULD: a coding we do not understand).
// - Two Content-Length fields (even equal), two Transfer-Encoding fields, both at once,
//   Transfer-Encoding in an HTTP/1.0 request, or a Content-Length that is not 1*DIGIT: 400
//   (RFC 9112 §6.1, §6.3; docs/security.md).
// - Host: an HTTP/1.1 request without one, two of them, or one with a value that is not
//   uri-host [":" port]: 400 (RFC 9112 §3.2, MUST).
// Every Invalid verdict means: answer `status` and close the connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace taxii::http {

// The defaults are Poco's own limits (HTTPRequest, MessageHeader), so that no head accepted
// here is refused by Poco afterwards, plus the engine's 64 KiB staging limit.
struct HeadLimits {
  std::size_t max_head = 64 * 1024;  // bytes up to and including the final CRLF CRLF
  std::size_t max_method = 32;       // Poco MAX_METHOD_LENGTH; longer -> 501
  std::size_t max_target = 16384;    // Poco MAX_URI_LENGTH; longer -> 414
  std::size_t max_name = 256;        // Poco MAX_NAME_LENGTH; longer -> 431
  std::size_t max_value = 8192;      // Poco MAX_VALUE_LENGTH (after leading OWS); longer -> 431
  std::size_t max_fields = 100;      // Poco DFL_FIELD_LIMIT; more -> 431
  bool require_host = true;          // RFC 9112 §3.2
};

// One step of a scanner's loop (internal): go to the next byte, look at byte i again (the
// state changed, or i moved), or stop with the verdict.
enum class ScanStep : uint8_t { Advance, Stay, Stop };

struct HeadVerdict {
  enum Kind { Incomplete, Complete, Invalid };
  Kind kind = Incomplete;
  // Complete: bytes of the head including leading empty lines and the final CRLF CRLF (the
  // body, if any, starts there); `start`: where the request line begins.
  std::size_t head_len = 0;
  std::size_t start = 0;
  // Invalid: the offset of the byte that made the prefix invalid (for a length limit: the
  // first byte over it; for max_head: byte max_head - 1, when it is not the head's end; for a
  // rule judged at the end of a field line or of the head: that line's LF).
  std::size_t error_at = 0;
  // What the head says about the body (RFC 9112 §6.3): neither set means no body.
  std::optional<uint64_t> content_length;
  bool chunked = false;
  bool expect_continue = false;  // "Expect: 100-continue" in an HTTP/1.1 request (RFC 9110 §10.1.1)
  bool keep_alive_hint = false;  // RFC 9112 §9.3: 1.1 unless "close"; 1.0 only with "keep-alive"
  int http_minor = 1;            // 0 or 1 once the version is known
  int status = 0;                // Invalid: 400, 414, 431, 501 or 505
  std::string_view reason;       // Invalid: a static, human-readable reason
};

class RequestHeadScanner {
 public:
  explicit RequestHeadScanner(HeadLimits limits = {}) : lim_(limits) {}
  // All bytes of this request seen so far (see above). Linear over the whole head.
  HeadVerdict feed(std::string_view all);
  // Forget everything: the next feed() starts a new request at its first byte.
  void reset();
  const HeadVerdict& verdict() const { return v_; }
  // Bytes examined since construction (a byte may be looked at twice: once while scanning,
  // once when its field's value is interpreted). For tests of linearity.
  uint64_t steps() const { return steps_; }

 private:
  enum class St : uint8_t;
  enum class Field : uint8_t { Other, ContentLength, TransferEncoding, Expect, Connection, Host };
  HeadVerdict& fail(std::size_t at, int status, std::string_view reason);
  ScanStep stop(std::size_t at, int status, std::string_view reason);  // fail(), then Stop
  // The states of feed(), by part of the head (request_head.cpp). Inlined into feed()'s
  // loop, which calls one of them per byte or run of bytes: as calls they cost the scanner
  // half again its time (bench/RESULTS.md, the #21 profile); stop() stays a call (cold).
  [[gnu::always_inline]] inline ScanStep request_line_start(unsigned char c, std::size_t i);
  [[gnu::always_inline]] inline ScanStep target_and_version(const unsigned char* p, std::size_t& i, std::size_t end);
  [[gnu::always_inline]] inline ScanStep field_name(std::string_view all, const unsigned char* p, std::size_t& i,
                                                    std::size_t end);
  [[gnu::always_inline]] inline ScanStep field_value(std::string_view all, const unsigned char* p, std::size_t& i,
                                                     std::size_t end);
  [[gnu::always_inline]] inline ScanStep value_byte(const unsigned char* p, std::size_t& i, std::size_t end);
  bool field_name_done(std::string_view name, std::size_t at);
  bool field_line_done(std::string_view all, std::size_t lf);
  bool head_done(std::size_t lf);

  HeadLimits lim_;  // max_head >= 1
  HeadVerdict v_;
  St st_{};
  std::size_t pos_ = 0;         // next byte to look at
  std::size_t tok_start_ = 0;   // start of the current method / target / field name / value
  std::size_t value_end_ = 0;   // the CR ending the current field value
  std::size_t fields_ = 0;
  uint8_t idx_ = 0;             // progress through a literal ("HTTP/", "http://")
  uint8_t major_ = 0;
  uint8_t cl_state_ = 0;        // Content-Length value: 0 leading OWS, 1 digits, 2 trailing OWS
  Field field_ = Field::Other;
  bool seen_cl_ = false, seen_te_ = false, seen_host_ = false;
  bool conn_close_ = false, conn_keep_alive_ = false;
  uint64_t cl_ = 0;
  uint64_t steps_ = 0;
};

struct ChunkedLimits {
  uint64_t max_body = 32 * 1024 * 1024;  // decoded bytes; more -> 413
  std::size_t max_line = 4096;           // a chunk-size line with its extensions; longer -> 400
  std::size_t max_trailer = 8192;        // the trailer section; longer -> 431
  // Bytes on the wire (data plus framing); more -> 413. 0: 2 * max_body + 64 KiB.
  uint64_t max_wire = 0;
};

struct ChunkedVerdict {
  enum Kind { Incomplete, Complete, Invalid };
  Kind kind = Incomplete;
  std::size_t wire_len = 0;  // Complete: the chunked body's bytes through the trailer's final CRLF
  uint64_t body_len = 0;     // decoded bytes so far (all of them when Complete)
  std::size_t error_at = 0;  // Invalid: offset of the offending byte
  int status = 0;            // Invalid: 400, 413 or 431
  std::string_view reason;
};

// Finds the end of a chunked body (RFC 9112 §7.1): chunks, last-chunk, trailer section and
// its final CRLF, validating the framing on the way (hex sizes without overflow, chunk
// extensions per their grammar, CRLF after each chunk's data, trailer fields like header
// fields). Same feeding rule as RequestHeadScanner: all the body's bytes seen so far, from
// its first byte. Chunk data is skipped, not looked at: linear in the framing.
class ChunkedScanner {
 public:
  explicit ChunkedScanner(ChunkedLimits limits = {});
  ChunkedVerdict feed(std::string_view all);
  void reset();
  const ChunkedVerdict& verdict() const { return v_; }
  uint64_t steps() const { return steps_; }
  // The data of a chunked body the scanner found Complete (wire = its first wire_len bytes),
  // appended to `out`; false if `wire` is not a whole chunked body.
  static bool decode(std::string_view wire, std::string& out);

 private:
  enum class St : uint8_t;
  ChunkedVerdict& fail(std::size_t at, int status, std::string_view reason);
  ScanStep stop(std::size_t at, int status, std::string_view reason);  // fail(), then Stop
  // The states of feed(), by part of the body (chunked_scanner.cpp).
  ScanStep size_line(unsigned char c, std::size_t i);
  ScanStep extension(unsigned char c, std::size_t i);
  ScanStep data_and_trailer(const unsigned char* p, std::size_t& i, std::size_t end);

  ChunkedLimits lim_;
  ChunkedVerdict v_;
  St st_{};
  std::size_t pos_ = 0;
  std::size_t line_start_ = 0;
  std::size_t trailer_start_ = 0;
  uint64_t size_ = 0;       // the current chunk's size, then what is left of its data
  uint64_t steps_ = 0;
};

}  // namespace taxii::http
