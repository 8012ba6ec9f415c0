// libFuzzer target: the HTTP request handler, in-process and without sockets. Raw bytes are
// parsed as an HTTP request head by Poco (the parser HTTPServerRequestImpl uses); the rest of
// the input is the body stream. The request then goes through TaxiiHandler::answer() (method,
// framing, path, authentication before the body, body limits, X-TAXII-* headers, the XML
// binding, the Dispatcher with the real services over an in-memory SQLite store, the answer's
// serialization) twice:
//   - "secure": an `auth:` setup as in taxiid (DispatcherApp + Authenticator + AccessPolicy;
//     user alice / password alice-pw, PBKDF2 with few iterations), over HTTPS;
//   - "open": no authentication, over plain HTTP.
// Oracles: nothing crashes, leaks or throws out; every answer has a valid HTTP status and,
// unless it is the 405 text or a 500, an XML body that parses again as a TAXII message of the
// version its X-TAXII-Content-Type names; an error answer outside HTTP 200/404 closes the
// connection.
// The store is recreated every kResetEvery inputs so long campaigns do not grow without bound.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <Poco/Exception.h>
#include <Poco/Net/HTTPRequest.h>

#include "auth/access.hpp"
#include "auth/authenticator.hpp"
#include "auth/password.hpp"
#include "bindings/http/taxii_handler.hpp"
#include "bindings/xml/message_binding.hpp"
#include "core/urn.hpp"
#include "server/dispatcher_app.hpp"
#include "services/collection_management/collection_management_service.hpp"
#include "services/discovery/discovery_service.hpp"
#include "services/dispatcher.hpp"
#include "services/inbox/inbox_service.hpp"
#include "services/poll/poll_service.hpp"
#include "storage/store.hpp"

namespace {

using namespace taxii;

constexpr int kResetEvery = 5000;

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "http_request_fuzz oracle: %s\n%s\n", what, detail.c_str());
  std::abort();
}

v11::ContentBinding cb(std::string_view id) { return {std::string(id), {}}; }

// Services, store and dispatchers: one set per generation.
struct World {
  std::unique_ptr<storage::Store> store;
  std::shared_ptr<services::Topology> topology;
  services::Dispatcher open_dispatcher;
  services::Dispatcher secure_dispatcher;
  std::unique_ptr<auth::StaticAccounts> accounts;
  std::unique_ptr<auth::Authenticator> authenticator;
  std::unique_ptr<server::DispatcherApp> open_app;
  std::unique_ptr<server::DispatcherApp> secure_app;
  std::unique_ptr<http::TaxiiHandler> open_handler;
  std::unique_ptr<http::TaxiiHandler> secure_handler;

  World() {
    auto s = storage::open_store("sqlite::memory:");
    if (!s.ok()) fail("cannot open the store", s.error().message());
    store = std::move(s).value();
    std::vector<services::ServiceInfo> svcs(4);
    const std::pair<ServiceType, const char*> kinds[] = {{ServiceType::Discovery, "discovery"},
                                                         {ServiceType::CollectionManagement, "collection-management"},
                                                         {ServiceType::Inbox, "inbox"},
                                                         {ServiceType::Poll, "poll"}};
    for (std::size_t i = 0; i < svcs.size(); ++i) {
      svcs[i].id = kinds[i].second;
      svcs[i].type = kinds[i].first;
      svcs[i].path = std::string("/services/") + kinds[i].second;
    }
    svcs[2].default_collections = {"feed"};
    std::vector<services::CollectionInfo> cols(3);
    const char* names[] = {"feed", "set", "private"};
    for (std::size_t i = 0; i < cols.size(); ++i) {
      cols[i].name = names[i];
      cols[i].description = names[i];
      cols[i].poll_services = {"poll"};
      cols[i].inbox_services = {"inbox"};
    }
    cols[0].accepted_bindings = {cb(urn::kStix12), cb(urn::kStix111)};
    cols[1].type = v11::CollectionType::DataSet;
    for (const auto& c : cols)
      if (auto st = store->ensure_collection(c.name); !st.ok()) fail("ensure_collection", st.error().message());
    topology = std::make_shared<services::Topology>(
        std::vector<services::Listener>{{std::string(urn::kProtocolHttps), "https://127.0.0.1:9443"},
                                        {std::string(urn::kProtocolHttp), "http://127.0.0.1:9000"}},
        svcs, cols);
    for (services::Dispatcher* d : {&open_dispatcher, &secure_dispatcher}) {
      d->add(svcs[0].path, std::make_shared<services::DiscoveryService>(topology));
      d->add(svcs[1].path, std::make_shared<services::CollectionManagementService>(topology, *store));
      d->add(svcs[2].path, std::make_shared<services::InboxService>(topology, *store, "inbox"));
      services::PollOptions po;
      po.part_size = 5;
      d->add(svcs[3].path, std::make_shared<services::PollService>(topology, *store, "poll", po));
    }
    // Access: feed is public to read, set needs a login, private is alice's.
    std::map<std::string, auth::Permissions, std::less<>> perms;
    perms["feed"] = {{"anonymous", "*"}, {"*"}};
    perms["private"] = {{"alice"}, {"alice"}};
    secure_dispatcher.set_access(std::make_shared<auth::AccessPolicy>(false, perms),
                                 {{"/services/inbox", {"feed"}}});
    auto h = auth::hash_password("alice-pw", auth::kMinIterations);
    auto ph = h.ok() ? auth::parse_hash(*h) : Result<auth::PasswordHash>(h.error());
    if (!ph.ok()) fail("hash_password", ph.error().message());
    accounts = std::make_unique<auth::StaticAccounts>(
        std::vector<auth::Account>{{"alice", *ph, {"analysts"}}, {"bob", *ph, {}}});
    auth::AuthOptions ao;
    ao.burst = 1e9;  // no lock-out: the fuzzer should keep reaching PBKDF2 and the cache
    ao.unknown_user_iterations = auth::kMinIterations;  // as cheap as alice's hash
    authenticator = std::make_unique<auth::Authenticator>(*accounts, ao);
    open_app = std::make_unique<server::DispatcherApp>(open_dispatcher, nullptr);
    secure_app = std::make_unique<server::DispatcherApp>(secure_dispatcher, authenticator.get());
    http::HandlerOptions ho;
    ho.max_body_bytes = 64 * 1024;  // small, so the 413 paths are reachable
    open_handler = std::make_unique<http::TaxiiHandler>(*open_app, ho, nullptr);
    secure_handler = std::make_unique<http::TaxiiHandler>(*secure_app, ho, nullptr);
  }
};

World& world() {
  static int runs = 0;
  static std::unique_ptr<World> w;
  if (!w || ++runs % kResetEvery == 0) {
    w.reset();
    w = std::make_unique<World>();
  }
  return *w;
}

void check(const http::Answer& a, const std::string& input) {
  if (a.status < 100 || a.status > 599) fail("HTTP status out of range", input);
  if (a.status == 405 || a.status == 500) return;
  const std::string* xct = nullptr;
  for (const auto& [k, v] : a.headers)
    if (k == "X-TAXII-Content-Type") xct = &v;
  if (xct == nullptr) fail("a TAXII answer without X-TAXII-Content-Type", input);
  auto m = xml::parse_any(a.body);
  if (!m.ok()) fail("the answer does not parse", m.error().message() + "\n" + a.body + "\n-- for --\n" + input);
  const Version v = version_of(*m);
  if ((v == Version::V11) != (*xct == urn::kMessageXml11)) fail("X-TAXII-Content-Type names another version", input);
  if (a.status != 200 && a.keep_alive && a.status != 404) fail("an error answer keeps the connection", input);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  World& w = world();
  for (int pass = 0; pass < 2; ++pass) {
    std::istringstream in(input);
    Poco::Net::HTTPRequest head;
    try {
      head.read(in);
    } catch (const Poco::Exception&) {
      return 0;  // the engine answers 400 and closes
    }
    http::Request r = http::request_from(head);
    r.body = &in;
    r.send_continue = [] {};
    http::ConnectionInfo conn;
    conn.remote = "192.0.2.7:4242";
    conn.https = pass == 0;
    http::TaxiiHandler& h = pass == 0 ? *w.secure_handler : *w.open_handler;
    check(h.answer(r, conn), input);
  }
  return 0;
}
