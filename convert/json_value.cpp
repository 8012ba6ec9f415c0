#include "convert/json_value.hpp"

#include <algorithm>

namespace taxii::convert {

Json& Json::set(std::string_view key, Json v) {
  if (Json* existing = get(key)) return *existing = std::move(v);
  obj_.emplace_back(std::string(key), std::move(v));
  return obj_.back().second;
}

const Json* Json::get(std::string_view key) const {
  for (const auto& [k, v] : obj_)
    if (k == key) return &v;
  return nullptr;
}

Json* Json::get(std::string_view key) {
  for (auto& [k, v] : obj_)
    if (k == key) return &v;
  return nullptr;
}

void Json::erase(std::string_view key) {
  obj_.erase(std::remove_if(obj_.begin(), obj_.end(), [&](const auto& m) { return m.first == key; }), obj_.end());
}

void Json::write(JsonWriter& w) const {
  switch (kind_) {
    case Kind::Null: w.null(); break;
    case Kind::Bool: w.boolean(i_ != 0); break;
    case Kind::Int: w.number(i_); break;
    case Kind::Str: w.string(s_); break;
    case Kind::Arr:
      w.begin_array();
      for (const auto& v : arr_) v.write(w);
      w.end_array();
      break;
    case Kind::Obj:
      w.begin_object();
      for (const auto& [k, v] : obj_) {
        w.key(k);
        v.write(w);
      }
      w.end_object();
      break;
  }
}

std::string Json::canonical() const {
  std::string out;
  write_canonical(out);
  return out;
}

// RFC 8785 §3.2.3: members sorted by their UTF-16 code units; for the ASCII property names
// of STIX that is byte order.
void Json::write_canonical(std::string& out) const {
  if (kind_ == Kind::Arr) {
    out += '[';
    for (size_t i = 0; i < arr_.size(); ++i) {
      if (i) out += ',';
      arr_[i].write_canonical(out);
    }
    out += ']';
    return;
  }
  if (kind_ == Kind::Obj) {
    std::vector<const std::pair<std::string, Json>*> sorted;
    for (const auto& m : obj_) sorted.push_back(&m);
    std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->first < b->first; });
    out += '{';
    for (size_t i = 0; i < sorted.size(); ++i) {
      if (i) out += ',';
      JsonWriter::quote_into(out, sorted[i]->first);
      out += ':';
      sorted[i]->second.write_canonical(out);
    }
    out += '}';
    return;
  }
  JsonWriter w(out);
  write(w);
}

}  // namespace taxii::convert
