// SIGHUP reloads the TLS certificate and key (issue #7): new connections get the new
// certificate, a connection established before keeps working, nothing restarts.
#define BOOST_TEST_MODULE wire_tls_reload
#include <boost/test/unit_test.hpp>

#include <signal.h>

#include <chrono>
#include <fstream>
#include <cstdlib>
#include <thread>

#include <Poco/Net/Context.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/X509Certificate.h>

#include "tests/wire/wire_support.hpp"

using namespace taxii;
using namespace taxii::wire;

namespace {

std::string peer_subject(uint16_t port) {
  Poco::Net::Context::Ptr ctx = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", "",
                                                       Poco::Net::Context::VERIFY_NONE);
  Poco::Net::SecureStreamSocket s(Poco::Net::SocketAddress("127.0.0.1", port), ctx);
  s.completeHandshake();
  return s.peerCertificate().subjectName();
}

}  // namespace

BOOST_AUTO_TEST_CASE(sighup_reloads_the_certificate_for_new_connections) {
  ServerSpec spec;
  spec.tls = true;
  TaxiidProcess server(spec);
  BOOST_TEST(peer_subject(server.https_port()).find("CN=127.0.0.1") != std::string::npos);
  Client old(server.https_port(), client_context(server.pki(), false));
  v11::DiscoveryRequest d;
  d.message_id = next_id();
  BOOST_TEST(old.send("/services/discovery", d).status == 200);

  const std::string cmd = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " +
                          server.pki().server_key + " -out " + server.pki().server_cert +
                          " -days 1 -subj '/CN=reloaded' 2>/dev/null";
  BOOST_TEST_REQUIRE(std::system(cmd.c_str()) == 0);
  BOOST_TEST_REQUIRE(::kill(server.pid(), SIGHUP) == 0);
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (server.log().find("tls_reloaded") == std::string::npos && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  BOOST_TEST_REQUIRE(server.log().find("tls_reloaded") != std::string::npos, server.log());
  BOOST_TEST(peer_subject(server.https_port()).find("CN=reloaded") != std::string::npos);
  d.message_id = next_id();
  BOOST_TEST(old.send("/services/discovery", d).status == 200);  // the old connection lives on
  BOOST_TEST(server.running());

  // A broken file: the reload fails, the current certificate stays.
  { std::ofstream(server.pki().server_cert) << "not a certificate"; }
  BOOST_TEST_REQUIRE(::kill(server.pid(), SIGHUP) == 0);
  const auto until2 = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (server.log().find("tls_reload_failed") == std::string::npos && std::chrono::steady_clock::now() < until2)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  BOOST_TEST(server.log().find("tls_reload_failed") != std::string::npos);
  BOOST_TEST(peer_subject(server.https_port()).find("CN=reloaded") != std::string::npos);
  BOOST_TEST(server.terminate() == 0);
}
