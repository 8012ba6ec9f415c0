// A TAXII 2.1 client (issue #22): the endpoints of TAXII 2.1 §4 and §5 over the one HTTP
// client (bindings/http/http_client.hpp, through client::Transport), namespace
// taxii::client21, library taxii_client21.
//
// - Every request carries `Accept: application/taxii+json;version=2.1` (TAXII 2.1 §3.1) and,
//   for POST, the same `Content-Type`; HTTP Basic (§8.5.1) when credentials are given; TLS
//   options and client certificates are the transport's (client/transport.hpp).
// - An answer outside 2xx is an Error whose message is built from the server's error
//   resource (§3.6.1: title, description, http_status ...), kept field by field in details
//   (kErrorField + name); without an error resource, from the HTTP status and an excerpt.
//   Those errors carry no origin marker, i.e. client::ErrorOrigin::Server (the HTTP status is
//   TAXII 2.1's status); connection and TLS failures are Transport errors, unusable answers
//   (not JSON, a required property missing) Response errors (client/errors.hpp).
// - pages() follows pagination (§3.5): `next` when the server gives one, else (`more` without
//   `next`) `added_after` = the page's X-TAXII-Date-Added-Last; the filters of the first
//   request are repeated on every page. Items go to a sink page by page: memory is one page.
// - wait() polls a status resource until `complete` (§4.3, §5.5), sleeping on the Clock.
//
// Not thread-safe: one Client per thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "client/session.hpp"
#include "client/taxii21/resources.hpp"
#include "client/transport.hpp"
#include "core/clock.hpp"

namespace taxii::client21 {

using client::Url;

inline constexpr std::string_view kMediaType = "application/taxii+json;version=2.1";  // §1.6.8, §3.1
// Details of an error made from an error resource: kErrorField + "title", "description",
// "http_status", "error_id", "error_code", "external_details", "details".
inline constexpr std::string_view kErrorField = "taxii21:";

// One HTTP message as it went over the wire (for -v).
struct Trace {
  bool outgoing = true;
  std::string_view method;  // requests
  const Url* url = nullptr;
  int http_status = 0;      // responses
  const client::Headers* headers = nullptr;
  std::string_view body;
};

struct Options {
  std::optional<client::Credentials> basic_auth;
  std::function<void(const Trace&)> trace;  // optional
  std::string user_agent = "taxii2-cpp";     // §3.2: name/version SHOULD be sent
};

// The URL parameters of TAXII 2.1 §3.4 and §3.4.1. Lists are sent comma-separated.
struct Filter {
  std::optional<std::string> added_after;
  std::vector<std::string> ids, types, versions, spec_versions;
  std::optional<uint64_t> limit;
  std::optional<std::string> next;
};
// "?added_after=...&match%5Btype%5D=a,b&limit=10&next=..." ("" when empty), values
// percent-encoded (RFC 3986 §2.1).
std::string query_string(const Filter& f);

// One page received by pages().
struct PageEvent {
  uint64_t number = 0;  // from 1
  PageInfo info;
  uint64_t bytes = 0;   // body size
  std::optional<std::string> date_added_first, date_added_last;  // its X-TAXII-Date-Added-*
};

struct PagesSummary {
  uint64_t pages = 0, items = 0, bytes = 0;
  uint64_t fallbacks = 0;  // pages asked with added_after = X-TAXII-Date-Added-Last (§3.5)
  bool more = false;       // only when not following: the server has more
  std::optional<std::string> next;  // ... and this continues it (if it gave one)
  // X-TAXII-Date-Added-First of the first non-empty page, -Last of the last one (§3.2): the
  // `added_after` of the next incremental run (§3.4).
  std::optional<std::string> date_added_first, date_added_last;
};

class Client {
 public:
  // `clock` must outlive the Client.
  Client(std::unique_ptr<client::Transport> transport, Options options, const Clock& clock = SystemClock::instance());

  // GET {url} (§4.1): `url` is the discovery endpoint, e.g. https://host/taxii2/.
  Result<Discovery> discover(const Url& url);
  // The API root to use for `url`: itself, or when its path is /taxii2/ (the discovery
  // endpoint, §4.1) the server's `default` API root.
  Result<Url> resolve_root(const Url& url);
  Result<ApiRoot> api_root(const Url& root);                                   // §4.2
  Result<std::vector<Collection>> collections(const Url& root);                // §5.1
  Result<Collection> collection(const Url& root, std::string_view id);         // §5.2
  Result<StatusResource> status(const Url& root, std::string_view status_id);  // §4.3
  // POST an envelope (§5.5); the 202 answer's status resource.
  Result<StatusResource> add(const Url& root, std::string_view collection, std::string envelope);
  // Polls status `s` until complete or `timeout` has passed (then the last status, pending).
  Result<StatusResource> wait(const Url& root, StatusResource s, std::chrono::milliseconds timeout);
  // DELETE an object (§5.7); match[version] and match[spec_version] of `f` apply.
  Status remove(const Url& root, std::string_view collection, std::string_view object_id, const Filter& f);

  // GETs `endpoint` with `f` and, when `follow`, every further page (§3.5). Items go to sink;
  // on_page (optional) sees each page after its items.
  Result<PagesSummary> pages(const Url& endpoint, PageKind kind, Filter f, bool follow, const ItemSink& sink,
                             const std::function<void(const PageEvent&)>& on_page = {});

  // {root}collections/{id}/objects/[{object_id}/], .../manifest/, .../{object_id}/versions/.
  static Url collection_url(const Url& root, std::string_view collection, std::string_view tail = "");
  static Url objects_url(const Url& root, std::string_view collection, std::string_view object_id = "");
  static Url manifest_url(const Url& root, std::string_view collection);
  static Url versions_url(const Url& root, std::string_view collection, std::string_view object_id);

 private:
  // One exchange; a non-2xx answer becomes the error of the error resource.
  Result<client::HttpResponse> exchange(std::string method, const Url& url, std::string body = {});

  std::unique_ptr<client::Transport> transport_;
  Options opt_;
  const Clock& clock_;
};

// "HTTP 404 Not Found: <title>: <description>" from an answer outside 2xx.
Error error_from_response(const client::HttpResponse& r);
// The error resource fields kept in an error's details (kErrorField), without the prefix.
std::vector<StatusDetail> error_fields(const Error& e);
// A path segment percent-encoded (RFC 3986 §3.3): unreserved characters stay.
std::string encode_segment(std::string_view s);

}  // namespace taxii::client21
