#include "client/poco_transport.hpp"

#include <algorithm>
#include <cstdint>
#include <istream>
#include <mutex>
#include <ostream>
#include <utility>

#include <Poco/Exception.h>
#include <Poco/Net/AcceptCertificateHandler.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/RejectCertificateHandler.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Timespan.h>

#include "client/errors.hpp"

namespace taxii::client {
namespace {

void init_ssl_once() {
  static std::once_flag once;
  std::call_once(once, [] { Poco::Net::initializeSSL(); });
}

// HTTP 1.0 §5.2 Table 3: these TLS alerts mean the server refused who we are.
bool is_auth_alert(const std::string& text) {
  for (const char* a : {"alert handshake failure", "alert no certificate", "alert bad certificate",
                        "alert unsupported certificate", "alert unknown ca", "alert access denied",
                        "alert certificate required"})
    if (text.find(a) != std::string::npos) return true;
  return false;
}

// Exceptions that mean no connection was established, so nothing was sent.
bool is_connect_failure(const Poco::Exception& e) {
  return dynamic_cast<const Poco::Net::ConnectionRefusedException*>(&e) != nullptr ||
         dynamic_cast<const Poco::Net::HostNotFoundException*>(&e) != nullptr ||
         dynamic_cast<const Poco::Net::NoAddressFoundException*>(&e) != nullptr ||
         dynamic_cast<const Poco::Net::DNSException*>(&e) != nullptr ||
         dynamic_cast<const Poco::Net::SSLException*>(&e) != nullptr ||
         dynamic_cast<const Poco::Net::InvalidCertificateException*>(&e) != nullptr;
}

// A reused keep-alive connection the server had already closed.
bool is_stale_connection(const Poco::Exception& e) {
  return dynamic_cast<const Poco::Net::NoMessageException*>(&e) != nullptr ||
         dynamic_cast<const Poco::Net::ConnectionResetException*>(&e) != nullptr ||
         dynamic_cast<const Poco::Net::ConnectionAbortedException*>(&e) != nullptr;
}

// Poco reads a response body through a 4 KiB stream buffer: one recv per 4 KiB (a
// 1000-block Poll_Response part is ~3 MB, so ~800 system calls and a copy of every byte).
// A body of known length is read here instead, straight from the session into its final
// buffer: HTTPSession::read hands out what the session already buffered, then receives
// directly into the buffer given, as much as the socket (or TLS record layer) has ready.
template <class Session>
class DirectBodySession : public Session {
 public:
  using Session::Session;
  // Reads up to n bytes of the body; 0 at end of stream.
  int read_body(char* p, std::streamsize n) { return this->read(p, n); }
};
using PlainSession = DirectBodySession<Poco::Net::HTTPClientSession>;
using TlsSession = DirectBodySession<Poco::Net::HTTPSClientSession>;

int read_body(Poco::Net::HTTPClientSession& s, char* p, std::streamsize n) {
  if (auto* t = dynamic_cast<TlsSession*>(&s)) return t->read_body(p, n);
  return static_cast<PlainSession&>(s).read_body(p, n);
}

}  // namespace

struct PocoTransport::Impl {
  TransportOptions opt;
  Poco::Net::Context::Ptr context;
  std::unique_ptr<Poco::Net::HTTPClientSession> session;
  std::string session_key;  // scheme://host:port of the open session
  bool reused = false;      // the open session has carried a request before

  Result<Poco::Net::Context::Ptr> tls_context() {
    if (!context.isNull()) return context;
    init_ssl_once();
    try {
      Poco::Net::Context::Params p;
      p.caLocation = opt.tls.ca_file;
      p.loadDefaultCAs = opt.tls.ca_file.empty();
      p.certificateFile = opt.tls.cert_file;
      p.privateKeyFile = opt.tls.key_file.empty() ? opt.tls.cert_file : opt.tls.key_file;
      if (opt.tls.cert_file.empty()) p.privateKeyFile.clear();
      p.verificationMode = opt.tls.insecure ? Poco::Net::Context::VERIFY_NONE : Poco::Net::Context::VERIFY_RELAXED;
      p.cipherList = "HIGH:!aNULL:!eNULL:!MD5:!RC4:!3DES";
      Poco::Net::Context::Ptr ctx = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, p);
      ctx->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
      ctx->enableExtendedCertificateVerification(!opt.tls.insecure);  // host name check
      if (opt.tls.insecure)
        ctx->setInvalidCertificateHandler(new Poco::Net::AcceptCertificateHandler(false));
      else
        ctx->setInvalidCertificateHandler(new Poco::Net::RejectCertificateHandler(false));
      context = ctx;
      return context;
    } catch (const Poco::Exception& e) {
      return transport_error(FailureStage::Connect, "TLS setup failed (certificate, key or CA file): " + e.displayText());
    }
  }

  Status open(const Url& url) {
    const std::string key = url.scheme + "://" + url.authority();
    if (session && key == session_key) return ok_status();
    session.reset();
    reused = false;
    if (url.https()) {
      auto ctx = tls_context();
      if (!ctx.ok()) return ctx.error();
      session = std::make_unique<TlsSession>(url.host, url.port, *ctx);
    } else {
      session = std::make_unique<PlainSession>(url.host, url.port);
    }
    session_key = key;
    session->setKeepAlive(true);
    session->setTimeout(Poco::Timespan(static_cast<long>(opt.timeout.count()), 0));
    if (!opt.proxy.host.empty()) {
      session->setProxy(opt.proxy.host, opt.proxy.port);
      if (!opt.proxy.user.empty()) session->setProxyCredentials(opt.proxy.user, opt.proxy.password);
    }
    return ok_status();
  }

  Error fail(FailureStage stage, const Url& url, const std::string& what) {
    session.reset();
    session_key.clear();
    std::string where = !opt.proxy.host.empty() ? " (via proxy " + opt.proxy.host + ":" + std::to_string(opt.proxy.port) + ")" : "";
    std::string msg;
    switch (stage) {
      case FailureStage::Connect: msg = "cannot connect to " + url.authority() + where + ": " + what; break;
      case FailureStage::Send: msg = "sending to " + url.str() + " failed: " + what; break;
      case FailureStage::Receive: msg = "no response from " + url.str() + ": " + what; break;
    }
    // TLS 1.3 servers reject a missing client certificate after the handshake, so it shows
    // up as a failed write or a reset rather than as an alert.
    if (url.https() && opt.tls.cert_file.empty() && stage != FailureStage::Connect)
      msg += " (does the server require a client certificate? see --cert)";
    Error e = transport_error(stage, std::move(msg));
    if (is_auth_alert(what)) {
      Error typed{StatusType::Unauthorized, e.message(), e.details()};
      return typed;
    }
    return e;
  }

  Error too_large(const Url& url) {
    session.reset();
    session_key.clear();
    return transport_error(FailureStage::Receive, "response from " + url.str() + " is larger than " +
                                                      std::to_string(opt.max_response_bytes) + " bytes");
  }

  Result<HttpResponse> once(const HttpRequest& r, bool& retry_stale) {
    retry_stale = false;
    if (auto st = open(r.url); !st.ok()) return st.error();
    const bool was_reused = reused;
    FailureStage stage = FailureStage::Connect;
    try {
      Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_POST, r.url.target, Poco::Net::HTTPMessage::HTTP_1_1);
      for (const auto& [name, value] : r.headers.fields()) req.add(name, value);
      if (!r.headers.find("User-Agent")) req.set("User-Agent", opt.user_agent);
      req.setContentLength(static_cast<std::streamsize>(r.body.size()));
      req.setKeepAlive(true);
      const bool connected_before = session->connected();
      try {
        std::ostream& os = session->sendRequest(req);
        stage = FailureStage::Send;
        os.write(r.body.data(), static_cast<std::streamsize>(r.body.size()));
        os.flush();
        if (!os) throw Poco::IOException("write failed");
      } catch (const Poco::Exception& e) {
        if (stage == FailureStage::Connect && (connected_before || !is_connect_failure(e))) stage = FailureStage::Send;
        throw;
      }
      stage = FailureStage::Receive;
      Poco::Net::HTTPResponse resp;
      std::istream& is = session->receiveResponse(resp);
      reused = true;
      HttpResponse out;
      out.status = static_cast<int>(resp.getStatus());
      out.reason = resp.getReason();
      for (const auto& [name, value] : resp) out.headers.add(name, value);
      const bool chunked = resp.getChunkedTransferEncoding();
      if (!chunked && resp.hasContentLength() && resp.getContentLength64() >= 0) {
        const auto length = static_cast<uint64_t>(resp.getContentLength64());
        if (length > opt.max_response_bytes) return too_large(r.url);
        out.body.resize(static_cast<size_t>(length));  // one allocation, no copies
        size_t got = 0;
        while (got < out.body.size()) {
          const auto want = static_cast<std::streamsize>(std::min<size_t>(out.body.size() - got, 1 << 20));
          const int n = read_body(*session, out.body.data() + got, want);
          if (n <= 0)
            return fail(stage, r.url, "the connection closed after " + std::to_string(got) + " of " +
                                          std::to_string(length) + " body bytes");
          got += static_cast<size_t>(n);
        }
      } else {
        char buf[64 * 1024];
        while (is.read(buf, sizeof buf) || is.gcount() > 0) {
          out.body.append(buf, static_cast<size_t>(is.gcount()));
          if (out.body.size() > opt.max_response_bytes) return too_large(r.url);
        }
      }
      if (is.bad()) throw Poco::IOException("reading the response body failed");
      if (!resp.getKeepAlive()) {
        session.reset();
        session_key.clear();
      }
      return out;
    } catch (const Poco::TimeoutException&) {
      return fail(stage, r.url, "timed out after " + std::to_string(opt.timeout.count()) + " s");
    } catch (const Poco::Exception& e) {
      if (stage != FailureStage::Connect && was_reused && is_stale_connection(e)) retry_stale = true;
      return fail(stage, r.url, e.displayText());
    } catch (const std::exception& e) {
      return fail(stage, r.url, e.what());
    }
  }
};

PocoTransport::PocoTransport(TransportOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->opt = std::move(options);
}

PocoTransport::~PocoTransport() = default;

std::unique_ptr<Transport> PocoTransport::open_another() const {
  auto t = std::make_unique<PocoTransport>(impl_->opt);
  t->impl_->context = impl_->context;  // OpenSSL contexts may be shared by connections
  return t;
}

Result<HttpResponse> PocoTransport::post(const HttpRequest& request) {
  bool retry_stale = false;
  auto r = impl_->once(request, retry_stale);
  if (!r.ok() && retry_stale) r = impl_->once(request, retry_stale);
  return r;
}

Result<ProxyOptions> parse_proxy(std::string_view text) {
  ProxyOptions p;
  std::string s(text);
  if (s.find("://") == std::string::npos) s = "http://" + s;
  if (s.rfind("http://", 0) != 0) return Error::bad_message("proxy '" + std::string(text) + "': only http:// proxies are supported");
  std::string rest = s.substr(7);
  const size_t slash = rest.find('/');
  if (slash != std::string::npos) rest = rest.substr(0, slash);
  if (const size_t at = rest.rfind('@'); at != std::string::npos) {
    const std::string cred = rest.substr(0, at);
    rest = rest.substr(at + 1);
    const size_t colon = cred.find(':');
    p.user = cred.substr(0, colon);
    if (colon != std::string::npos) p.password = cred.substr(colon + 1);
  }
  auto u = parse_url("http://" + rest);
  if (!u.ok()) return Error::bad_message("proxy '" + std::string(text) + "': " + u.error().message());
  p.host = u->host;
  p.port = (rest.find(':') == std::string::npos || rest.back() == ']') ? 3128 : u->port;
  return p;
}

}  // namespace taxii::client
