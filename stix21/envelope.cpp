#include "stix21/envelope.hpp"

#include <algorithm>

#include <simdjson.h>

#include "stix21/object_checks.hpp"

namespace taxii::stix21 {
namespace {

using simdjson::dom::element;

EnvelopeError body_error(EnvelopeErrorKind kind, std::string message) {
  return EnvelopeError{kind, std::move(message)};
}

EnvelopeError parse_error(simdjson::error_code code, std::size_t max_depth) {
  const std::string what = simdjson::error_message(code);
  switch (code) {
    case simdjson::DEPTH_ERROR:
      return body_error(EnvelopeErrorKind::TooDeep,
                        "JSON nested deeper than " + std::to_string(max_depth) + " levels");
    case simdjson::UTF8_ERROR:
      return body_error(EnvelopeErrorKind::InvalidUtf8, "the body is not valid UTF-8 (RFC 8259 §8.1)");
    case simdjson::NUMBER_ERROR:
    case simdjson::NUMBER_OUT_OF_RANGE:
      return body_error(EnvelopeErrorKind::NumberOutOfRange,
                        "a number is malformed or out of range (RFC 7493 §2.2): " + what);
    case simdjson::CAPACITY:
    case simdjson::MEMALLOC:
      return body_error(EnvelopeErrorKind::TooLarge, "the body is too large to parse");
    default:
      return body_error(EnvelopeErrorKind::NotJson, "the body is not JSON (RFC 8259): " + what);
  }
}

// The envelope object's own member names must be distinct (RFC 7493 §2.3): with two `objects`
// members nobody could say which one was meant.
std::optional<std::string> duplicate_envelope_member(simdjson::dom::object envelope) {
  std::vector<std::string_view> names;
  for (auto field : envelope) names.push_back(field.key);
  std::sort(names.begin(), names.end());
  const auto dup = std::adjacent_find(names.begin(), names.end());
  if (dup == names.end()) return std::nullopt;
  return std::string(dup->substr(0, 100));
}

// RFC 8259 §8.1: a parser MAY ignore a leading byte order mark; some Windows clients send one.
std::string_view without_bom(std::string_view s) {
  return s.substr(0, 3) == "\xEF\xBB\xBF" ? s.substr(3) : s;
}

}  // namespace

int http_status(EnvelopeErrorKind kind) {
  return kind == EnvelopeErrorKind::TooManyObjects || kind == EnvelopeErrorKind::TooLarge ? 413 : 400;
}

EnvelopeResult parse_envelope(std::string_view body, const EnvelopeLimits& limits) {
  body = without_bom(body);
  simdjson::dom::parser parser;
  if (auto err = parser.allocate(std::max<std::size_t>(body.size(), 64), limits.max_depth)) {
    return parse_error(err, limits.max_depth);
  }
  const simdjson::padded_string padded(body);
  element root;
  if (auto err = parser.parse(padded).get(root)) return parse_error(err, limits.max_depth);
  if (!root.is_object()) {
    return body_error(EnvelopeErrorKind::NotAnEnvelope, "the body is not a JSON object (TAXII 2.1 §3.7)");
  }
  const simdjson::dom::object envelope(root);
  if (auto dup = duplicate_envelope_member(envelope)) {
    return body_error(EnvelopeErrorKind::DuplicateMember,
                      "the envelope has the member '" + *dup + "' twice (RFC 7493 §2.3)");
  }
  element objects;
  if (envelope["objects"].get(objects) || !objects.is_array()) {
    return body_error(EnvelopeErrorKind::NotAnEnvelope,
                      "the envelope has no 'objects' list (TAXII 2.1 §3.7, §5.5)");
  }
  const simdjson::dom::array list(objects);
  const std::size_t n = list.size();
  if (n == 0) {
    return body_error(EnvelopeErrorKind::NotAnEnvelope, "the envelope's 'objects' list is empty (TAXII 2.1 §2)");
  }
  if (n > limits.max_objects) {
    return body_error(EnvelopeErrorKind::TooManyObjects,
                      "the envelope has " + std::to_string(n) + " objects; this server takes at most " +
                          std::to_string(limits.max_objects) + " per request");
  }
  std::vector<ObjectResult> results;
  results.reserve(n);
  std::size_t index = 0;
  for (element item : list) {
    ObjectResult r = check_object(item, limits);
    if (auto* f = std::get_if<ObjectFailure>(&r)) {
      f->message = "objects[" + std::to_string(index) + "]: " + f->message;
    }
    results.push_back(std::move(r));
    ++index;
  }
  return results;
}

ObjectResult parse_object(std::string_view json, const EnvelopeLimits& limits) {
  simdjson::dom::parser parser;
  if (parser.allocate(std::max<std::size_t>(json.size(), 64), limits.max_depth)) {
    return ObjectFailure{"", "", "the object is too large to parse"};
  }
  const simdjson::padded_string padded(json);
  element root;
  if (auto err = parser.parse(padded).get(root)) {
    return ObjectFailure{"", "", parse_error(err, limits.max_depth).message};
  }
  return check_object(root, limits);
}

}  // namespace taxii::stix21
