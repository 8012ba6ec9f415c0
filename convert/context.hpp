// Internal to convert/: the state of one elevate() call. The 1.x tree (bindings/xml's
// XmlDocument) is read through Ctx, which marks every element it hands out as used; after the
// conversion every element never used under a used parent is reported as a loss (warning 101),
// so nothing is dropped silently (docs/bridge.md, "Warnings").
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bindings/xml/xml_document.hpp"
#include "convert/convert.hpp"
#include "convert/json_value.hpp"

namespace taxii::convert {

// Warning codes (docs/bridge.md lists them; never renumber).
enum WarningCode : int {
  kNotConverted = 101,       // element with no STIX 2.1 counterpart here
  kUnsupportedObject = 102,  // CybOX object type not converted
  kUnresolvedRef = 103,      // idref to nothing in the document
  kUnsupportedCondition = 104,
  kNoTimestamp = 105,
  kUnknownVocab = 106,       // value outside the 1.x vocabulary, kept as written
  kUnsupportedMarking = 107,
  kPatternTermDropped = 108,
};

using Node = int32_t;
constexpr Node kNone = -1;

struct Ctx {
  const xml::XmlDocument& doc;
  const Options& options;
  std::vector<char> used;
  std::vector<Warning> warnings;
  std::string timestamp;  // package timestamp or default, STIX 2.1 form
  std::map<std::string, Node> by_id;  // 1.x id -> element
  std::map<std::string, std::string> id_map;  // 1.x id -> 2.1 id
  // Bundle parts, in the order the bundle lists them (the elevator's order, so its idioms
  // compare object by object): markings and SDOs, indicators, relationships, observed data.
  std::vector<Json> objects, indicators, relationships, observed_data, reports;
  std::vector<std::string> sco_ids;  // SCOs already in `objects`
  std::vector<std::string> header_markings;  // marking-definition ids of the package header
  std::string ais_consent;  // identity label of an AIS marking ("ais-consent-everyone")
  std::string created_by;   // identity of the package's Information_Source

  // Work left for following idrefs in patterns: shared references (an observable or
  // indicator named by several compositions) could otherwise cost exponential time; the
  // budget keeps a document's conversion linear in its size (docs/bridge.md, "Limits").
  size_t pattern_budget;

  Ctx(const xml::XmlDocument& d, const Options& o)
      : doc(d), options(o), used(d.nodes.size(), 0), pattern_budget(4 * d.nodes.size() + 1000) {}
  // Takes one unit of pattern_budget; false (with warning 108, once) when none is left.
  bool pattern_step(Node e);

  // Tree access (marks what it returns as used).
  Node child(Node e, std::string_view local);
  std::vector<Node> children(Node e, std::string_view local = {});
  std::string text(Node e);                 // trimmed character data; marks e
  std::string child_text(Node e, std::string_view local);  // "" when absent
  const std::string* attr(Node e, std::string_view local) const;
  std::string attr_or(Node e, std::string_view local, std::string_view dflt = "") const;
  std::string xsi_type(Node e) const;  // local part of xsi:type ("AddressObjectType"), or ""
  std::string_view local(Node e) const { return doc.node(e).local; }
  void mark(Node e) { used[static_cast<size_t>(e)] = 1; }
  void mark_subtree(Node e);
  std::string path(Node e) const;
  Node resolve(Node e);  // follows idref="..." to the element with that id (or e itself)

  void warn(int code, Node e, std::string message);
  // STIX 2.1 timestamp (UTC, milliseconds) of the element's `timestamp` attribute, or the
  // package's.
  std::string timestamp_of(Node e) const;
};

// STIX 2.1 timestamp text ("2014-05-08T09:00:00.000Z") of a 1.x xs:dateTime; nullopt if it is
// not one.
std::optional<std::string> stix_timestamp(std::string_view text, int fraction_digits = 3);

// A new SDO/SRO with type, spec_version, id, created, modified.
Json new_object(std::string_view type, std::string id, const std::string& timestamp);
// The description of an element (Description / Short_Description children), "" when none.
std::string description_of(Ctx& c, Node e);

// Per-area converters (one file each).
void convert_markings(Ctx& c, Node package);
Json marking_refs_of(Ctx& c, Node e);  // object_marking_refs for e's Handling, or null
void convert_observables(Ctx& c, Node observables);
void convert_indicator(Ctx& c, Node indicator);
void convert_ttp(Ctx& c, Node ttp);
void convert_threat_actor(Ctx& c, Node actor);
void convert_campaign(Ctx& c, Node campaign);
void convert_course_of_action(Ctx& c, Node coa);
void convert_exploit_target(Ctx& c, Node et);
void convert_incident(Ctx& c, Node incident);
void convert_report(Ctx& c, Node report);
// identity (+ locations) for a 1.x Identity; returns its 2.1 id.
std::string convert_identity(Ctx& c, Node identity, const std::string& fallback_name, const std::string& ts);
void convert_information_source(Ctx& c, Node header);
void convert_sightings(Ctx& c, Node indicator, const std::string& indicator_id);
// Common parts of SDOs: kill_chain_phases, external references, confidence, relationships.
void add_kill_chain_phases(Ctx& c, Node phases, Json& sdo);
void add_relationship(Ctx& c, const std::string& source, const std::string& target_1x_or_2x,
                      std::string_view type, std::string description = {}, std::string id = {});
// Related_X lists ("Related_TTPs/Related_TTP/TTP idref") as relationships from `source`.
void add_related(Ctx& c, Node list, const std::string& source, std::string_view verb, bool outward = true);

}  // namespace taxii::convert
