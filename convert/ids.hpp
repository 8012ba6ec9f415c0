// Identifiers of converted objects (docs/bridge.md, "Stable identifiers").
// - An SDO/SRO made from a STIX 1.x construct with an id keeps the UUID written in that id
//   (`example:Indicator-53fe3b22-...` -> `indicator--53fe3b22-...`); an id without a UUID is
//   hashed into a name-based UUIDv5 (RFC 9562 §5.5) under kTaxiiNamespace. Either way the same
//   1.x object always yields the same 2.1 id, so a re-sent package updates, never duplicates.
// - Objects with no 1.x id of their own (relationships, identities of a package) get a UUIDv5
//   of a name built from what they connect, so they are stable too.
// - SCOs get the deterministic id of STIX 2.1 §2.9 (UUIDv5 under the STIX namespace of the
//   canonical JSON of their ID contributing properties).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace taxii::convert {

using Uuid = std::array<uint8_t, 16>;

// STIX 2.1 §2.9: 00abedb4-aa42-466c-9c01-fed23315a9b7.
extern const Uuid kStixScoNamespace;
// This project's namespace for names of converted STIX 1.x constructs.
extern const Uuid kTaxiiNamespace;

Uuid uuid_v5(const Uuid& ns, std::string_view name);
std::string uuid_text(const Uuid& u);
// The last "-<UUID>" in a STIX 1.x id (any UUID version), lower-cased; "" when none.
std::string uuid_in_1x_id(std::string_view id1x);
// `type--uuid` for an object converted from the 1.x construct `id1x` (see above). `salt`
// distinguishes several 2.1 objects made from one 1.x construct ("" for the first).
std::string stix_id_for(std::string_view type, std::string_view id1x, std::string_view salt = "");
// `type--uuid` for an object without a 1.x id: a UUIDv5 of `name`.
std::string stix_id_named(std::string_view type, std::string_view name);

}  // namespace taxii::convert
