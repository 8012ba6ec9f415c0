#include "client/taxii21/envelopes.hpp"

#include <simdjson.h>

namespace taxii::client21 {
namespace {

constexpr std::string_view kHead = "{\"objects\":[", kTail = "]}";

class Batcher {
 public:
  Batcher(uint64_t batch, uint64_t max_bytes, const EnvelopeSink& sink) : batch_(batch), max_(max_bytes), sink_(sink) {}

  Status add(const std::string& object, uint64_t index) {
    const uint64_t alone = kHead.size() + object.size() + kTail.size();
    if (max_ != 0 && alone > max_)
      return Error::bad_message("object " + std::to_string(index) + " is " + std::to_string(object.size()) +
                                " bytes: an envelope with it exceeds the API root's max_content_length of " +
                                std::to_string(max_) + " bytes");
    const bool full = (batch_ != 0 && count_ >= batch_) || (max_ != 0 && body_.size() + 1 + object.size() + kTail.size() > max_);
    if (count_ > 0 && full) {
      if (auto st = flush(); !st.ok()) return st;
    }
    if (count_ == 0) body_.assign(kHead);
    else body_ += ',';
    body_ += object;
    ++count_;
    return ok_status();
  }

  Status flush() {
    if (count_ == 0) return ok_status();
    body_ += kTail;
    const uint64_t n = count_;
    count_ = 0;
    return sink_(std::move(body_), n);
  }

 private:
  uint64_t batch_, max_;
  const EnvelopeSink& sink_;
  std::string body_;
  uint64_t count_ = 0;
};

}  // namespace

Result<uint64_t> split_envelopes(std::string_view input, uint64_t batch, uint64_t max_bytes, const EnvelopeSink& sink) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (auto err = parser.parse(input.data(), input.size()).get(doc))
    return Error::bad_message(std::string("not JSON: ") + simdjson::error_message(err));
  simdjson::dom::object top;
  if (doc.get(top)) return Error::bad_message("not a JSON object (expected an envelope, a STIX bundle or a STIX object)");
  Batcher b(batch, max_bytes, sink);
  simdjson::dom::array objects;
  uint64_t n = 0;
  if (top["objects"].get(objects)) {
    // No `objects` array: one STIX object (it has a type and an id, STIX 2.1 §3.1)...
    std::string_view type;
    if (top["type"].get(type) || top["id"].error())
      return Error::bad_message("neither an envelope or bundle (no 'objects' array) nor a STIX object (no type and id)");
    if (type == "bundle") return Error::bad_message("a STIX bundle without objects");
    if (auto st = b.add(simdjson::minify(top), ++n); !st.ok()) return st.error();
  } else {
    for (simdjson::dom::element e : objects) {
      if (!e.is_object()) return Error::bad_message("element " + std::to_string(n + 1) + " of 'objects' is not a JSON object");
      if (auto st = b.add(simdjson::minify(e), ++n); !st.ok()) return st.error();
    }
  }
  if (n == 0) return Error::bad_message("no objects to add (an empty 'objects' list)");
  if (auto st = b.flush(); !st.ok()) return st.error();
  return n;
}

}  // namespace taxii::client21
