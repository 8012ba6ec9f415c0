// ObjectStore: the TAXII 2.1 slice of the store (issue #22). STIX 2.1 objects of the 2.1
// collections, each *version* stored once, and the status resources of Add Objects requests.
// Same rules as the other slices (storage/store.hpp): thread-safe, errors as Failure values,
// every write one transaction, scans in bounded memory.
//
// Ordering (TAXII 2.1 §3.3, §3.5; docs/storage.md): each add_objects() call gets one
// date_added, above every earlier one of the collection in commit order, assigned inside the
// write transaction (the 1.x label rule, per add); the versions of one add share it. Results
// are in (date_added, id, version_key) order; that triple is the keyset cursor.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "core/timestamp.hpp"

namespace taxii::storage {

// One STIX object version as received and checked (the envelope parser fills it).
struct NewObject {
  std::string id;            // "<type>--<uuid>"
  std::string type;
  std::string spec_version;  // "2.1" (or "2.0" where a collection allows it)
  // The version as the client wrote it: `modified`, else `created` (marking definitions);
  // empty for an object without either (an SCO): the store then uses the date_added of the
  // id's first version in the collection, so a re-sent SCO is a duplicate (TAXII 2.1 §3.4.1).
  std::string version;
  // `version` as a fixed-width sortable key, compared as an instant (TAXII 2.1 §3.4.1):
  // "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ" (nine fraction digits). Empty when `version` is.
  std::string version_key;
  std::string body;          // the object's JSON text, stored and served byte for byte
  std::string digest;        // hash of a canonical form: equal digests = same content
};

// What happened to one NewObject (TAXII 2.1 §5.5; duplicates per docs/taxii21.md).
struct AddOutcome {
  enum class Kind { Added, Duplicate, Conflict } kind = Kind::Added;
  std::string version;       // the version stored or found (for the status' details)
  Timestamp date_added;      // of the stored version (a duplicate keeps the old one)
};

// Which versions of one collection (the filters of TAXII 2.1 §3.4, §3.4.1, evaluated as
// docs/taxii21.md says: id/type, added_after, spec_version, then version per id over what is
// left, then the cursor, then the limit).
struct ObjectQuery {
  std::string collection;                 // the collection's id (UUID)
  std::vector<std::string> ids;           // match[id] or the path's object id; empty = all
  std::vector<std::string> types;         // match[type]; empty = all
  std::optional<Timestamp> added_after;   // exclusive
  std::vector<std::string> spec_versions; // match[spec_version]; empty = the latest per id
  // match[version]: default last. all excludes the others; exact keys are version_keys.
  bool all_versions = false;
  bool first = false;
  bool last = true;
  std::vector<std::string> version_keys;
  // Continue after this row (from a `next` cursor), exclusive.
  struct After {
    Timestamp date_added;
    std::string id;
    std::string version_key;
  };
  std::optional<After> after;
  uint64_t limit = 0;                     // 0 = no limit
  bool with_body = true;                  // false for manifests and versions
};

struct StoredObject {
  std::string id;
  std::string type;
  std::string spec_version;
  std::string version;
  std::string version_key;
  Timestamp date_added;
  std::string body;                       // empty when the query said with_body = false
};

// A status resource (TAXII 2.1 §4.3.1) as the REST layer wrote it, kept at least
// `retention` after it completed (docs/taxii21.md).
struct StatusRecord {
  std::string id;                         // UUIDv4
  std::string api_root;
  std::string owner;                      // the principal who POSTed ("" for anonymous)
  bool complete = true;
  Timestamp request_timestamp;
  Timestamp updated;
  std::string body;                       // the status resource's JSON text
};

// The version_key of a version that is a TAXII timestamp (an SCO's version: the date_added of its
// first version, TAXII 2.1 §3.4.1): "YYYY-MM-DDTHH:MM:SS.ffffff000Z" (the form of NewObject).
inline std::string version_key_of(Timestamp t) {
  std::string s = Timestamp::from_micros(t.micros()).to_string();  // UTC, six fraction digits, "Z"
  s.insert(s.size() - 1, "000");
  return s;
}

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;

  // Creates the 2.1 collection if missing. Idempotent.
  [[nodiscard]] virtual Status ensure_object_collection(std::string_view collection_id) = 0;

  // Adds the objects to one collection in ONE transaction and returns one outcome per object,
  // in order. A version (id, version_key) already stored with the same digest is a Duplicate
  // (nothing changes, date_added kept); with another digest a Conflict (the stored one stays).
  // REQUIRES: the collection exists (else NotFound, nothing stored).
  [[nodiscard]] virtual Result<std::vector<AddOutcome>> add_objects(std::string_view collection_id,
                                                                    const std::vector<NewObject>& objects) = 0;

  // Visits matching versions in (date_added, id, version_key) order until fn returns false or
  // q.limit rows were visited. Memory stays bounded whatever the limit.
  [[nodiscard]] virtual Status scan_objects(const ObjectQuery& q,
                                            const std::function<bool(StoredObject&)>& fn) = 0;

  // Deletes the matching versions (q.after and q.limit ignored); returns how many.
  [[nodiscard]] virtual Result<uint64_t> delete_objects(const ObjectQuery& q) = 0;

  // date_added of the first and last version in the collection (nullopt when empty).
  [[nodiscard]] virtual Result<std::optional<std::pair<Timestamp, Timestamp>>> added_range(
      std::string_view collection_id) = 0;

  [[nodiscard]] virtual Status put_status(const StatusRecord& s) = 0;
  [[nodiscard]] virtual Result<std::optional<StatusRecord>> get_status(std::string_view id) = 0;
  // Removes complete statuses updated before `cutoff`; returns how many.
  [[nodiscard]] virtual Result<uint64_t> expire_statuses(Timestamp cutoff) = 0;
};

}  // namespace taxii::storage
