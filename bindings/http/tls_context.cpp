#include "bindings/http/tls_context.hpp"

#include <set>
#include <string>

#include <Poco/Exception.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/X509Certificate.h>
#include <openssl/ssl.h>

namespace taxii::http::engine {
namespace {

// ClientHello callback (on the listener's first SSL_CTX): a new handshake moves to the newest
// context (reload_tls). Runs in the worker doing the handshake.
int on_client_hello(SSL* ssl, int* /*alert*/, void* arg) {
  auto* slot = static_cast<TlsSlot*>(arg);
  SSL_CTX* want = slot->current.load();
  if (want != nullptr && SSL_get_SSL_CTX(ssl) != want) SSL_set_SSL_CTX(ssl, want);
  return SSL_CLIENT_HELLO_SUCCESS;
}

}  // namespace

Poco::Net::Context::Ptr make_context(const TlsOptions& t) {
  Poco::Net::Context::Params p;
  p.privateKeyFile = t.key;
  p.certificateFile = t.cert;
  p.caLocation = t.ca;
  switch (t.client_certificates) {
    case ClientCertificates::None: p.verificationMode = Poco::Net::Context::VERIFY_NONE; break;
    case ClientCertificates::Optional: p.verificationMode = Poco::Net::Context::VERIFY_RELAXED; break;
    case ClientCertificates::Required: p.verificationMode = Poco::Net::Context::VERIFY_STRICT; break;
  }
  p.verificationDepth = 9;
  p.loadDefaultCAs = false;
  p.cipherList = t.ciphers;
  Poco::Net::Context::Ptr ctx = new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, p);
  ctx->requireMinimumProtocol(t.min_version == "1.3" ? Poco::Net::Context::PROTO_TLSV1_3
                                                     : Poco::Net::Context::PROTO_TLSV1_2);
  // Poco's "extended verification" matches the peer certificate's names against the peer's
  // host: right for a client checking a server, wrong for client certificates (it would
  // demand a client certificate naming the client's IP). OpenSSL still verifies the chain.
  ctx->enableExtendedCertificateVerification(false);
  // A session id context is needed for resumption when client certificates are verified.
  ctx->enableSessionCache(true, "taxiid");
  return ctx;
}

Poco::Net::Context::Ptr TlsSlot::first() {
  Poco::Net::Context::Ptr ctx = make_context(options);
  install(ctx);
  SSL_CTX_set_client_hello_cb(ctx->sslContext(), on_client_hello, this);
  return ctx;
}

void TlsSlot::install(const Poco::Net::Context::Ptr& ctx) {
  MutexLock lock(mu);
  contexts.push_back(ctx);
  current = ctx->sslContext();
}

void identify_peer(Poco::Net::StreamSocket& tls, ConnectionInfo& info) {
  try {
    Poco::Net::SecureStreamSocket ss(tls);
    if (ss.havePeerCertificate()) {
      const Poco::Net::X509Certificate cert = ss.peerCertificate();
      info.client_subject = cert.subjectName();
      std::string cn;
      std::set<std::string> names;
      cert.extractNames(cn, names);
      info.client_names.assign(names.begin(), names.end());
    }
  } catch (const Poco::Exception&) {
  }
}

}  // namespace taxii::http::engine
