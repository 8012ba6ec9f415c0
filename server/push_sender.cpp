#include "server/push_sender.hpp"

#include <istream>
#include <mutex>
#include <ostream>
#include <utility>

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/RejectCertificateHandler.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Timespan.h>

namespace taxii::server {
namespace {

constexpr std::size_t kMaxAnswerBytes = 1u << 20;  // an Inbox answers with a Status_Message

bool is_stale(const Poco::Exception& e) {
  return dynamic_cast<const Poco::Net::NoMessageException*>(&e) != nullptr ||
         dynamic_cast<const Poco::Net::ConnectionResetException*>(&e) != nullptr ||
         dynamic_cast<const Poco::Net::ConnectionAbortedException*>(&e) != nullptr;
}

std::string authority(const services::PushAddress& a) {
  const bool v6 = a.host.find(':') != std::string::npos;
  return (v6 ? "[" + a.host + "]" : a.host) + ":" + std::to_string(a.port);
}

}  // namespace

struct HttpPushSender::Impl {
  PushTlsOptions tls;
  std::chrono::seconds timeout;
  Poco::Net::Context::Ptr context;
  std::unique_ptr<Poco::Net::HTTPClientSession> session;
  std::string session_key;
  bool reused = false;

  Poco::Net::Context::Ptr tls_context() {
    if (!context.isNull()) return context;
    static std::once_flag once;
    std::call_once(once, [] { Poco::Net::initializeSSL(); });
    Poco::Net::Context::Params p;
    p.caLocation = tls.ca;
    p.loadDefaultCAs = tls.ca.empty();
    p.certificateFile = tls.cert;
    p.privateKeyFile = tls.cert.empty() ? std::string() : (tls.key.empty() ? tls.cert : tls.key);
    p.verificationMode = Poco::Net::Context::VERIFY_RELAXED;  // the chain must verify
    p.cipherList = "HIGH:!aNULL:!eNULL:!MD5:!RC4:!3DES";
    Poco::Net::Context::Ptr ctx = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, p);
    ctx->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
    ctx->enableExtendedCertificateVerification(true);  // and the host name must match
    ctx->setInvalidCertificateHandler(new Poco::Net::RejectCertificateHandler(false));
    context = ctx;
    return context;
  }

  void open(const services::PushAddress& to) {
    const std::string key = (to.https ? "https://" : "http://") + authority(to);
    if (session && key == session_key) return;
    session.reset();
    reused = false;
    if (to.https)
      session = std::make_unique<Poco::Net::HTTPSClientSession>(to.host, to.port, tls_context());
    else
      session = std::make_unique<Poco::Net::HTTPClientSession>(to.host, to.port);
    session_key = key;
    session->setKeepAlive(true);
    session->setTimeout(Poco::Timespan(static_cast<long>(timeout.count()), 0));
  }

  Result<services::PushReply> once(const services::PushAddress& to, const services::HttpHeaders& headers,
                                   const std::string& body, bool& stale) {
    stale = false;
    const std::string where = (to.https ? "https://" : "http://") + authority(to) + to.target;
    bool answered_before = false;
    try {
      open(to);
      answered_before = reused;
      Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_POST, to.target, Poco::Net::HTTPMessage::HTTP_1_1);
      for (const auto& [name, value] : headers) req.set(name, value);
      req.set("User-Agent", "taxiid-push");
      req.setContentLength(static_cast<std::streamsize>(body.size()));
      req.setKeepAlive(true);
      std::ostream& os = session->sendRequest(req);
      os.write(body.data(), static_cast<std::streamsize>(body.size()));
      os.flush();
      Poco::Net::HTTPResponse resp;
      std::istream& is = session->receiveResponse(resp);
      reused = true;
      services::PushReply out;
      out.http_status = static_cast<int>(resp.getStatus());
      out.taxii_content_type = resp.get("X-TAXII-Content-Type", "");
      char buf[16 * 1024];
      while (is.read(buf, sizeof buf) || is.gcount() > 0) {
        out.body.append(buf, static_cast<std::size_t>(is.gcount()));
        if (out.body.size() > kMaxAnswerBytes) throw Poco::IOException("the answer is larger than 1 MiB");
      }
      if (!resp.getKeepAlive()) {
        session.reset();
        session_key.clear();
      }
      return out;
    } catch (const Poco::Exception& e) {
      stale = answered_before && is_stale(e);
      session.reset();
      session_key.clear();
      return Error::failure("push to " + where + " failed: " + e.displayText());
    } catch (const std::exception& e) {
      session.reset();
      session_key.clear();
      return Error::failure("push to " + where + " failed: " + e.what());
    }
  }
};

HttpPushSender::HttpPushSender(PushTlsOptions tls, std::chrono::seconds timeout) : impl_(std::make_unique<Impl>()) {
  impl_->tls = std::move(tls);
  impl_->timeout = timeout;
}

HttpPushSender::~HttpPushSender() = default;

Result<services::PushReply> HttpPushSender::post(const services::PushAddress& to, const services::HttpHeaders& headers,
                                                 const std::string& body) {
  bool stale = false;
  auto r = impl_->once(to, headers, body, stale);
  // The usual idle keep-alive race: the inbox closed the connection we were reusing. Sending
  // again is safe: the receiving inbox skips content it already stored.
  if (!r.ok() && stale) r = impl_->once(to, headers, body, stale);
  return r;
}

}  // namespace taxii::server
