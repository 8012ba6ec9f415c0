// Support for wire tests: a real taxiid process on 127.0.0.1 with a temporary directory,
// configuration and store, throwaway TLS material made with the openssl CLI, and an HTTP
// client that speaks TAXII over Poco's HTTP(S)ClientSession and parses answers with the XML
// binding. Every wait has a deadline.
//
// Not thread-safe except where noted; each test builds its own.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/StreamSocket.h>

#include "core/message.hpp"
#include "core/urn.hpp"
#include "storage/test_store.hpp"

namespace taxii::wire {

// A directory under $TMPDIR, removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Throwaway PKI: a CA, a server certificate for 127.0.0.1/localhost and a client
// certificate, all signed by the CA, plus a second CA's client certificate (untrusted).
struct Pki {
  std::string ca, server_cert, server_key, client_cert, client_key, rogue_cert, rogue_key;
};
Pki make_pki(const std::string& dir);

struct ServerSpec {
  bool tls = false;                      // add a second (HTTPS) listener
  std::string client_certificates = "none";
  uint64_t part_size = 5;
  std::size_t max_body_bytes = 1 << 20;
  std::size_t threads = 4;
  std::size_t max_connections = 5000;
  int keep_alive_timeout = 30;
  int request_timeout = 30;
  // Extra keys of the `limits:` section, as YAML lines indented by two spaces
  // (e.g. "  max_connections_per_ip: 20\n").
  std::string limits_yaml;
  // Appended to the configuration as is (e.g. an `auth:` section).
  std::string extra_yaml;
  // Extra keys of the `poll:` section, as YAML lines indented by two spaces
  // (e.g. "  async_threshold: 0\n").
  std::string poll_yaml;
  // Extra keys per collection name, as YAML lines indented by four spaces
  // (e.g. "    permissions: {read: [alice]}\n").
  std::map<std::string, std::string> collection_yaml;
  // The store URI. Empty (the default): a store of this taxiid's own, fresh and empty: the
  // SQLite file store/taxii.db in its directory, or, with TAXII_TEST_STORE=postgres, a new
  // PostgreSQL schema on TAXII_TEST_POSTGRES_URI, dropped when the process object goes
  // (storage/test_store.hpp). Set it to let several instances share one store.
  std::string storage_uri;
};

// The collections of the wire configuration:
//   default  DATA_FEED  STIX 1.0 - 1.2                      inbox, inbox-named, poll
//   second   DATA_FEED  STIX 1.1.1, 1.2                     inbox, inbox-named, poll
//   set      DATA_SET   anything                            inbox, poll
//   typed    DATA_FEED  STIX 1.2 subtype kSubtype only      inbox, poll
// Services: /services/discovery, /services/collection-management, /services/inbox (default
// collection "default"), /services/inbox-named (destination names required), /services/poll.
inline constexpr const char* kSubtype = "urn:example:subtype:indicators";

class TaxiidProcess {
 public:
  explicit TaxiidProcess(const ServerSpec& spec = {});
  ~TaxiidProcess();  // SIGTERM, then SIGKILL after a deadline
  TaxiidProcess(const TaxiidProcess&) = delete;
  TaxiidProcess& operator=(const TaxiidProcess&) = delete;

  uint16_t http_port() const { return http_port_; }
  uint16_t https_port() const { return https_port_; }
  const Pki& pki() const { return pki_; }
  const TempDir& dir() const { return dir_; }
  // The store URI in the configuration (relative SQLite paths are relative to dir()).
  const std::string& store_uri() const { return store_uri_; }
  std::string log() const;
  // SIGTERM and wait (deadline); returns the exit status, or -1 on timeout / signal death.
  int terminate(std::chrono::seconds deadline = std::chrono::seconds(20));
  bool running();
  pid_t pid() const { return pid_; }  // e.g. to send SIGHUP
  // SIGKILL: no clean shutdown (a crash), then reap.
  void kill_hard();
  // Starts taxiid again with the same directory, configuration, store and ports, after
  // terminate() or kill_hard(); the previous log is kept as taxiid.log.N. Throws if it does
  // not come up.
  void restart();

 private:
  void spawn();  // starts the process and waits for event=ready

  TempDir dir_;
  std::unique_ptr<storage::testing::ScratchSchema> schema_;  // TAXII_TEST_STORE=postgres
  std::string store_uri_;
  Pki pki_;
  pid_t pid_ = -1;
  uint16_t http_port_ = 0;
  uint16_t https_port_ = 0;
  int restarts_ = 0;
};

struct Reply {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::optional<Message> message;              // parsed when X-TAXII-Content-Type is present
  std::string parse_error;

  std::string header(const std::string& name) const;
  // The status_type of a 1.1 or 1.0 Status_Message; "" for other messages.
  std::string status_type() const;
  std::string status_text() const;             // Message of a Status_Message
  std::string in_response_to() const;
  template <class T> const T& as() const { return std::get<T>(*message); }
};

using Headers = std::vector<std::pair<std::string, std::string>>;
// The headers a well-behaved client sends with a message of version v.
Headers taxii_headers(Version v, bool https = false);

// One keep-alive HTTP(S) connection to taxiid.
class Client {
 public:
  explicit Client(uint16_t port, Poco::Net::Context::Ptr tls = nullptr);
  Reply post(const std::string& path, const std::string& body, const Headers& headers,
             const std::string& method = "POST");
  // Serializes m with its version's binding and sends it with taxii_headers().
  Reply send(const std::string& path, const Message& m);
  Poco::Net::HTTPClientSession& session() { return *session_; }

 private:
  std::unique_ptr<Poco::Net::HTTPClientSession> session_;
  bool https_ = false;
};

// A client TLS context trusting the PKI's CA, optionally presenting a certificate.
Poco::Net::Context::Ptr client_context(const Pki& pki, bool with_cert, bool rogue = false);

// --- Raw requests: the bytes as a test writes them, the answers as read -------------------
// In a namespace of their own (`using namespace raw;` in a test), so that a test with its own
// kDiscovery11 or with() does not clash with them.
namespace raw {

// Discovery_Request bodies: 1.1 with message_id "d-1", 1.0 with message_id "10".
extern const std::string kDiscovery11;
extern const std::string kDiscovery10;
// The TAXII 1.1 headers of a raw request (HTTP 1.0 §2), each "Name: value\r\n".
extern const std::string kRawTaxii11;

// A whole raw request: `method` `path` HTTP/1.1, Host, `headers` (kRawTaxii11 when null), the
// lines `extra`, Content-Length and `body`.
std::string raw_request(const std::string& body, const std::string& path = "/services/discovery",
                        const std::string& extra = "", const std::string& method = "POST",
                        const std::string* headers = nullptr);

// The size of the whole HTTP answer (head, and Content-Length bytes of body) that `raw` begins
// with; 0 while it is not whole.
std::size_t whole_answer_size(const std::string& raw);
// Whether `raw` begins with a whole answer that declares its Content-Length (so not an interim
// 100 Continue).
bool whole_answer(const std::string& raw);

// Reads n whole answers from s, or until the server closes or `deadline` passes (checked each
// time the socket's receive timeout expires); `buf` keeps the bytes read past them.
std::vector<std::string> read_answers(Poco::Net::StreamSocket& s, std::string& buf, std::size_t n,
                                      std::chrono::milliseconds deadline = std::chrono::seconds(10));

// `h` without the header `name`, or with its value replaced by `value`.
Headers without(Headers h, const std::string& name);
Headers with(Headers h, const std::string& name, const std::string& value);

}  // namespace raw

// Identifiers of core/urn.hpp as std::string, as the messages' fields hold them
// (`using namespace ids;` in a test).
namespace ids {
inline const std::string kStix12(urn::kStix12);
inline const std::string kStix111(urn::kStix111);
inline const std::string kHttp(urn::kProtocolHttp);
inline const std::string kHttps(urn::kProtocolHttps);
inline const std::string kXml11(urn::kMessageXml11);
inline const std::string kXml10(urn::kMessageXml10);
}  // namespace ids

// Message builders.
v11::InboxMessage inbox11(std::vector<std::string> destinations, std::vector<Mixed> contents,
                          const std::string& binding = "urn:stix.mitre.org:xml:1.2");
v11::PollRequest poll11(const std::string& collection);
namespace timing {  // `using namespace timing;` in a test
// Whether f() holds within `deadline` (asked every 50 ms, and once more at the end).
bool eventually(const std::function<bool()>& f, std::chrono::seconds deadline = std::chrono::seconds(60));
}  // namespace timing

// Part `part` of result set `result_id` of `collection` (a fresh message_id).
v11::PollFulfillment fulfillment11(const std::string& collection, const std::string& result_id, uint64_t part);
std::string next_id();

}  // namespace taxii::wire
