// libFuzzer target: the TAXII Default Query 1.0 compiler (bindings/query/default). Any input,
// taken as the body of a tdq:Default_Query, must compile or fail with an Error, never crash,
// hang or throw; a compiled predicate is then evaluated against a small STIX document
// (the first input byte picks whether the input is also used as the content).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "bindings/query/default/default_query.hpp"
#include "core/urn.hpp"

namespace {
const std::string kContent =
    R"(<stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1" id="x:1" version="1.2"><stix:STIX_Header><stix:Title>t</stix:Title></stix:STIX_Header></stix:STIX_Package>)";
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace taxii;
  static const query::tdq::DefaultQueryFormat format;
  const std::string body(reinterpret_cast<const char*>(data), size);
  v11::Query q{std::string(urn::kQueryDefault10), Mixed{body}};
  try {
    auto p = format.compile(q);
    if (p.ok()) {
      (void)(*p)->can_evaluate("urn:stix.mitre.org:xml:1.2");
      (void)(*p)->matches(kContent);
      (void)(*p)->matches(body);
    }
  } catch (...) {
    std::abort();  // nothing may be thrown out of the compiler
  }
  return 0;
}
