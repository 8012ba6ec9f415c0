// The TAXII 2.1 endpoints that read or write the store (TAXII 2.1 §4.3, §5.3-§5.8), each
// called by RestApplication after routing, authentication, rights and negotiation passed
// (rest_app.hpp). Each returns the whole answer: the resource, or its error resource.
// Thread-safe (the store is).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "bindings/http/taxii_handler.hpp"
#include "core/clock.hpp"
#include "storage/objects.hpp"
#include "taxii21/config.hpp"

namespace taxii::taxii21 {

struct Call;

struct EndpointDeps {
  const Taxii2Config& config;
  storage::ObjectStore& store;
  const Clock& clock;
  const std::string& cursor_key;           // the `next` MAC key (stix21/cursor.hpp)
  std::atomic<int64_t>* last_sweep;        // µs of the last status expiry sweep
};

http::Answer get_status(const EndpointDeps& d, Call& call);     // §4.3
http::Answer get_manifest(const EndpointDeps& d, Call& call);   // §5.3
http::Answer get_objects(const EndpointDeps& d, Call& call);    // §5.4
http::Answer add_objects(const EndpointDeps& d, Call& call);    // §5.5
http::Answer get_object(const EndpointDeps& d, Call& call);     // §5.6
http::Answer delete_object(const EndpointDeps& d, Call& call);  // §5.7
http::Answer get_versions(const EndpointDeps& d, Call& call);   // §5.8

}  // namespace taxii::taxii21
