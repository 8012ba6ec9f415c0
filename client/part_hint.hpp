// What a Poll_Response says about the parts after it, read from its raw bytes before the
// document is parsed, so that the next part can be requested while this one is parsed
// (Session::follow; a 1000-block part takes tens of milliseconds to parse).
//
// Only a hint: it reads the root start tag alone, with no validation, and answers nothing
// when anything is unusual (another root element, a reference in a value it needs, a start
// tag longer than a few KiB). The part it leads to is used only after the parsed answer
// confirms it (same result_id, collection and part number, more="true").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace taxii::client {

struct PartHint {
  bool more = false;                  // more="true" (or "1")
  std::string result_id;              // empty: absent
  std::optional<uint64_t> part;       // result_part_number
  std::string collection;             // collection_name; empty: absent
};

// The hint of a Poll_Response (XML binding 1.1 §3.9: the root element's attributes), or
// nothing when the bytes do not plainly start one.
std::optional<PartHint> peek_poll_response(std::string_view body);

}  // namespace taxii::client
