// Strict request framing on the wire (RFC 9112; bindings/http/request_head.hpp; docs/decisions.md
// "HTTP request heads"): a real taxiid on 127.0.0.1, spoken to with raw bytes over plain TCP and
// over TLS. Whatever is not a valid request head is answered with its status (400, or 431, 501,
// 505) and the connection is closed at once (within 1 s, not at request_timeout); a well-formed
// TAXII Discovery request on a new connection is served right after each case.
#define BOOST_TEST_MODULE wire_framing
#include <boost/test/unit_test.hpp>

#include <openssl/bio.h>
#include <openssl/ssl.h>

#include <chrono>
#include <iomanip>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include <Poco/Exception.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include "bindings/http/request_head.hpp"
#include "tests/wire/wire_support.hpp"

using namespace taxii;
using namespace taxii::wire;
using namespace taxii::wire::raw;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

// A Discovery request's head with `fields` added (then Content-Length unless `framing` is
// false) and its line endings replaced by `eol`.
std::string head(const std::string& fields = "", bool framing = true, const std::string& eol = "\r\n",
                 const std::string& line = "POST /services/discovery HTTP/1.1") {
  std::string h = line + "\r\nHost: 127.0.0.1\r\n" + kRawTaxii11 + fields;
  if (framing) h += "Content-Length: " + std::to_string(kDiscovery11.size()) + "\r\n";
  h += "\r\n";
  if (eol != "\r\n")
    for (std::size_t p = h.find("\r\n"); p != std::string::npos; p = h.find("\r\n", p + eol.size()))
      h.replace(p, 2, eol);
  return h;
}

std::string discovery(const std::string& fields = "", bool framing = true, const std::string& eol = "\r\n",
                      const std::string& line = "POST /services/discovery HTTP/1.1") {
  return head(fields, framing, eol, line) + kDiscovery11;
}

std::string chunked(const std::string& body) {
  std::ostringstream c;
  c << std::hex << body.size() << "\r\n" << body << "\r\n0\r\n\r\n";
  return c.str();
}

// The first flight of a real TLS client (its ClientHello record), made by OpenSSL in-process
// on a pair of memory BIOs.
std::string client_hello() {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL* ssl = SSL_new(ctx);
  BIO* in = BIO_new(BIO_s_mem());
  BIO* out = BIO_new(BIO_s_mem());
  SSL_set_bio(ssl, in, out);  // ssl owns both
  SSL_set_tlsext_host_name(ssl, "127.0.0.1");
  SSL_set_connect_state(ssl);
  SSL_do_handshake(ssl);  // -1, SSL_ERROR_WANT_READ: the ClientHello is in `out`
  char* data = nullptr;
  const long n = BIO_get_mem_data(out, &data);
  std::string hello(data, static_cast<std::size_t>(n > 0 ? n : 0));
  SSL_free(ssl);
  SSL_CTX_free(ctx);
  return hello;
}

struct Outcome {
  std::string raw;        // everything the server sent
  int http = 0;           // the status of its first answer, 0 if none
  bool closed = false;    // the server closed (or reset) the connection
  double close_s = -1;    // seconds from the last byte sent to the close
};

// Sends `bytes` on a fresh connection (TLS with `tls`), then reads until the server closes or
// `deadline` passes (or, with `one_answer`, until a whole answer has come).
Outcome hit(uint16_t port, const std::string& bytes, Poco::Net::Context::Ptr tls = nullptr,
            std::chrono::milliseconds deadline = 3000ms, bool one_answer = false) {
  Outcome o;
  std::unique_ptr<Poco::Net::StreamSocket> s;
  const Poco::Net::SocketAddress addr("127.0.0.1", port);
  if (tls) s = std::make_unique<Poco::Net::SecureStreamSocket>(addr, tls);
  else s = std::make_unique<Poco::Net::StreamSocket>(addr);
  s->setReceiveTimeout(Poco::Timespan(0, 100000));
  try {
    s->sendBytes(bytes.data(), static_cast<int>(bytes.size()));
  } catch (const Poco::Exception&) {
    // Refused while we were still sending: what it answered is read below.
  }
  const auto t0 = Clock::now();
  char buf[16384];
  while (Clock::now() - t0 < deadline) {
    int got = 0;
    try {
      got = s->receiveBytes(buf, sizeof buf);
    } catch (const Poco::TimeoutException&) {
      continue;
    } catch (const Poco::Exception&) {
      got = 0;  // reset
    }
    if (got <= 0) {
      o.closed = true;
      o.close_s = std::chrono::duration<double>(Clock::now() - t0).count();
      break;
    }
    o.raw.append(buf, static_cast<std::size_t>(got));
    if (one_answer && whole_answer(o.raw)) break;
  }
  if (o.raw.rfind("HTTP/1.", 0) == 0) o.http = std::atoi(o.raw.c_str() + 9);
  return o;
}

struct Server {
  TaxiidProcess process{[] {
    ServerSpec s;
    s.tls = true;  // a plain and a TLS listener; no client certificates
    s.request_timeout = 10;  // a server that waits for more would be seen to wait
    return s;
  }()};
  Poco::Net::Context::Ptr tls = client_context(process.pki(), false);
};

Server* server = nullptr;

struct Global {
  Global() { server = new Server; }
  ~Global() {
    const int status = server->process.terminate();
    BOOST_TEST(status == 0, "taxiid exit status " << status << "\n" << server->process.log());
    delete server;
  }
};
BOOST_TEST_GLOBAL_FIXTURE(Global);

// A Discovery request on a new connection is served.
void still_serves(bool over_tls) {
  Client c(over_tls ? server->process.https_port() : server->process.http_port(), over_tls ? server->tls : nullptr);
  Reply r = c.post("/services/discovery", kDiscovery11, taxii_headers(Version::V11, over_tls));
  BOOST_TEST(r.status == 200);
  BOOST_TEST((r.message && std::holds_alternative<v11::DiscoveryResponse>(*r.message)), r.body.substr(0, 200));
}

// `bytes` is answered with `status` and the connection closed within 1 s; then the server
// still serves a good request.
void expect_refused(const std::string& bytes, int status, bool over_tls = false) {
  BOOST_TEST_CONTEXT((over_tls ? "TLS: " : "plain: ") << std::quoted(bytes.substr(0, 160))) {
    // The scanner the engine runs gives this verdict on these bytes (a wrong answer below is
    // then the engine's, not the rule's).
    const http::HeadVerdict v = http::RequestHeadScanner().feed(bytes);
    BOOST_TEST((v.kind == http::HeadVerdict::Invalid && v.status == status), "scanner: " << v.status << " " << v.reason);
    const Outcome o = hit(over_tls ? server->process.https_port() : server->process.http_port(), bytes,
                          over_tls ? server->tls : nullptr);
    BOOST_TEST(o.http == status, "answer: " << std::quoted(o.raw.substr(0, 300)));
    BOOST_TEST(o.closed, "not closed within 3 s");
    BOOST_TEST((o.closed && o.close_s < 1.0), "closed after " << o.close_s << " s");
    // One answer, no second (a smuggled request would get one).
    BOOST_TEST(o.raw.find("HTTP/1.", 1) == std::string::npos, std::quoted(o.raw.substr(0, 600)));
    still_serves(over_tls);
  }
}

}  // namespace

// --- Baseline: the same requests, well-formed, are served -----------------------------------

BOOST_AUTO_TEST_CASE(well_formed_requests_are_served) {
  for (bool over_tls : {false, true}) {
    const uint16_t port = over_tls ? server->process.https_port() : server->process.http_port();
    const auto tls = over_tls ? server->tls : nullptr;
    for (const std::string& bytes : {discovery(), head("Transfer-Encoding: chunked\r\n", false) + chunked(kDiscovery11),
                                     discovery("X-Tab:\ta\tb\t\r\nX-Empty:\r\nX-Obs-Text: caf\xc3\xa9\r\n")}) {
      BOOST_TEST_CONTEXT((over_tls ? "TLS: " : "plain: ") << std::quoted(bytes.substr(0, 120))) {
        BOOST_TEST(http::RequestHeadScanner().feed(bytes).kind == http::HeadVerdict::Complete);
        const Outcome o = hit(port, bytes, tls, 3000ms, true);
        BOOST_TEST(o.http == 200, std::quoted(o.raw.substr(0, 300)));
        BOOST_TEST(o.raw.find("Discovery_Response") != std::string::npos);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(an_empty_line_before_the_request_line_is_ignored) {
  // RFC 9112 §2.2 (SHOULD): the scanner's `start` says where the request line begins.
  for (bool over_tls : {false, true}) {
    const Outcome o = hit(over_tls ? server->process.https_port() : server->process.http_port(), "\r\n" + discovery(),
                          over_tls ? server->tls : nullptr, 3000ms, true);
    BOOST_TEST(o.http == 200, (over_tls ? "TLS: " : "plain: ") << std::quoted(o.raw.substr(0, 300)));
  }
}

BOOST_AUTO_TEST_CASE(a_request_sent_one_byte_at_a_time_is_served) {
  // The head is judged incrementally: every prefix of a good request is "not yet", never wrong.
  Poco::Net::StreamSocket s(Poco::Net::SocketAddress("127.0.0.1", server->process.http_port()));
  s.setNoDelay(true);
  const std::string bytes = discovery();
  const std::size_t head_len = bytes.size() - kDiscovery11.size();
  for (std::size_t i = 0; i < head_len; ++i) {
    s.sendBytes(bytes.data() + i, 1);
    std::this_thread::sleep_for(1ms);
  }
  s.sendBytes(bytes.data() + head_len, static_cast<int>(kDiscovery11.size()));
  s.setReceiveTimeout(Poco::Timespan(5, 0));
  std::string got;
  char buf[8192];
  while (got.find("</taxii_11:Discovery_Response>") == std::string::npos) {
    const int n = s.receiveBytes(buf, sizeof buf);
    if (n <= 0) break;
    got.append(buf, static_cast<std::size_t>(n));
  }
  BOOST_TEST(got.rfind("HTTP/1.1 200", 0) == 0u, std::quoted(got.substr(0, 300)));
  BOOST_TEST(got.find("Discovery_Response") != std::string::npos);
}

// --- Refused at the first impossible byte, not at the end of the head -----------------------------

BOOST_AUTO_TEST_CASE(an_invalid_byte_is_refused_before_the_head_ends) {
  // No CRLF CRLF ever comes: a server that waits for it answers only at request_timeout (10 s).
  for (bool over_tls : {false, true}) {
    expect_refused("POST /services/discovery HTTP/1.1\r\nHost: x\r\nX-A: a\x01", 400, over_tls);
    expect_refused("POST /services/discovery HTTP/1.1\r\nHost: x\r\nTransfer-Encoding :", 400, over_tls);
    expect_refused("POST /services/discovery HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b", 400, over_tls);
    expect_refused("GET /x HTTP/1.1\n", 400, over_tls);
  }
}

// --- Not HTTP at all --------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(tls_client_hello_on_the_plain_listener_is_400_and_closed) {
  const std::string hello = client_hello();
  BOOST_TEST_REQUIRE(hello.size() > 50u);
  BOOST_TEST_REQUIRE(hello.compare(0, 2, "\x16\x03") == 0);  // a TLS handshake record
  expect_refused(hello, 400);
}

BOOST_AUTO_TEST_CASE(garbage_request_lines_are_400) {
  expect_refused("THIS IS NOT HTTP\r\n\r\n", 400);
  expect_refused(std::string("\x00\x01\x02\x03 binary", 11), 400);
  expect_refused("GET  /services/discovery HTTP/1.1\r\nHost: x\r\n\r\n", 400);     // two spaces
  expect_refused("POST services/discovery HTTP/1.1\r\nHost: x\r\n\r\n", 400);      // no leading '/'
  expect_refused("POST /services/disc\x01overy HTTP/1.1\r\nHost: x\r\n\r\n", 400);  // CTL in the target
}

// --- Smuggling vectors, plain and TLS -----------------------------------------------------------

BOOST_AUTO_TEST_CASE(whitespace_before_a_colon_is_400) {
  // RFC 9112 §5.1. The chunked body hides a second request: a server that took the field
  // for Transfer-Encoding would answer that one too.
  for (bool over_tls : {false, true}) {
    expect_refused(head("Transfer-Encoding : chunked\r\n", false) + "0\r\n\r\n" + discovery(), 400, over_tls);
    expect_refused(head("Content-Length : " + std::to_string(kDiscovery11.size()) + "\r\n", false) + kDiscovery11,
                   400, over_tls);
    expect_refused(discovery("X-Any : v\r\n"), 400, over_tls);
  }
}

BOOST_AUTO_TEST_CASE(content_length_with_transfer_encoding_is_400) {
  // RFC 9112 §6.1: a server MAY reject; we do.
  const std::string body = "0\r\n\r\n" + discovery();
  for (bool over_tls : {false, true})
    expect_refused("POST /services/discovery HTTP/1.1\r\nHost: x\r\n" + kRawTaxii11 +
                       "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n" + body,
                   400, over_tls);
}

BOOST_AUTO_TEST_CASE(two_different_content_lengths_are_400) {
  // RFC 9112 §6.3.
  for (bool over_tls : {false, true}) expect_refused(discovery("Content-Length: 3\r\n"), 400, over_tls);
}

BOOST_AUTO_TEST_CASE(obs_fold_is_400) {
  // RFC 9112 §5.2: reject (we do not replace it).
  for (bool over_tls : {false, true}) expect_refused(discovery("X-Folded: a\r\n b\r\n"), 400, over_tls);
}

BOOST_AUTO_TEST_CASE(bare_cr_is_400) {
  // RFC 9112 §2.2.
  for (bool over_tls : {false, true}) expect_refused(discovery("X-Evil: a\rSet-Cookie: x=1\r\n"), 400, over_tls);
}

BOOST_AUTO_TEST_CASE(control_characters_in_field_values_are_400) {
  // RFC 9110 §5.5.
  for (bool over_tls : {false, true}) {
    expect_refused(discovery(std::string("X-Nul: a\0b\r\n", 12)), 400, over_tls);
    expect_refused(discovery("X-Esc: a\x1b[31mb\r\n"), 400, over_tls);
    expect_refused(discovery("X-Del: a\x7f\r\n"), 400, over_tls);
  }
}

BOOST_AUTO_TEST_CASE(lf_only_line_endings_are_400) {
  // RFC 9112 §2.2 allows a bare LF; taxiid does not (docs/decisions.md).
  for (bool over_tls : {false, true}) {
    expect_refused("GET /x HTTP/1.1\nHost: x\n\n", 400, over_tls);
    expect_refused(discovery("", true, "\n"), 400, over_tls);
  }
}

// --- Other head rules ---------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(field_line_without_a_colon_is_400) { expect_refused(discovery("NoColonHere\r\n"), 400); }

BOOST_AUTO_TEST_CASE(http11_without_host_is_400) {
  // RFC 9112 §3.2.
  expect_refused("POST /services/discovery HTTP/1.1\r\n" + kRawTaxii11 + "Content-Length: " +
                     std::to_string(kDiscovery11.size()) + "\r\n\r\n" + kDiscovery11,
                 400);
  expect_refused(discovery("Host: other\r\n"), 400);  // two Host fields
}

BOOST_AUTO_TEST_CASE(unknown_transfer_codings) {
  // RFC 9112 §6.3 rule 4: chunked not final -> 400; RFC 9112 §6.1: an unknown coding -> 501.
  expect_refused(discovery("Transfer-Encoding: gzip\r\n", false), 400);
  expect_refused(discovery("Transfer-Encoding: gzip, chunked\r\n", false), 501);
}

BOOST_AUTO_TEST_CASE(other_http_versions_are_505) {
  // RFC 9110 §15.6.6.
  expect_refused("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505);
  expect_refused(discovery("", true, "\r\n", "POST /services/discovery HTTP/1.2"), 505);
}

BOOST_AUTO_TEST_CASE(oversized_heads_are_431) {
  // RFC 6585 §5.
  std::string fields;
  for (int i = 0; i < 101; ++i) fields += "X-F" + std::to_string(i) + ": v\r\n";
  expect_refused(discovery(fields), 431);
  expect_refused(discovery("X-Big: " + std::string(9000, 'a') + "\r\n"), 431);
  std::string many;
  for (int i = 0; i < 70; ++i) many += "X-P" + std::to_string(i) + ": " + std::string(1000, 'p') + "\r\n";
  expect_refused(discovery(many), 431);  // 70 KiB of head
}
