#include "bindings/http/http_client.hpp"

#include <algorithm>
#include <cctype>
#include <istream>
#include <mutex>
#include <ostream>
#include <sstream>

#include <Poco/Base64Encoder.h>
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

#include "core/urn.hpp"

namespace taxii::http {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

uint16_t default_port(std::string_view scheme) { return scheme == "https" ? 443 : 80; }

std::string bracketed(const std::string& host) { return host.find(':') != std::string::npos ? "[" + host + "]" : host; }

// The port of an authority ("" = the scheme's default); false if it is not 1..65535.
bool read_port(std::string_view text, uint16_t& port) {
  if (text.empty()) return true;
  unsigned long p = 0;
  for (char c : text) {
    if (c < '0' || c > '9' || p > 65535) return false;
    p = p * 10 + static_cast<unsigned long>(c - '0');
  }
  if (p == 0 || p > 65535) return false;
  port = static_cast<uint16_t>(p);
  return true;
}

// --- the TLS context and the connection ---------------------------------------------------

// The one builder of client TLS contexts: TLS 1.2 or later, strong ciphers, the chain and the
// host name verified unless `verify` is off, an optional client certificate.
Result<Poco::Net::Context::Ptr> make_tls_context(const ClientTlsOptions& tls) {
  static std::once_flag once;
  std::call_once(once, [] { Poco::Net::initializeSSL(); });
  try {
    Poco::Net::Context::Params p;
    p.caLocation = tls.ca_file;
    p.loadDefaultCAs = tls.ca_file.empty();
    p.certificateFile = tls.cert_file;
    p.privateKeyFile = tls.cert_file.empty() ? std::string() : (tls.key_file.empty() ? tls.cert_file : tls.key_file);
    p.verificationMode = tls.verify ? Poco::Net::Context::VERIFY_RELAXED : Poco::Net::Context::VERIFY_NONE;
    p.cipherList = "HIGH:!aNULL:!eNULL:!MD5:!RC4:!3DES";
    Poco::Net::Context::Ptr ctx = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, p);
    ctx->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
    ctx->enableExtendedCertificateVerification(tls.verify);  // the host name check
    if (tls.verify)
      ctx->setInvalidCertificateHandler(new Poco::Net::RejectCertificateHandler(false));
    else
      ctx->setInvalidCertificateHandler(new Poco::Net::AcceptCertificateHandler(false));
    return ctx;
  } catch (const Poco::Exception& e) {
    return client_failure(FailureStage::Connect, "TLS setup failed (certificate, key or CA file): " + e.displayText());
  }
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

bool sends_body(const ClientRequest& r) { return !r.body.empty() || (r.method != "GET" && r.method != "HEAD"); }

}  // namespace

// --- header fields and URLs ---------------------------------------------------------------

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

void HeaderFields::set(std::string name, std::string value) {
  fields_.erase(std::remove_if(fields_.begin(), fields_.end(), [&name](const Field& f) { return iequals(f.first, name); }),
                fields_.end());
  add(std::move(name), std::move(value));
}

const std::string* HeaderFields::find(std::string_view name) const {
  for (const auto& f : fields_)
    if (iequals(f.first, name)) return &f.second;
  return nullptr;
}

std::string Url::str() const {
  std::string out = scheme + "://" + bracketed(host);
  if (port != default_port(scheme)) out += ":" + std::to_string(port);
  return out + target;
}

std::string Url::authority() const { return bracketed(host) + ":" + std::to_string(port); }

Result<Url> parse_url(std::string_view text) {
  const auto bad = [&text](const std::string& why) {
    return Error::bad_message("'" + std::string(text) + "' is not an http(s) URL: " + why);
  };
  const size_t sep = text.find("://");
  if (sep == std::string_view::npos) return bad("no scheme");
  Url u;
  u.scheme = lower(text.substr(0, sep));
  if (u.scheme != "http" && u.scheme != "https") return bad("scheme must be http or https");
  std::string_view rest = text.substr(sep + 3);
  const size_t slash = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, slash);
  std::string_view target = slash == std::string_view::npos ? std::string_view("/") : rest.substr(slash);
  if (const size_t hash = target.find('#'); hash != std::string_view::npos) target = target.substr(0, hash);
  u.target = target.empty() || target[0] != '/' ? "/" + std::string(target) : std::string(target);
  if (authority.rfind('@') != std::string_view::npos)
    return bad("credentials in the URL are not used; pass --user/--password");
  std::string_view port_text;
  if (!authority.empty() && authority[0] == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("unterminated IPv6 literal");
    u.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return bad("junk after the IPv6 literal");
      port_text = after.substr(1);
    }
  } else {
    const size_t colon = authority.rfind(':');
    u.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (u.host.empty()) return bad("no host");
  u.port = default_port(u.scheme);
  if (!read_port(port_text, u.port)) return bad("bad port");
  return u;
}

Result<Url> resolve_url(const Url& base, std::string_view address) {
  if (address.find("://") != std::string_view::npos) return parse_url(address);
  if (address.empty()) return base;
  Url u = base;
  if (address[0] == '/') {
    u.target = std::string(address);
  } else {
    const size_t last = base.target.find_last_of('/', base.target.find('?'));
    u.target = base.target.substr(0, last == std::string::npos ? 0 : last + 1) + std::string(address);
  }
  return u;
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

// --- failures -----------------------------------------------------------------------------

std::string_view to_string(FailureStage s) {
  static constexpr std::string_view kNames[] = {"connect", "send", "receive"};  // in enum order
  return kNames[static_cast<size_t>(s)];
}

std::optional<FailureStage> failure_stage(const Error& e) {
  for (const auto& d : e.details()) {
    if (d.name != kStageDetail) continue;
    for (auto s : {FailureStage::Connect, FailureStage::Send, FailureStage::Receive})
      if (d.value == to_string(s)) return s;
  }
  return std::nullopt;
}

Error client_failure(FailureStage stage, std::string message) {
  Error e{StatusType::NetworkError, std::move(message)};
  e.with_detail(std::string(kStageDetail), std::string(to_string(stage)));
  return e;
}

// --- PocoHttpClient -----------------------------------------------------------------------

struct PocoHttpClient::Impl {
  ClientOptions opt;
  Poco::Net::Context::Ptr context;
  std::unique_ptr<Poco::Net::HTTPClientSession> session;
  std::string session_key;  // scheme://host:port of the open session
  bool reused = false;      // the open session has carried a request before

  void close() {
    session.reset();
    session_key.clear();
  }

  Status open(const Url& url) {
    const std::string key = url.scheme + "://" + url.authority();
    if (session && key == session_key) return ok_status();
    close();
    reused = false;
    if (url.https()) {
      if (context.isNull()) {
        auto ctx = make_tls_context(opt.tls);
        if (!ctx.ok()) return ctx.error();
        context = *ctx;
      }
      session = std::make_unique<TlsSession>(url.host, url.port, context);
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
    close();
    const std::string where =
        opt.proxy.host.empty() ? "" : " (via proxy " + opt.proxy.host + ":" + std::to_string(opt.proxy.port) + ")";
    std::string msg;
    switch (stage) {
      case FailureStage::Connect: msg = "cannot connect to " + url.authority() + where + ": " + what; break;
      case FailureStage::Send: msg = "sending to " + url.str() + " failed: " + what; break;
      case FailureStage::Receive: msg = "no response from " + url.str() + ": " + what; break;
    }
    if (url.https() && opt.tls.cert_file.empty() && stage != FailureStage::Connect) msg += opt.missing_certificate_hint;
    Error e = client_failure(stage, std::move(msg));
    if (is_auth_alert(what)) return Error{StatusType::Unauthorized, e.message(), e.details()};
    return e;
  }

  Error too_large(const Url& url) {
    close();
    return client_failure(FailureStage::Receive, "response from " + url.str() + " is larger than " +
                                                     std::to_string(opt.max_response_bytes) + " bytes");
  }

  void write_request(const ClientRequest& r, FailureStage& stage) {
    Poco::Net::HTTPRequest req(r.method, r.url.target, Poco::Net::HTTPMessage::HTTP_1_1);
    for (const auto& [name, value] : r.headers.fields()) req.add(name, value);
    if (!r.headers.find("User-Agent")) req.set("User-Agent", opt.user_agent);
    if (sends_body(r)) req.setContentLength(static_cast<std::streamsize>(r.body.size()));
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
  }

  // Reads the body into out.body; false (and the session closed) if it is larger than allowed.
  // Throws Poco exceptions for I/O failures; a body cut short is `cut`.
  bool read_body_into(const Poco::Net::HTTPResponse& resp, std::istream& is, ClientResponse& out, std::string& cut) {
    const bool chunked = resp.getChunkedTransferEncoding();
    if (!chunked && resp.hasContentLength() && resp.getContentLength64() >= 0) {
      const auto length = static_cast<uint64_t>(resp.getContentLength64());
      if (length > opt.max_response_bytes) return false;
      out.body.resize(static_cast<size_t>(length));  // one allocation, no copies
      size_t got = 0;
      while (got < out.body.size()) {
        const auto want = static_cast<std::streamsize>(std::min<size_t>(out.body.size() - got, 1 << 20));
        const int n = read_body(*session, out.body.data() + got, want);
        if (n <= 0) {
          cut = "the connection closed after " + std::to_string(got) + " of " + std::to_string(length) + " body bytes";
          return true;
        }
        got += static_cast<size_t>(n);
      }
    } else {
      char buf[64 * 1024];
      while (is.read(buf, sizeof buf) || is.gcount() > 0) {
        out.body.append(buf, static_cast<size_t>(is.gcount()));
        if (out.body.size() > opt.max_response_bytes) return false;
      }
    }
    if (is.bad()) throw Poco::IOException("reading the response body failed");
    return true;
  }

  Result<ClientResponse> once(const ClientRequest& r, bool& retry_stale) {
    retry_stale = false;
    if (auto st = open(r.url); !st.ok()) return st.error();
    const bool was_reused = reused;
    FailureStage stage = FailureStage::Connect;
    try {
      write_request(r, stage);
      stage = FailureStage::Receive;
      Poco::Net::HTTPResponse resp;
      std::istream& is = session->receiveResponse(resp);
      reused = true;
      ClientResponse out;
      out.status = static_cast<int>(resp.getStatus());
      out.reason = resp.getReason();
      for (const auto& [name, value] : resp) out.headers.add(name, value);
      std::string cut;
      if (r.method != "HEAD" && !read_body_into(resp, is, out, cut)) return too_large(r.url);
      if (!cut.empty()) return fail(stage, r.url, cut);
      if (!resp.getKeepAlive()) close();
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

PocoHttpClient::PocoHttpClient(ClientOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->opt = std::move(options);
}

PocoHttpClient::~PocoHttpClient() = default;

const ClientOptions& PocoHttpClient::options() const { return impl_->opt; }

std::unique_ptr<HttpClient> PocoHttpClient::open_another() const {
  auto c = std::make_unique<PocoHttpClient>(impl_->opt);
  c->impl_->context = impl_->context;  // OpenSSL contexts may be shared by connections
  return c;
}

Result<ClientResponse> PocoHttpClient::send(const ClientRequest& request) {
  bool retry_stale = false;
  auto r = impl_->once(request, retry_stale);
  if (!r.ok() && retry_stale) r = impl_->once(request, retry_stale);
  return r;
}

// --- TAXII requests -----------------------------------------------------------------------

HeaderFields taxii_headers(Version v, bool https) {
  const std::string binding(v == Version::V11 ? urn::kMessageXml11 : urn::kMessageXml10);
  return {{"Content-Type", "application/xml"},
          {"Accept", "application/xml"},
          {"X-TAXII-Content-Type", binding},
          {"X-TAXII-Accept", binding},
          {"X-TAXII-Protocol", std::string(https ? urn::kProtocolHttps : urn::kProtocolHttp)},
          {"X-TAXII-Services", std::string(v == Version::V11 ? urn::kServices11 : urn::kServices10)}};
}

ClientRequest taxii_post(Url url, Version v, std::string body) {
  ClientRequest r;
  r.headers = taxii_headers(v, url.https());
  r.url = std::move(url);
  r.body = std::move(body);
  return r;
}

std::string basic_authorization(std::string_view user, std::string_view password) {
  std::ostringstream out;
  Poco::Base64Encoder enc(out);
  enc.rdbuf()->setLineLength(0);
  enc << user << ':' << password;
  enc.close();
  return "Basic " + out.str();
}

}  // namespace taxii::http
