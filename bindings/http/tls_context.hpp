// TLS material of one listener (NetSSL/OpenSSL) and its reload (HttpServer::reload_tls, on
// SIGHUP). The listener's own SSL_CTX stays (Poco binds it to the socket); a ClientHello
// callback on it switches each new handshake to the newest context, so new connections use
// the new certificate while established ones keep theirs. Contexts are kept until the server
// is destroyed, so a handshake never sees a freed one.
//
// Thread ownership:
//   - options: written once by HttpServer::create(), read-only afterwards;
//   - contexts: guarded by mu (reload_tls() may run on any thread, e.g. a signal thread);
//   - current: atomic; stored by create() and install(), loaded by the ClientHello callback,
//     which OpenSSL runs in the worker doing a handshake.
#pragma once

#include <atomic>
#include <vector>

#include <Poco/Net/Context.h>
#include <Poco/Net/StreamSocket.h>

#include "bindings/http/http_server.hpp"
#include "bindings/http/thread_annotations.hpp"

typedef struct ssl_ctx_st SSL_CTX;

namespace taxii::http::engine {

struct TlsSlot {
  explicit TlsSlot(TlsOptions o) : options(std::move(o)) {}
  // Loads the first context of the listener and hooks the ClientHello callback on it: the
  // context the listening socket is made with. Throws Poco exceptions (unreadable files...).
  Poco::Net::Context::Ptr first();
  // Makes a freshly loaded context the one new handshakes use.
  void install(const Poco::Net::Context::Ptr& ctx) TAXII_EXCLUDES(mu);

  const TlsOptions options;
  std::atomic<SSL_CTX*> current{nullptr};
  Mutex mu;
  std::vector<Poco::Net::Context::Ptr> contexts TAXII_GUARDED_BY(mu);  // every context loaded, oldest first
};

// A server context for these options (TLS 1.2 or later, the cipher list, client
// certificates none / optional / required against the CA). Throws Poco exceptions.
Poco::Net::Context::Ptr make_context(const TlsOptions& t);

// The verified client certificate of an established TLS connection, if any, into
// info.client_subject and info.client_names (worker; after the handshake). Never throws.
void identify_peer(Poco::Net::StreamSocket& tls, ConnectionInfo& info);

}  // namespace taxii::http::engine
