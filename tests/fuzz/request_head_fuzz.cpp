// libFuzzer target: the strict HTTP/1.1 request-head and chunked-body scanners
// (bindings/http/request_head.hpp) that the connection engine runs on every staged byte.
// Oracles:
//   - split-invariance: the input fed whole, and fed in pieces whose sizes the input's last
//     bytes choose, gives the same verdict (kind, status, lengths, error offset): the engine
//     feeds whatever recv(2) returned;
//   - linearity: the scanner's step counter stays within a constant factor of the bytes fed,
//     however they are split (a superlinear rescan is a finding, not only a slow unit);
//   - agreement with Poco: a head the scanner calls Complete is parsed by Poco's
//     HTTPRequest::read (the parser the engine hands it to) without an exception: nothing the
//     scanner lets through is refused, or read differently, behind it;
//   - a Complete chunked body decodes, and its decoded length is the scanner's body_len.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <algorithm>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>

#include <Poco/Exception.h>
#include <Poco/Net/HTTPRequest.h>

#include "bindings/http/request_head.hpp"

namespace {

using taxii::http::ChunkedScanner;
using taxii::http::ChunkedVerdict;
using taxii::http::HeadVerdict;
using taxii::http::RequestHeadScanner;

[[noreturn]] void oracle(const char* what) {
  std::fprintf(stderr, "oracle: %s\n", what);
  std::abort();
}

// Pieces of 1..16 bytes, their sizes taken in turn from `seed` (never empty).
template <class Scanner>
auto feed_split(Scanner& s, std::string_view in, std::string_view seed) {
  std::size_t end = 0, k = 0;
  auto v = s.feed(in.substr(0, 0));
  while (end < in.size()) {
    const std::size_t step = 1 + (seed.empty() ? 0 : static_cast<unsigned char>(seed[k++ % seed.size()]) % 16);
    end = std::min(in.size(), end + step);
    v = s.feed(in.substr(0, end));
    if (v.kind != std::decay_t<decltype(v)>::Incomplete) break;
  }
  return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const std::string_view seed = in.substr(in.size() > 8 ? in.size() - 8 : 0);

  RequestHeadScanner whole;
  const HeadVerdict a = whole.feed(in);
  RequestHeadScanner split;
  const HeadVerdict b = feed_split(split, in, seed);
  if (a.kind != b.kind || a.status != b.status || a.head_len != b.head_len || a.start != b.start ||
      (a.kind == HeadVerdict::Invalid && a.error_at != b.error_at) || a.content_length != b.content_length ||
      a.chunked != b.chunked)
    oracle("head verdict depends on how the bytes were split");
  if (split.steps() > 4 * (in.size() + 16) + 64) oracle("head scanner is not linear in its input");

  if (a.kind == HeadVerdict::Complete) {
    if (a.head_len > in.size() || a.start > a.head_len) oracle("head_len or start out of range");
    std::istringstream head(std::string(in.substr(a.start, a.head_len - a.start)));
    Poco::Net::HTTPRequest req;
    try {
      req.read(head);
    } catch (const Poco::Exception& e) {
      std::fprintf(stderr, "Poco: %s\n", e.displayText().c_str());
      oracle("a head the scanner accepted is refused by Poco");
    }
    if (a.content_length && (!req.hasContentLength() ||
                             static_cast<uint64_t>(req.getContentLength64()) != *a.content_length))
      oracle("Poco reads another Content-Length");
    if (a.chunked != req.getChunkedTransferEncoding()) oracle("Poco reads the transfer coding differently");

    if (a.chunked) {
      const std::string_view body = in.substr(a.head_len);
      ChunkedScanner cw;
      const ChunkedVerdict x = cw.feed(body);
      ChunkedScanner cs;
      const ChunkedVerdict y = feed_split(cs, body, seed);
      if (x.kind != y.kind || x.status != y.status || x.wire_len != y.wire_len || x.body_len != y.body_len)
        oracle("chunked verdict depends on how the bytes were split");
      if (cs.steps() > 4 * (body.size() + 16) + 64) oracle("chunked scanner is not linear in its input");
      if (x.kind == ChunkedVerdict::Complete) {
        std::string out;
        if (!ChunkedScanner::decode(body.substr(0, x.wire_len), out)) oracle("a complete chunked body does not decode");
        if (out.size() != x.body_len) oracle("decoded length differs from body_len");
      }
    }
  }
  return 0;
}
