// http::PocoHttpClient against servers on 127.0.0.1 that record the bytes they receive: the
// TAXII headers per version and transport (HTTP 1.0 §2), a GET without a body, keep-alive and
// the resend after an idle close, TLS with a client certificate (HTTP 1.0 §6.2) and its
// refusals, and the timeout on a server that never answers.
#define BOOST_TEST_MODULE http_client
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <Poco/Net/Context.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/StreamSocket.h>

#include "bindings/http/http_client.hpp"
#include "core/urn.hpp"
#include "tests/wire/wire_support.hpp"

using namespace taxii;
namespace data = boost::unit_test::data;

namespace {

enum class Mode {
  Answer,          // 200 with a TAXII-looking answer, keep-alive
  AnswerAndClose,  // the same, then close the connection without saying so (idle close)
  Silent,          // read the request, never answer
};

// A thread per connection; records every request (head and body as received) and how many
// connections were accepted.
class RecordingServer {
 public:
  explicit RecordingServer(Mode mode, Poco::Net::Context::Ptr tls = nullptr) : mode_(mode) {
    const Poco::Net::SocketAddress any("127.0.0.1", 0);
    if (tls)
      socket_ = std::make_unique<Poco::Net::SecureServerSocket>(any, 16, tls);
    else
      socket_ = std::make_unique<Poco::Net::ServerSocket>(any);
    thread_ = std::thread([this] { run(); });
  }
  ~RecordingServer() {
    stop_ = true;
    thread_.join();
    for (auto& t : connection_threads_) t.join();
  }
  uint16_t port() const { return socket_->address().port(); }
  std::vector<std::string> requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  int connections() const { return connections_; }

  static constexpr const char* kAnswerBody = "<taxii_11:Status_Message/>";

 private:
  void run() {
    while (!stop_) {
      if (!socket_->poll(Poco::Timespan(0, 50'000), Poco::Net::Socket::SELECT_READ)) continue;
      try {
        Poco::Net::StreamSocket c = socket_->acceptConnection();
        ++connections_;
        connection_threads_.emplace_back([this, c]() mutable {
          try {
            serve(c);
          } catch (const Poco::Exception&) {
            // a refused TLS handshake, a reset: the client's side is what the tests look at
          }
        });
      } catch (const Poco::Exception&) {
      }
    }
  }

  // Reads one request (head, then Content-Length bytes); "" when the peer closed.
  std::string read_request(Poco::Net::StreamSocket& c) {
    std::string in;
    char buf[4096];
    size_t head_end = std::string::npos;
    size_t want = 0;
    while (head_end == std::string::npos || in.size() < want) {
      int n = 0;
      try {
        n = c.receiveBytes(buf, sizeof buf);
      } catch (const Poco::TimeoutException&) {
        if (stop_) return {};
        continue;
      }
      if (n <= 0) return {};
      in.append(buf, static_cast<size_t>(n));
      if (head_end == std::string::npos && (head_end = in.find("\r\n\r\n")) != std::string::npos) {
        want = head_end + 4;
        const size_t cl = in.find("Content-Length: ");
        if (cl != std::string::npos && cl < head_end) want += std::stoul(in.substr(cl + 16));
      }
    }
    return in;
  }

  void serve(Poco::Net::StreamSocket& c) {
    c.setReceiveTimeout(Poco::Timespan(1, 0));
    while (!stop_) {
      std::string request = read_request(c);
      if (request.empty()) return;
      {
        std::lock_guard<std::mutex> lock(mu_);
        requests_.push_back(request);
      }
      if (mode_ == Mode::Silent) {
        while (!stop_) std::this_thread::sleep_for(std::chrono::milliseconds(20));
        return;
      }
      const std::string body = kAnswerBody;
      const std::string answer = "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nX-TAXII-Content-Type: " +
                                 std::string(urn::kMessageXml11) + "\r\nContent-Length: " +
                                 std::to_string(body.size()) + "\r\n\r\n" + body;
      c.sendBytes(answer.data(), static_cast<int>(answer.size()));
      if (mode_ == Mode::AnswerAndClose) return;
    }
  }

  Mode mode_;
  std::unique_ptr<Poco::Net::ServerSocket> socket_;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  mutable std::mutex mu_;
  std::vector<std::string> requests_;
  std::vector<std::thread> connection_threads_;  // the accepting thread's own
  std::thread thread_;
};

// The value of a header line in a recorded request ("" if absent).
std::string header(const std::string& request, const std::string& name) {
  const std::string key = "\r\n" + name + ": ";
  const size_t at = request.find(key);
  if (at == std::string::npos) return {};
  const size_t b = at + key.size();
  return request.substr(b, request.find("\r\n", b) - b);
}

http::Url url(const std::string& scheme, uint16_t port, const std::string& path = "/services/inbox") {
  return http::parse_url(scheme + "://127.0.0.1:" + std::to_string(port) + path).value();
}

Poco::Net::Context::Ptr server_tls(const wire::Pki& pki) {
  Poco::Net::initializeSSL();
  Poco::Net::Context::Params p;
  p.certificateFile = pki.server_cert;
  p.privateKeyFile = pki.server_key;
  p.caLocation = pki.ca;
  p.verificationMode = Poco::Net::Context::VERIFY_STRICT;  // a client certificate is required
  p.loadDefaultCAs = false;
  Poco::Net::Context::Ptr ctx = new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, p);
  ctx->enableExtendedCertificateVerification(false);  // a client certificate names no host
  return ctx;
}

template <class T>
std::string why(const Result<T>& r) {
  return r.ok() ? std::string() : r.error().message();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(http_client)

BOOST_DATA_TEST_CASE(taxii_headers_follow_the_version, data::make({11, 10}), version) {
  const Version v = version == 11 ? Version::V11 : Version::V10;
  RecordingServer server(Mode::Answer);
  http::PocoHttpClient client(http::ClientOptions{});
  const std::string body = "<taxii_11:Discovery_Request message_id=\"1\"/>";
  auto r = client.send(http::taxii_post(url("http", server.port()), v, body));
  BOOST_TEST_REQUIRE(r.ok(), why(r));
  BOOST_TEST(r->status == 200);
  BOOST_TEST(r->body == RecordingServer::kAnswerBody);
  BOOST_TEST(*r->headers.find("x-taxii-content-type") == std::string(urn::kMessageXml11));
  const auto seen = server.requests();
  BOOST_TEST_REQUIRE(seen.size() == 1u);
  const std::string& q = seen[0];
  const std::string binding(v == Version::V11 ? urn::kMessageXml11 : urn::kMessageXml10);
  BOOST_TEST(q.rfind("POST /services/inbox HTTP/1.1\r\n", 0) == 0u);
  BOOST_TEST(header(q, "Content-Type") == "application/xml");
  BOOST_TEST(header(q, "Accept") == "application/xml");
  BOOST_TEST(header(q, "X-TAXII-Content-Type") == binding);
  BOOST_TEST(header(q, "X-TAXII-Accept") == binding);
  BOOST_TEST(header(q, "X-TAXII-Services") == std::string(v == Version::V11 ? urn::kServices11 : urn::kServices10));
  BOOST_TEST(header(q, "X-TAXII-Protocol") == std::string(urn::kProtocolHttp));
  BOOST_TEST(header(q, "Content-Length") == std::to_string(body.size()));
  BOOST_TEST(header(q, "User-Agent") == "taxii-cpp");
  BOOST_TEST(q.substr(q.size() - body.size()) == body);
}

BOOST_AUTO_TEST_CASE(a_get_carries_its_headers_and_no_body) {
  RecordingServer server(Mode::Answer);
  http::PocoHttpClient client(http::ClientOptions{});
  http::ClientRequest get;
  get.method = "GET";
  get.url = url("http", server.port(), "/taxii2/collections/?limit=5");
  get.headers.add("Accept", "application/taxii+json;version=2.1");
  get.headers.add("Authorization", http::basic_authorization("alice", "s3cret"));
  auto r = client.send(get);
  BOOST_TEST_REQUIRE(r.ok(), why(r));
  const std::string q = server.requests().at(0);
  BOOST_TEST(q.rfind("GET /taxii2/collections/?limit=5 HTTP/1.1\r\n", 0) == 0u);
  BOOST_TEST(header(q, "Accept") == "application/taxii+json;version=2.1");
  BOOST_TEST(header(q, "Authorization") == "Basic YWxpY2U6czNjcmV0");  // RFC 7617 §2's example form
  BOOST_TEST(header(q, "Content-Length").empty());
  BOOST_TEST(q.size() == q.find("\r\n\r\n") + 4);
}

BOOST_AUTO_TEST_CASE(one_connection_carries_consecutive_requests) {
  RecordingServer server(Mode::Answer);
  http::PocoHttpClient client(http::ClientOptions{});
  for (int i = 0; i < 3; ++i) BOOST_TEST_REQUIRE(client.send(http::taxii_post(url("http", server.port()), Version::V11, "x")).ok());
  BOOST_TEST(server.requests().size() == 3u);
  BOOST_TEST(server.connections() == 1);
}

BOOST_AUTO_TEST_CASE(a_connection_the_server_closed_while_idle_is_replaced) {
  RecordingServer server(Mode::AnswerAndClose);
  http::PocoHttpClient client(http::ClientOptions{});
  BOOST_TEST_REQUIRE(client.send(http::taxii_post(url("http", server.port()), Version::V11, "one")).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // let the close arrive
  auto r = client.send(http::taxii_post(url("http", server.port()), Version::V11, "two"));
  BOOST_TEST_REQUIRE(r.ok(), why(r));
  BOOST_TEST(server.connections() == 2);
}

BOOST_AUTO_TEST_CASE(a_silent_server_times_out_after_the_request_was_sent) {
  RecordingServer server(Mode::Silent);
  http::ClientOptions o;
  o.timeout = std::chrono::seconds(1);
  http::PocoHttpClient client(o);
  const auto t0 = std::chrono::steady_clock::now();
  auto r = client.send(http::taxii_post(url("http", server.port()), Version::V11, "<x/>"));
  const auto took = std::chrono::steady_clock::now() - t0;
  BOOST_TEST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().type() == StatusType::NetworkError);
  BOOST_TEST((http::failure_stage(r.error()) == http::FailureStage::Receive));
  BOOST_TEST(r.error().message().find("timed out after 1 s") != std::string::npos, r.error().message());
  BOOST_TEST((took >= std::chrono::milliseconds(900)));
  BOOST_TEST((took < std::chrono::seconds(5)));
  BOOST_TEST(server.requests().size() == 1u);
}

BOOST_AUTO_TEST_CASE(nothing_listening_is_a_connect_failure) {
  uint16_t port = 0;
  {
    Poco::Net::ServerSocket s(Poco::Net::SocketAddress("127.0.0.1", 0));
    port = s.address().port();
  }
  http::PocoHttpClient client(http::ClientOptions{});
  auto r = client.send(http::taxii_post(url("http", port), Version::V11, "<x/>"));
  BOOST_TEST_REQUIRE(!r.ok());
  BOOST_TEST((http::failure_stage(r.error()) == http::FailureStage::Connect));
  BOOST_TEST(r.error().message().find("cannot connect to 127.0.0.1:" + std::to_string(port)) == 0u, r.error().message());
}

BOOST_AUTO_TEST_CASE(tls_with_a_client_certificate) {
  wire::TempDir dir;
  const wire::Pki pki = wire::make_pki(dir.path());
  RecordingServer server(Mode::Answer, server_tls(pki));
  http::ClientOptions o;
  o.tls.ca_file = pki.ca;
  o.tls.cert_file = pki.client_cert;
  o.tls.key_file = pki.client_key;
  o.timeout = std::chrono::seconds(10);
  http::PocoHttpClient client(o);
  auto r = client.send(http::taxii_post(url("https", server.port()), Version::V11, "<x/>"));
  BOOST_TEST_REQUIRE(r.ok(), why(r));
  BOOST_TEST(r->status == 200);
  const auto seen = server.requests();
  BOOST_TEST_REQUIRE(seen.size() == 1u);
  BOOST_TEST(header(seen[0], "X-TAXII-Protocol") == std::string(urn::kProtocolHttps));

  // A second client sharing the context (open_another) on a connection of its own.
  auto other = client.open_another();
  BOOST_TEST_REQUIRE(static_cast<bool>(other));
  BOOST_TEST_REQUIRE(other->send(http::taxii_post(url("https", server.port()), Version::V10, "<y/>")).ok());
  BOOST_TEST(server.connections() == 2);
}

BOOST_AUTO_TEST_CASE(tls_refusals) {
  wire::TempDir dir;
  const wire::Pki pki = wire::make_pki(dir.path());
  RecordingServer server(Mode::Answer, server_tls(pki));
  const auto to = url("https", server.port());
  http::ClientOptions o;
  o.timeout = std::chrono::seconds(10);

  // The server requires a certificate and gets none.
  o.tls.ca_file = pki.ca;
  auto no_cert = http::PocoHttpClient(o).send(http::taxii_post(to, Version::V11, "<x/>"));
  BOOST_TEST_REQUIRE(!no_cert.ok());
  BOOST_TEST(http::failure_stage(no_cert.error()).has_value());

  // The server's certificate does not chain to the CA we trust: nothing is sent.
  o.tls.ca_file = pki.rogue_cert;
  o.tls.cert_file = pki.client_cert;
  o.tls.key_file = pki.client_key;
  auto untrusted = http::PocoHttpClient(o).send(http::taxii_post(to, Version::V11, "<x/>"));
  BOOST_TEST_REQUIRE(!untrusted.ok());
  BOOST_TEST((http::failure_stage(untrusted.error()) == http::FailureStage::Connect));
  BOOST_TEST(server.requests().empty());

  // Verification off: the same untrusted server is accepted.
  o.tls.verify = false;
  auto unverified = http::PocoHttpClient(o).send(http::taxii_post(to, Version::V11, "<x/>"));
  BOOST_TEST(unverified.ok(), why(unverified));
}

BOOST_AUTO_TEST_CASE(urls_and_proxies) {
  auto u = http::parse_url("HTTPS://[::1]:9443/a/b?x=1#frag");
  BOOST_TEST_REQUIRE(u.ok());
  BOOST_TEST(u->host == "::1");
  BOOST_TEST(u->target == "/a/b?x=1");
  BOOST_TEST(u->str() == "https://[::1]:9443/a/b?x=1");
  BOOST_TEST(http::resolve_url(*u, "c").value().target == "/a/c");
  auto p = http::parse_proxy("http://bob:pw@proxy.test");
  BOOST_TEST_REQUIRE(p.ok());
  BOOST_TEST(p->host == "proxy.test");
  BOOST_TEST(p->port == 3128);
  BOOST_TEST(p->user == "bob");
  BOOST_TEST(!http::parse_proxy("socks5://proxy.test").ok());
}

BOOST_AUTO_TEST_SUITE_END()
