#include "tests/wire/wire_support.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/StreamCopier.h>

#include "bindings/xml/message_binding.hpp"
#include "core/urn.hpp"

extern char** environ;

namespace taxii::wire {
namespace fs = std::filesystem;

TempDir::TempDir() {
  std::string tmpl = (fs::temp_directory_path() / "taxii-wire-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

namespace {

void run(const std::string& cmd, const std::string& log) {
  const std::string full = cmd + " >>" + log + " 2>&1";
  if (std::system(full.c_str()) != 0) throw std::runtime_error("command failed: " + cmd + " (see " + log + ")");
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

Pki make_pki(const std::string& dir) {
  const std::string log = dir + "/openssl.log";
  const std::string ec = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
  Pki p;
  p.ca = dir + "/ca.pem";
  run("openssl req -x509 " + ec + " -keyout " + dir + "/ca.key -out " + p.ca +
          " -days 2 -subj '/CN=taxii wire test CA'",
      log);
  auto issue = [&](const std::string& name, const std::string& subject, const std::string& ext) {
    std::ofstream(dir + "/" + name + ".ext") << ext;
    run("openssl req " + ec + " -keyout " + dir + "/" + name + ".key -out " + dir + "/" + name + ".csr -subj '" +
            subject + "'",
        log);
    run("openssl x509 -req -in " + dir + "/" + name + ".csr -CA " + p.ca + " -CAkey " + dir +
            "/ca.key -CAcreateserial -days 2 -out " + dir + "/" + name + ".pem -extfile " + dir + "/" + name + ".ext",
        log);
  };
  issue("server", "/CN=127.0.0.1",
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n");
  issue("client", "/O=taxii/CN=wire test client", "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n");
  p.server_cert = dir + "/server.pem";
  p.server_key = dir + "/server.key";
  p.client_cert = dir + "/client.pem";
  p.client_key = dir + "/client.key";
  p.rogue_cert = dir + "/rogue.pem";
  p.rogue_key = dir + "/rogue.key";
  run("openssl req -x509 " + ec + " -keyout " + p.rogue_key + " -out " + p.rogue_cert + " -days 2 -subj '/CN=rogue'",
      log);
  return p;
}

namespace {

std::string wire_config(const ServerSpec& s, const Pki& pki, const std::string& store_uri) {
  std::ostringstream y;
  y << "listeners:\n  - address: 127.0.0.1\n    port: 0\n";
  if (s.tls)
    y << "  - address: 127.0.0.1\n    port: 0\n    tls:\n      cert: " << pki.server_cert << "\n      key: "
      << pki.server_key << "\n      ca: " << pki.ca << "\n      client_certificates: " << s.client_certificates
      << "\n";
  y << "storage: \"" << store_uri << "\"\n"
    << "limits:\n  max_body_bytes: " << s.max_body_bytes << "\n  max_connections: " << s.max_connections
    << "\n  threads: " << s.threads << "\n  keep_alive_timeout: " << s.keep_alive_timeout
    << "\n  request_timeout: " << s.request_timeout << "\n" << s.limits_yaml
    << "poll:\n  part_size: " << s.part_size << "\n" << s.poll_yaml
    << "services:\n"
       "  - {id: discovery, type: discovery, path: /services/discovery}\n"
       "  - {id: cm, type: collection_management, path: /services/collection-management}\n"
       "  - {id: inbox, type: inbox, path: /services/inbox, default_collections: [default]}\n"
       "  - {id: inbox-named, type: inbox, path: /services/inbox-named, destination_collection_names: required}\n"
       "  - {id: poll, type: poll, path: /services/poll}\n"
       "collections:\n"
       "  - name: default\n    type: DATA_FEED\n    description: the default feed\n"
       "    content_bindings: [urn:stix.mitre.org:xml:1.0, urn:stix.mitre.org:xml:1.0.1, urn:stix.mitre.org:xml:1.1,"
       " urn:stix.mitre.org:xml:1.1.1, urn:stix.mitre.org:xml:1.2]\n"
       "    service_ids: [inbox, inbox-named, poll]\n"
       "  - name: second\n    type: DATA_FEED\n    description: a second feed\n"
       "    content_bindings: [urn:stix.mitre.org:xml:1.1.1, urn:stix.mitre.org:xml:1.2]\n"
       "    service_ids: [inbox, inbox-named, poll]\n"
       "  - name: set\n    type: DATA_SET\n    description: a data set taking anything\n"
       "    service_ids: [inbox, poll]\n"
       "  - name: typed\n    type: DATA_FEED\n    description: STIX 1.2 indicators only\n"
       "    content_bindings:\n      - {id: urn:stix.mitre.org:xml:1.2, subtypes: ["
    << kSubtype << "]}\n    service_ids: [inbox, poll]\n";
  std::string out = y.str();
  for (const auto& [name, extra] : s.collection_yaml) {
    const auto at = out.find("  - name: " + name + "\n");
    const auto ids = at == std::string::npos ? at : out.find("    service_ids:", at);
    if (ids == std::string::npos) continue;
    out.insert(out.find('\n', ids) + 1, extra);
  }
  return out + s.extra_yaml;
}

}  // namespace

TaxiidProcess::TaxiidProcess(const ServerSpec& spec) {
  if (spec.tls) pki_ = make_pki(dir_.path());
  store_uri_ = spec.storage_uri;
  if (store_uri_.empty()) {
    auto store = storage::testing::test_store_uri("store/taxii.db", "wire");
    store_uri_ = std::move(store.uri);
    schema_ = std::move(store.schema);
  }
  std::ofstream(dir_.file("taxiid.yaml")) << wire_config(spec, pki_, store_uri_);
  spawn();
}

void TaxiidProcess::kill_hard() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

void TaxiidProcess::restart() {
  if (pid_ > 0) throw std::runtime_error("restart() of a running taxiid");
  // The same ports as before, so that addresses given out (subscriptions' inboxes) stay valid.
  const std::string config = dir_.file("taxiid.yaml");
  std::string text = read_file(config);
  for (uint16_t port : {http_port_, https_port_}) {
    const auto at = text.find("port: 0\n");
    if (port != 0 && at != std::string::npos) text.replace(at, 8, "port: " + std::to_string(port) + "\n");
  }
  std::ofstream(config, std::ios::trunc) << text;
  std::error_code ec;
  fs::rename(dir_.file("taxiid.log"), dir_.file("taxiid.log." + std::to_string(++restarts_)), ec);
  spawn();
}

void TaxiidProcess::spawn() {
  const std::string config = dir_.file("taxiid.yaml");
  const std::string log = dir_.file("taxiid.log");

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 2, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&fa, 2, 1);
  std::string bin = TAXIID_PATH;
  std::string opt = "--config";
  char* argv[] = {bin.data(), opt.data(), const_cast<char*>(config.c_str()), nullptr};
  const int rc = posix_spawn(&pid_, bin.c_str(), &fa, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) throw std::runtime_error("cannot start " + bin);

  // Wait for "event=ready", reading the ports from the "event=listening" lines.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  const std::regex listening("event=listening address=\\S+ port=(\\d+) protocol=(https?)");
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string text = read_file(log);
    if (text.find("event=ready") != std::string::npos) {
      for (std::sregex_iterator it(text.begin(), text.end(), listening), end; it != end; ++it) {
        const auto port = static_cast<uint16_t>(std::stoi((*it)[1]));
        ((*it)[2] == "https" ? https_port_ : http_port_) = port;
      }
      return;
    }
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("taxiid exited during start-up:\n" + text);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("taxiid not ready within 30 s:\n" + read_file(log));
}

TaxiidProcess::~TaxiidProcess() {
  if (pid_ > 0 && terminate(std::chrono::seconds(20)) == -1 && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

std::string TaxiidProcess::log() const { return read_file(dir_.file("taxiid.log")); }

bool TaxiidProcess::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

int TaxiidProcess::terminate(std::chrono::seconds deadline) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < until) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return -1;
}

std::string Reply::header(const std::string& name) const {
  std::string key = name;
  for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto it = headers.find(key);
  return it == headers.end() ? std::string() : it->second;
}

std::string Reply::status_type() const {
  if (!message) return {};
  if (auto* s = std::get_if<v11::StatusMessage>(&*message)) return s->status_type;
  if (auto* s = std::get_if<v10::StatusMessage>(&*message)) return s->status_type;
  return {};
}

std::string Reply::status_text() const {
  if (!message) return {};
  if (auto* s = std::get_if<v11::StatusMessage>(&*message)) return s->message.value_or("");
  if (auto* s = std::get_if<v10::StatusMessage>(&*message)) return s->message.value_or("");
  return {};
}

std::string Reply::in_response_to() const { return message ? in_response_to_of(*message) : std::string(); }

Headers taxii_headers(Version v, bool https) {
  const bool v11 = v == Version::V11;
  const std::string binding(v11 ? urn::kMessageXml11 : urn::kMessageXml10);
  return {{"Content-Type", "application/xml"},
          {"Accept", "application/xml"},
          {"X-TAXII-Content-Type", binding},
          {"X-TAXII-Accept", binding},
          {"X-TAXII-Services", std::string(v11 ? urn::kServices11 : urn::kServices10)},
          {"X-TAXII-Protocol", std::string(https ? urn::kProtocolHttps : urn::kProtocolHttp)}};
}

Client::Client(uint16_t port, Poco::Net::Context::Ptr tls) {
  if (tls) {
    session_ = std::make_unique<Poco::Net::HTTPSClientSession>("127.0.0.1", port, tls);
    https_ = true;
  } else {
    session_ = std::make_unique<Poco::Net::HTTPClientSession>("127.0.0.1", port);
  }
  session_->setKeepAlive(true);
  session_->setTimeout(Poco::Timespan(30, 0));
}

Reply Client::post(const std::string& path, const std::string& body, const Headers& headers,
                   const std::string& method) {
  Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  for (const auto& [k, v] : headers) req.set(k, v);
  if (method == "POST" || !body.empty()) req.setContentLength(static_cast<std::streamsize>(body.size()));
  std::ostream& os = session_->sendRequest(req);
  os.write(body.data(), static_cast<std::streamsize>(body.size()));
  Poco::Net::HTTPResponse resp;
  std::istream& is = session_->receiveResponse(resp);
  Reply r;
  r.status = resp.getStatus();
  for (const auto& [k, v] : resp) {
    std::string key = k;
    for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    r.headers[key] = v;
  }
  Poco::StreamCopier::copyToString(is, r.body);
  if (!r.header("X-TAXII-Content-Type").empty()) {
    auto m = xml::parse_any(r.body);
    if (m.ok()) r.message = std::move(m).value();
    else r.parse_error = m.error().message();
  }
  return r;
}

Reply Client::send(const std::string& path, const Message& m) {
  auto body = xml::serialize_any(m);
  if (!body.ok()) throw std::runtime_error("cannot serialize the request: " + body.error().message());
  return post(path, *body, taxii_headers(version_of(m), https_));
}

Poco::Net::Context::Ptr client_context(const Pki& pki, bool with_cert, bool rogue) {
  static std::once_flag once;
  std::call_once(once, [] { Poco::Net::initializeSSL(); });
  Poco::Net::Context::Params p;
  p.caLocation = pki.ca;
  if (with_cert) {
    p.certificateFile = rogue ? pki.rogue_cert : pki.client_cert;
    p.privateKeyFile = rogue ? pki.rogue_key : pki.client_key;
  }
  p.verificationMode = Poco::Net::Context::VERIFY_RELAXED;
  p.loadDefaultCAs = false;
  return new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, p);
}

namespace raw {

const std::string kDiscovery11 =
    R"(<taxii_11:Discovery_Request xmlns:taxii_11="http://taxii.mitre.org/messages/taxii_xml_binding-1.1" message_id="d-1"/>)";
const std::string kDiscovery10 =
    R"(<taxii:Discovery_Request xmlns:taxii="http://taxii.mitre.org/messages/taxii_xml_binding-1" message_id="10"/>)";
const std::string kRawTaxii11 =
    "Content-Type: application/xml\r\nX-TAXII-Content-Type: urn:taxii.mitre.org:message:xml:1.1\r\n"
    "X-TAXII-Protocol: urn:taxii.mitre.org:protocol:http:1.0\r\nX-TAXII-Services: urn:taxii.mitre.org:services:1.1\r\n";

std::string raw_request(const std::string& body, const std::string& path, const std::string& extra,
                        const std::string& method, const std::string* headers) {
  return method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + (headers ? *headers : kRawTaxii11) + extra +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

std::size_t whole_answer_size(const std::string& raw) {
  const auto he = raw.find("\r\n\r\n");
  if (he == std::string::npos) return 0;
  const auto cl = raw.find("Content-Length: ");
  const std::size_t len = cl != std::string::npos && cl < he ? std::stoul(raw.substr(cl + 16)) : 0;
  return raw.size() >= he + 4 + len ? he + 4 + len : 0;
}

bool whole_answer(const std::string& raw) {
  const auto he = raw.find("\r\n\r\n");
  const auto cl = raw.find("Content-Length: ");
  return he != std::string::npos && cl != std::string::npos && cl < he &&
         raw.size() >= he + 4 + std::stoul(raw.substr(cl + 16));
}

std::vector<std::string> read_answers(Poco::Net::StreamSocket& s, std::string& buf, std::size_t n,
                                      std::chrono::milliseconds deadline) {
  std::vector<std::string> out;
  const auto until = std::chrono::steady_clock::now() + deadline;
  char chunk[65536];
  while (out.size() < n && std::chrono::steady_clock::now() < until) {
    if (const std::size_t whole = whole_answer_size(buf); whole != 0) {  // already buffered
      out.push_back(buf.substr(0, whole));
      buf.erase(0, whole);
      continue;
    }
    int got = 0;
    try {
      got = s.receiveBytes(chunk, sizeof chunk);
    } catch (const Poco::TimeoutException&) {
      continue;
    } catch (const Poco::Exception&) {
      break;
    }
    if (got <= 0) break;
    buf.append(chunk, static_cast<std::size_t>(got));
  }
  return out;
}

Headers without(Headers h, const std::string& name) {
  h.erase(std::remove_if(h.begin(), h.end(), [&](const auto& kv) { return kv.first == name; }), h.end());
  return h;
}

Headers with(Headers h, const std::string& name, const std::string& value) {
  h = without(std::move(h), name);
  h.emplace_back(name, value);
  return h;
}

}  // namespace raw

std::string next_id() {
  static std::atomic<uint64_t> n{1000};
  return std::to_string(n.fetch_add(1));
}

v11::InboxMessage inbox11(std::vector<std::string> destinations, std::vector<Mixed> contents,
                          const std::string& binding) {
  v11::InboxMessage m;
  m.message_id = next_id();
  m.destination_collection_names = std::move(destinations);
  for (auto& c : contents) {
    v11::ContentBlock b;
    b.binding_id = binding;
    b.content = std::move(c);
    m.content_blocks.push_back(std::move(b));
  }
  return m;
}

v11::PollRequest poll11(const std::string& collection) {
  v11::PollRequest r;
  r.message_id = next_id();
  r.collection_name = collection;
  r.poll_parameters = v11::PollParameters{};
  return r;
}

bool timing::eventually(const std::function<bool()>& f, std::chrono::seconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < until) {
    if (f()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return f();
}

v11::PollFulfillment fulfillment11(const std::string& collection, const std::string& result_id, uint64_t part) {
  v11::PollFulfillment f;
  f.message_id = next_id();
  f.collection_name = collection;
  f.result_id = result_id;
  f.result_part_number = part;
  return f;
}

}  // namespace taxii::wire
