// The conversion layer (issue #25; docs/bridge.md): STIX 1.x XML (1.0-1.2 with CybOX 2.x)
// to a STIX 2.1 bundle. A pure library below services: bytes in, a document and warnings
// out; no HTTP, no store, no clock unless Options leaves the default timestamp empty.
// The TAXII 2.1 / 1.x bridge (issue #25, bridged collections) and `taxii convert` both call
// it. Thread-safe: every call has its own state.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "bindings/xml/message_binding.hpp"
#include "core/result.hpp"

namespace taxii::convert {

// What to do when part of a document cannot be converted (docs/bridge.md, "Warnings").
enum class LossPolicy {
  ConvertWhatCan,  // convert the rest, one warning per loss (default)
  Refuse,          // any loss refuses the whole document
};

struct Options {
  LossPolicy policy = LossPolicy::ConvertWhatCan;
  // `created`/`modified` of objects whose 1.x construct and package have no timestamp
  // (RFC 3339). Empty: the time of the conversion, with warning 105.
  std::string default_timestamp;
  xml::ParseLimits limits;
};

// One loss or approximation. Codes are stable; docs/bridge.md lists them.
struct Warning {
  int code = 0;
  std::string path;     // of the 1.x element, e.g. /STIX_Package/Indicators/Indicator[2]/Handling
  std::string message;
};

struct Conversion {
  std::string document;  // the STIX 2.1 bundle, compact JSON
  std::vector<Warning> warnings;
};

// STIX 1.x XML -> STIX 2.1 bundle. Fails with BadMessage when the bytes are not well-formed
// XML or not a STIX_Package, or (LossPolicy::Refuse) when anything would be lost; the
// message then names the first loss.
Result<Conversion> elevate(std::string_view xml, const Options& options);

}  // namespace taxii::convert
