// Hostile requests over real HTTP (issue #7, docs/security.md "HTTP hardening"): XXE and
// entity variants, DOCTYPE, deep nesting, huge bodies (declared and actual), invalid UTF-8,
// wrong and duplicated headers, slowloris, 1,000 idle connections, chunked abuse, path
// traversal, header injection, method abuse. Each case asserts the exact answer (HTTP code and
// TAXII status type, or that the connection is cut) while a well-behaved client keeps asking
// Discovery in a loop: every one of its requests must succeed, each within a deadline.
#define BOOST_TEST_MODULE wire_hostile
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include <Poco/Exception.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include "tests/wire/wire_support.hpp"

using namespace taxii;
using namespace taxii::wire;
using namespace taxii::wire::raw;
using Clock = std::chrono::steady_clock;

namespace {

std::string corpus(const std::string& name) {
  std::ifstream in(std::string(TAXII_SOURCE_DIR) + "/tests/hostile/corpus/" + name, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Answer {
  int http = 0;           // 0: no answer (connection cut or timed out)
  std::string taxii;      // status_type of a Status_Message, the root element name, or ""
  std::string raw;
  bool closed = false;    // the server closed the connection
};

std::string root_or_status(const std::string& body) {
  const auto st = body.find("status_type=\"");
  if (st != std::string::npos) return body.substr(st + 13, body.find('"', st + 13) - st - 13);
  const auto lt = body.find(":", body.find("<taxii"));
  if (lt == std::string::npos) return "";
  const auto end = body.find_first_of(" />", lt);
  return body.substr(lt + 1, end - lt - 1);
}

// Sends `bytes` (in pieces of `piece` bytes every `gap`, for slow senders) and reads one
// response, or until the server closes, within `deadline`.
Answer exchange(uint16_t port, const std::string& bytes, std::chrono::milliseconds deadline = std::chrono::seconds(10),
                std::size_t piece = 0, std::chrono::milliseconds gap = {}) {
  Answer a;
  Poco::Net::StreamSocket s(Poco::Net::SocketAddress("127.0.0.1", port));
  s.setReceiveTimeout(Poco::Timespan(0, 200000));
  const auto until = Clock::now() + deadline;
  try {
    if (piece == 0) {
      s.sendBytes(bytes.data(), static_cast<int>(bytes.size()));
    } else {
      for (std::size_t i = 0; i < bytes.size() && Clock::now() < until; i += piece) {
        s.sendBytes(bytes.data() + i, static_cast<int>(std::min(piece, bytes.size() - i)));
        std::this_thread::sleep_for(gap);
        if (s.poll(Poco::Timespan(0), Poco::Net::Socket::SELECT_READ)) break;  // answered or closed
      }
    }
  } catch (const Poco::Exception&) {
    a.closed = true;  // reset while sending: the server gave up on us
  }
  char buf[65536];
  while (Clock::now() < until) {
    int got = 0;
    try {
      got = s.receiveBytes(buf, sizeof buf);
    } catch (const Poco::TimeoutException&) {
      if (whole_answer(a.raw)) break;
      continue;
    } catch (const Poco::Exception&) {
      a.closed = true;
      break;
    }
    if (got <= 0) {
      a.closed = true;
      break;
    }
    a.raw.append(buf, static_cast<std::size_t>(got));
  }
  if (a.raw.rfind("HTTP/1.", 0) == 0) {
    a.http = std::atoi(a.raw.c_str() + 9);
    const auto he = a.raw.find("\r\n\r\n");
    if (he != std::string::npos) a.taxii = root_or_status(a.raw.substr(he + 4));
  }
  return a;
}

// The well-behaved client: Discovery in a loop on its own keep-alive connection.
class Bystander {
 public:
  explicit Bystander(uint16_t port) : port_(port), thread_([this] { run(); }) {}
  ~Bystander() { stop(); }
  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  int ok() const { return ok_; }
  int failed() const { return failed_; }
  double worst_ms() const { return worst_ms_; }
  std::string last_error() const { return error_; }

 private:
  void run() {
    std::unique_ptr<Client> c;
    while (!stop_) {
      const auto t0 = Clock::now();
      try {
        if (!c) c = std::make_unique<Client>(port_);
        Reply r = c->post("/services/discovery", kDiscovery11, taxii_headers(Version::V11));
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
        worst_ms_ = std::max(worst_ms_.load(), ms);
        if (r.status == 200 && r.message && std::holds_alternative<v11::DiscoveryResponse>(*r.message) && ms < 5000) {
          ++ok_;
        } else {
          ++failed_;
          error_ = "status " + std::to_string(r.status) + " after " + std::to_string(ms) + " ms";
        }
      } catch (const std::exception& e) {
        ++failed_;
        error_ = e.what();
        c.reset();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  uint16_t port_;
  std::atomic<bool> stop_{false};
  std::atomic<int> ok_{0}, failed_{0};
  std::atomic<double> worst_ms_{0};
  std::string error_;
  std::thread thread_;
};

struct Hostile {
  TaxiidProcess server{[] {
    ServerSpec s;
    s.max_body_bytes = 64 * 1024;
    s.request_timeout = 3;
    s.keep_alive_timeout = 30;
    s.threads = 4;
    s.max_connections = 5000;
    return s;
  }()};
  Bystander bystander{server.http_port()};
  ~Hostile() {
    // The bystander must have been served at least once while the case ran (or right after).
    const auto until = Clock::now() + std::chrono::seconds(5);
    while (bystander.ok() == 0 && bystander.failed() == 0 && Clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    bystander.stop();
    BOOST_TEST(bystander.failed() == 0, "the bystander failed: " << bystander.last_error());
    BOOST_TEST(bystander.ok() > 0);
    const int status = server.terminate();
    BOOST_TEST(status == 0, "taxiid exit status " << status << "\n" << server.log());
  }
  Answer send(const std::string& bytes) { return exchange(server.http_port(), bytes); }
};

#define EXPECT_ANSWER(a, code, type)                                              \
  do {                                                                            \
    const Answer& a_ = (a);                                                       \
    BOOST_TEST(a_.http == (code), a_.raw.substr(0, 400));                         \
    BOOST_TEST(a_.taxii == std::string(type), a_.raw.substr(0, 400));             \
  } while (0)

}  // namespace

BOOST_FIXTURE_TEST_SUITE(hostile, Hostile)

// --- XML: external entities, entity expansion, DOCTYPE, nesting, encodings -----------------
// Every hostile XML body is BAD_MESSAGE in an HTTP 200 (HTTP 1.0 §4): never data, never a fetch.

BOOST_AUTO_TEST_CASE(xml_corpus_is_bad_message) {
  for (const char* name : {"xxe_file.xml", "xxe_http.xml", "xxe_parameter_entity.xml", "billion_laughs.xml",
                           "doctype_internal_subset.xml", "doctype_plain.xml", "external_dtd.xml", "xinclude_file.xml",
                           "undefined_entity.xml", "invalid_utf8.xml", "overlong_utf8.xml", "utf8_surrogate.xml",
                           "control_character.xml", "binary_garbage.xml", "not_well_formed.xml", "truncated.xml",
                           "two_roots.xml", "no_namespace.xml", "wrong_namespace.xml", "declared_utf16.xml",
                           "utf16_bom.xml", "stylesheet_pi.xml"}) {
    BOOST_TEST_CONTEXT(name) {
      const Answer a = send(raw_request(corpus(name)));
      EXPECT_ANSWER(a, 200, "BAD_MESSAGE");
      BOOST_TEST(a.raw.find("root:") == std::string::npos);  // no /etc/passwd content
    }
  }
}

BOOST_AUTO_TEST_CASE(deep_nesting_is_bad_message) {
  std::string body = R"(<taxii_11:Inbox_Message xmlns:taxii_11="http://taxii.mitre.org/messages/taxii_xml_binding-1.1" message_id="1"><taxii_11:Content_Block><taxii_11:Content_Binding binding_id="urn:stix.mitre.org:xml:1.2"/><taxii_11:Content>)";
  for (int i = 0; i < 5000; ++i) body += "<a>";
  for (int i = 0; i < 5000; ++i) body += "</a>";
  body += "</taxii_11:Content></taxii_11:Content_Block></taxii_11:Inbox_Message>";
  EXPECT_ANSWER(send(raw_request(body, "/services/inbox")), 200, "BAD_MESSAGE");
}

BOOST_AUTO_TEST_CASE(many_attributes_and_long_names_are_bad_message_or_served) {
  std::string attrs;
  for (int i = 0; i < 2000; ++i) attrs += " a" + std::to_string(i) + "=\"x\"";
  EXPECT_ANSWER(send(raw_request("<taxii_11:Discovery_Request xmlns:taxii_11=\"http://taxii.mitre.org/messages/taxii_xml_binding-1.1\" message_id=\"1\"" + attrs + "/>")),
                200, "BAD_MESSAGE");
}

BOOST_AUTO_TEST_CASE(empty_body_is_bad_message) { EXPECT_ANSWER(send(raw_request("")), 200, "BAD_MESSAGE"); }

// --- Sizes ---------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(huge_declared_body_is_413_without_reading_it) {
  const Answer a = send("POST /services/inbox HTTP/1.1\r\nHost: x\r\n" + kRawTaxii11 + "Content-Length: 10000000000\r\n\r\n");
  EXPECT_ANSWER(a, 413, "BAD_MESSAGE");
}

BOOST_AUTO_TEST_CASE(huge_actual_body_is_413) {
  EXPECT_ANSWER(send(raw_request(std::string(200 * 1024, 'x'), "/services/inbox")), 413, "BAD_MESSAGE");
}

BOOST_AUTO_TEST_CASE(negative_content_length_is_400) {
  // Content-Length is 1*DIGIT: anything else is refused with the head (RFC 9112 §6.3).
  EXPECT_ANSWER(send("POST /services/discovery HTTP/1.1\r\nHost: x\r\n" + kRawTaxii11 + "Content-Length: -5\r\n\r\n"), 400,
                "BAD_MESSAGE");
}

BOOST_AUTO_TEST_CASE(body_shorter_than_declared_is_cut_at_request_timeout) {
  const auto t0 = Clock::now();
  const Answer a = send("POST /services/discovery HTTP/1.1\r\nHost: x\r\n" + kRawTaxii11 + "Content-Length: 1000\r\n\r\n<x/>");
  BOOST_TEST((Clock::now() - t0 < std::chrono::seconds(8)));
  BOOST_TEST(a.closed);
  // The body never completes: 408 (request_timeout, or the minimum data rate) and closed.
  BOOST_TEST((a.http == 0 || a.http == 408), a.raw.substr(0, 200));
}

BOOST_AUTO_TEST_CASE(huge_header_is_431) {
  EXPECT_ANSWER(send(raw_request(kDiscovery11, "/services/discovery", "X-Big: " + std::string(100000, 'a') + "\r\n")), 431,
                "BAD_MESSAGE");
}

BOOST_AUTO_TEST_CASE(too_many_headers_is_431) {
  std::string h;
  for (int i = 0; i < 500; ++i) h += "X-H" + std::to_string(i) + ": v\r\n";
  EXPECT_ANSWER(send(raw_request(kDiscovery11, "/services/discovery", h)), 431, "BAD_MESSAGE");
}

BOOST_AUTO_TEST_CASE(huge_request_line_is_414) {
  EXPECT_ANSWER(send(raw_request(kDiscovery11, "/services/" + std::string(20000, 'a'))), 414, "BAD_MESSAGE");
}

// --- Headers -------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(two_x_taxii_content_types) {
  EXPECT_ANSWER(send(raw_request(kDiscovery11, "/services/discovery",
                             "X-TAXII-Content-Type: urn:taxii.mitre.org:message:xml:1.0\r\n")),
                200, "BAD_MESSAGE");
}

BOOST_AUTO_TEST_CASE(two_identical_content_lengths_is_400) {
  EXPECT_ANSWER(send(raw_request(kDiscovery11, "/services/discovery", "Content-Length: " + std::to_string(kDiscovery11.size()) + "\r\n")),
                400, "BAD_MESSAGE");
}

BOOST_AUTO_TEST_CASE(two_conflicting_content_lengths_is_400) {
  EXPECT_ANSWER(send(raw_request(kDiscovery11, "/services/discovery", "Content-Length: 3\r\n")), 400, "BAD_MESSAGE");
}

BOOST_AUTO_TEST_CASE(content_length_and_chunked_is_400) {
  EXPECT_ANSWER(send(raw_request(kDiscovery11, "/services/discovery", "Transfer-Encoding: chunked\r\n")), 400, "BAD_MESSAGE");
}

BOOST_AUTO_TEST_CASE(missing_x_taxii_content_type) {
  const std::string h = "Content-Type: application/xml\r\n";
  EXPECT_ANSWER(send(raw_request(kDiscovery11, "/services/discovery", "", "POST", &h)), 200, "UNSUPPORTED_MESSAGE");
}

BOOST_AUTO_TEST_CASE(unknown_x_taxii_content_type) {
  const std::string h = "Content-Type: application/xml\r\nX-TAXII-Content-Type: urn:evil\r\n";
  EXPECT_ANSWER(send(raw_request(kDiscovery11, "/services/discovery", "", "POST", &h)), 200, "UNSUPPORTED_MESSAGE");
}

BOOST_AUTO_TEST_CASE(wrong_content_type) {
  const std::string h = "Content-Type: text/html\r\nX-TAXII-Content-Type: urn:taxii.mitre.org:message:xml:1.1\r\n";
  EXPECT_ANSWER(send(raw_request(kDiscovery11, "/services/discovery", "", "POST", &h)), 200, "UNSUPPORTED_MESSAGE");
}

BOOST_AUTO_TEST_CASE(header_line_without_colon_is_400) {
  // A field line is name ":" value (RFC 9112 §5): a line without a colon is not skipped.
  EXPECT_ANSWER(send(raw_request(kDiscovery11, "/services/discovery", "NoColonHere\r\n")), 400, "BAD_MESSAGE");
}

BOOST_AUTO_TEST_CASE(two_transfer_encodings_is_400) {
  EXPECT_ANSWER(send("POST /services/discovery HTTP/1.1\r\nHost: x\r\n" + kRawTaxii11 +
                     "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
                400, "BAD_MESSAGE");
}

BOOST_AUTO_TEST_CASE(bare_lf_and_cr_in_header_value) {
  // A CR inside a header value (header injection attempt) is malformed HTTP.
  EXPECT_ANSWER(send(raw_request(kDiscovery11, "/services/discovery", "X-Evil: a\rSet-Cookie: x=1\r\n")), 400, "BAD_MESSAGE");
}

BOOST_AUTO_TEST_CASE(injected_path_is_not_echoed_raw) {
  const Answer a = send(raw_request(kDiscovery11, "/services/%0d%0aSet-Cookie:%20x=1"));
  EXPECT_ANSWER(a, 404, "NOT_FOUND");
  BOOST_TEST(a.raw.find("\r\nSet-Cookie") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(markup_in_path_is_escaped) {
  const Answer a = send(raw_request(kDiscovery11, "/services/<script>alert(1)</script>"));
  EXPECT_ANSWER(a, 404, "NOT_FOUND");
  BOOST_TEST(a.raw.find("<script>") == std::string::npos);
}

// --- Paths ---------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(path_traversal_is_404) {
  for (const char* p : {"/services/../etc/passwd", "/services/%2e%2e/%2e%2e/etc/passwd", "//services/discovery",
                        "/services//discovery", "/services/discovery/..", "/services/discovery%00",
                        "/../../../../etc/passwd", "/services/discovery?x=../../etc/passwd#frag"}) {
    BOOST_TEST_CONTEXT(p) {
      const Answer a = send(raw_request(kDiscovery11, p));
      if (std::string(p).find('?') != std::string::npos) {
        EXPECT_ANSWER(a, 200, "Discovery_Response");  // the query is not part of the path
      } else {
        EXPECT_ANSWER(a, 404, "NOT_FOUND");
      }
      BOOST_TEST(a.raw.find("root:") == std::string::npos);
    }
  }
}

BOOST_AUTO_TEST_CASE(absolute_uri_and_asterisk) {
  EXPECT_ANSWER(send(raw_request(kDiscovery11, "*")), 404, "NOT_FOUND");
}

// --- Methods -------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(methods_other_than_post_are_405) {
  for (const char* m : {"GET", "PUT", "DELETE", "OPTIONS", "TRACE", "PATCH", "HEAD", "CONNECT", "FOO"}) {
    BOOST_TEST_CONTEXT(m) {
      const Answer a = send(raw_request("", "/services/discovery", "", m));
      BOOST_TEST(a.http == 405, a.raw.substr(0, 200));
      BOOST_TEST(a.raw.find("Allow: POST") != std::string::npos);
    }
  }
}

BOOST_AUTO_TEST_CASE(lowercase_post_is_405) {
  BOOST_TEST(send(raw_request(kDiscovery11, "/services/discovery", "", "post")).http == 405);
}

BOOST_AUTO_TEST_CASE(http_09_and_http_2_are_refused) {
  BOOST_TEST(send("GET /services/discovery\r\n\r\n").http == 400);
  // A well-formed version other than 1.0 / 1.1: 505 (RFC 9110 §15.6.6).
  BOOST_TEST(send("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n").http == 505);
  BOOST_TEST(send("POST /services/discovery HTTP/3.7\r\nContent-Length: 0\r\n\r\n").http == 505);
}

// --- Chunked transfer encoding -------------------------------------------------------------

std::string chunked_head(const std::string& path = "/services/discovery") {
  return "POST " + path + " HTTP/1.1\r\nHost: x\r\n" + kRawTaxii11 + "Transfer-Encoding: chunked\r\n\r\n";
}

BOOST_AUTO_TEST_CASE(chunked_well_formed_is_served) {
  const std::string half = kDiscovery11.substr(0, 40), rest = kDiscovery11.substr(40);
  std::ostringstream c;
  c << std::hex << half.size() << "\r\n" << half << "\r\n" << rest.size() << "\r\n" << rest << "\r\n0\r\n\r\n";
  EXPECT_ANSWER(send(chunked_head() + c.str()), 200, "Discovery_Response");
}

BOOST_AUTO_TEST_CASE(chunked_huge_chunk_size_is_refused) {
  const Answer a = send(chunked_head() + "FFFFFFFFFFFFFFFF\r\nabc");
  // Poco stops at a chunk size it cannot represent: the body read so far (nothing) is not
  // a TAXII message.
  BOOST_TEST((a.http == 400 || a.http == 413 || (a.http == 200 && a.taxii == "BAD_MESSAGE")), a.raw.substr(0, 300));
}

BOOST_AUTO_TEST_CASE(chunked_bad_syntax_is_refused) {
  for (const char* body : {"zz\r\nabc\r\n0\r\n\r\n", "-1\r\nabc\r\n0\r\n\r\n", "3\r\nabcdef\r\n0\r\n\r\n"}) {
    BOOST_TEST_CONTEXT(body) {
      const auto t0 = Clock::now();
      const Answer a = send(chunked_head() + body);
      // "abcdef" overruns a 3-byte chunk: "def" then reads as the next (hex) chunk size, so the
      // server waits for 0xdef bytes and cuts the connection at request_timeout, unanswered.
      BOOST_TEST((a.http == 400 || (a.http == 200 && a.taxii == "BAD_MESSAGE") || (a.http == 0 && a.closed)),
                 a.raw.substr(0, 200));
      BOOST_TEST((Clock::now() - t0 < std::chrono::seconds(8)));
    }
  }
}

BOOST_AUTO_TEST_CASE(chunked_endless_is_cut_at_the_body_limit) {
  std::string body;
  for (int i = 0; i < 200; ++i) body += "400\r\n" + std::string(0x400, 'z') + "\r\n";  // 200 KiB, no end
  EXPECT_ANSWER(send(chunked_head("/services/inbox") + body), 413, "BAD_MESSAGE");
}

BOOST_AUTO_TEST_CASE(chunked_never_finished_is_cut_at_request_timeout) {
  const auto t0 = Clock::now();
  const Answer a = send(chunked_head() + "5\r\nabcde\r\n");
  BOOST_TEST((Clock::now() - t0 < std::chrono::seconds(8)));
  // Cut at request_timeout: the connection is closed, possibly after an error answer (the
  // worker's read times out and the handler may still answer before closing).
  BOOST_TEST((a.closed || a.http == 400 || a.http == 408 || a.taxii == "BAD_MESSAGE"), a.raw.substr(0, 300));
}

BOOST_AUTO_TEST_CASE(unknown_transfer_encoding_is_400) {
  EXPECT_ANSWER(send("POST /services/discovery HTTP/1.1\r\nHost: x\r\n" + kRawTaxii11 + "Transfer-Encoding: gzip\r\n\r\nxxxx"),
                400, "BAD_MESSAGE");
}

// --- Slow and idle clients -----------------------------------------------------------------

BOOST_AUTO_TEST_CASE(slowloris_headers_are_cut_at_request_timeout) {
  // One header byte per 300 ms: the request (request_timeout = 3 s) never completes.
  const std::string bytes = "POST /services/discovery HTTP/1.1\r\nHost: x\r\nX-Slow: " + std::string(200, 'a');
  const auto t0 = Clock::now();
  const Answer a = exchange(server.http_port(), bytes, std::chrono::seconds(20), 1, std::chrono::milliseconds(300));
  const auto took = Clock::now() - t0;
  BOOST_TEST(a.closed);
  BOOST_TEST((took < std::chrono::seconds(8)), std::chrono::duration<double>(took).count() << " s");
}

BOOST_AUTO_TEST_CASE(slow_body_is_cut_at_request_timeout) {
  const std::string bytes = raw_request(std::string(2000, ' ') + kDiscovery11);
  const auto t0 = Clock::now();
  const Answer a = exchange(server.http_port(), bytes, std::chrono::seconds(20), 1, std::chrono::milliseconds(50));
  BOOST_TEST((a.closed || a.http == 400));
  BOOST_TEST((Clock::now() - t0 < std::chrono::seconds(8)));
}

BOOST_AUTO_TEST_CASE(a_thousand_idle_connections_do_not_block_service) {
  std::vector<std::unique_ptr<Poco::Net::StreamSocket>> idle;
  for (int i = 0; i < 1000; ++i) {
    idle.push_back(std::make_unique<Poco::Net::StreamSocket>(Poco::Net::SocketAddress("127.0.0.1", server.http_port())));
    if (i % 3 == 0) idle.back()->sendBytes("POST /services/discovery HTTP/1.1\r\n", 34);  // half a request
  }
  const auto t0 = Clock::now();
  EXPECT_ANSWER(send(raw_request(kDiscovery11)), 200, "Discovery_Response");
  BOOST_TEST((Clock::now() - t0 < std::chrono::seconds(2)));
  idle.clear();
  EXPECT_ANSWER(send(raw_request(kDiscovery11)), 200, "Discovery_Response");
}

BOOST_AUTO_TEST_CASE(half_open_connections_are_closed) {
  // Half a request, then the client shuts down its sending side: no resource stays behind.
  Poco::Net::StreamSocket s(Poco::Net::SocketAddress("127.0.0.1", server.http_port()));
  s.sendBytes("POST /services/discovery HTTP/1.1\r\nHost", 39);
  s.shutdownSend();
  s.setReceiveTimeout(Poco::Timespan(8, 0));
  char b[512];
  int got = -1;
  try {
    got = s.receiveBytes(b, sizeof b);
  } catch (const Poco::Exception&) {
    got = 0;
  }
  BOOST_TEST((got == 0 || std::string(b, static_cast<std::size_t>(std::max(got, 0))).rfind("HTTP/1.1 400", 0) == 0));
}

// --- Errors do not leak internals ----------------------------------------------------------

BOOST_AUTO_TEST_CASE(error_messages_do_not_leak_paths) {
  for (const std::string& body : {corpus("xxe_file.xml"), std::string("<x"), std::string(100, '\xff')}) {
    const Answer a = send(raw_request(body));
    BOOST_TEST(a.raw.find(server.dir().path()) == std::string::npos);
    BOOST_TEST(a.raw.find("/work/") == std::string::npos);
    BOOST_TEST(a.raw.find(".cpp") == std::string::npos);
    BOOST_TEST(a.raw.find("Xerces") == std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(responses_carry_no_server_version) {
  const Answer a = send(raw_request(kDiscovery11));
  BOOST_TEST(a.raw.find("Poco") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(pipelined_garbage_after_a_good_request) {
  // The good request is answered; the garbage after it is refused on its own (400, closed).
  const Answer a = send(raw_request(kDiscovery11) + "GARBAGE GARBAGE\r\n\r\n");
  BOOST_TEST(a.http == 200, a.raw.substr(0, 400));
  BOOST_TEST(a.raw.find("Discovery_Response") != std::string::npos);
  BOOST_TEST(a.raw.find("HTTP/1.1 400 Bad Request") != std::string::npos, a.raw.substr(0, 400));
}

BOOST_AUTO_TEST_CASE(null_bytes_in_the_path_are_400) {
  // A control byte cannot be in a request-target (RFC 9112 §3.2): refused with the head.
  EXPECT_ANSWER(send(std::string("POST /services/disc\0overy HTTP/1.1\r\nContent-Length: 0\r\n\r\n", 58)), 400, "BAD_MESSAGE");
}

BOOST_AUTO_TEST_SUITE_END()
