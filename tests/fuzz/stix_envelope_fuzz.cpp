// libFuzzer target: the TAXII 2.1 Add Objects envelope parser (stix21/envelope.hpp). Any input
// must give a whole-body error or one result per element, never crash, hang or throw. Oracles:
// every accepted object's body, parsed again on its own, is accepted with the same id, type,
// version_key, body and digest (the digest is a function of the content, not of the bytes).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <variant>

#include "stix21/envelope.hpp"

namespace {

[[noreturn]] void oracle(const char* what) {
  std::fprintf(stderr, "oracle: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace taxii::stix21;
  EnvelopeLimits limits;
  limits.max_objects = 1000;
  limits.max_object_bytes = 1 << 16;
  limits.spec_versions = {"2.0", "2.1"};
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  try {
    auto r = parse_envelope(body, limits);
    if (auto* e = std::get_if<EnvelopeError>(&r)) {
      if (e->message.empty()) oracle("a whole-body error without a message");
      return 0;
    }
    for (const ObjectResult& item : std::get<std::vector<ObjectResult>>(r)) {
      if (const auto* f = std::get_if<ObjectFailure>(&item)) {
        if (f->message.empty()) oracle("an object failure without a message");
        continue;
      }
      const auto& o = std::get<taxii::storage::NewObject>(item);
      if (o.body.size() > limits.max_object_bytes) oracle("an accepted object over the size limit");
      if (o.digest.size() != 64) oracle("digest is not SHA-256 hex");
      if (o.version.empty() != o.version_key.empty()) oracle("version and version_key disagree");
      const ObjectResult again = parse_object(o.body, limits);
      const auto* a = std::get_if<taxii::storage::NewObject>(&again);
      if (a == nullptr) oracle("an accepted object's body is refused when parsed again");
      if (a->body != o.body) oracle("minified body is not a fixed point");
      if (a->digest != o.digest) oracle("digest changed when the body was parsed again");
      if (a->id != o.id || a->type != o.type || a->version_key != o.version_key || a->spec_version != o.spec_version)
        oracle("id, type, spec_version or version_key changed when the body was parsed again");
    }
  } catch (...) {
    std::abort();  // nothing may be thrown out of the parser
  }
  return 0;
}
