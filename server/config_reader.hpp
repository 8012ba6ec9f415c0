// Reader: typed values out of YAML nodes for load_config() (server/config.cpp and the
// sections in their own files, e.g. server/config_taxii2.cpp), collecting every problem as
// "FILE:LINE: key.path: reason". Internal to server/; not thread-safe.
#pragma once

#include <algorithm>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace taxii::server::detail {

// Reads typed values out of YAML nodes, collecting "FILE:LINE: key: reason" errors.
class Reader {
 public:
  Reader(std::string file, std::vector<std::string>& errors) : file_(std::move(file)), errors_(errors) {}

  void error(const YAML::Node& at, const std::string& key, const std::string& reason) {
    const int line = at.IsDefined() && at.Mark().line >= 0 ? at.Mark().line + 1 : 0;
    errors_.push_back(file_ + ":" + (line > 0 ? std::to_string(line) : std::string("?")) + ": " + key + ": " +
                      reason);
  }

  // Every key of `map` must be one of `allowed` (catches typos).
  bool map(const YAML::Node& n, const std::string& key, std::initializer_list<const char*> allowed) {
    if (!n.IsMap()) {
      error(n, key, "expected a mapping");
      return false;
    }
    for (auto it = n.begin(); it != n.end(); ++it) {
      const std::string k = it->first.Scalar();
      if (std::none_of(allowed.begin(), allowed.end(), [&](const char* a) { return k == a; })) {
        std::string list;
        for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        error(it->first, join(key, k), "unknown key (expected one of: " + list + ")");
      }
    }
    return true;
  }

  static std::string join(const std::string& parent, const std::string& k) {
    return parent.empty() ? k : parent + "." + k;
  }

  std::optional<std::string> str(const YAML::Node& parent, const std::string& pkey, const char* key, bool required) {
    const YAML::Node n = parent[key];
    if (!n.IsDefined() || n.IsNull()) {
      if (required) error(parent, join(pkey, key), "is required");
      return std::nullopt;
    }
    if (!n.IsScalar()) {
      error(n, join(pkey, key), "expected a string");
      return std::nullopt;
    }
    return n.Scalar();
  }

  std::optional<long long> integer(const YAML::Node& parent, const std::string& pkey, const char* key,
                                   long long min, long long max) {
    const YAML::Node n = parent[key];
    if (!n.IsDefined() || n.IsNull()) return std::nullopt;
    long long v = 0;
    try {
      v = n.as<long long>();
    } catch (const YAML::Exception&) {
      error(n, join(pkey, key), "expected an integer, got \"" + (n.IsScalar() ? n.Scalar() : std::string("...")) + "\"");
      return std::nullopt;
    }
    if (v < min || v > max) {
      error(n, join(pkey, key), "must be between " + std::to_string(min) + " and " + std::to_string(max));
      return std::nullopt;
    }
    return v;
  }

  std::optional<bool> boolean(const YAML::Node& parent, const std::string& pkey, const char* key) {
    const YAML::Node n = parent[key];
    if (!n.IsDefined() || n.IsNull()) return std::nullopt;
    try {
      return n.as<bool>();
    } catch (const YAML::Exception&) {
      error(n, join(pkey, key), "expected true or false");
      return std::nullopt;
    }
  }

  std::vector<std::string> strings(const YAML::Node& parent, const std::string& pkey, const char* key) {
    std::vector<std::string> out;
    const YAML::Node n = parent[key];
    if (!n.IsDefined() || n.IsNull()) return out;
    if (n.IsScalar()) return {n.Scalar()};
    if (!n.IsSequence()) {
      error(n, join(pkey, key), "expected a list of strings");
      return out;
    }
    for (std::size_t i = 0; i < n.size(); ++i) {
      if (!n[i].IsScalar()) error(n[i], join(pkey, key) + "[" + std::to_string(i) + "]", "expected a string");
      else out.push_back(n[i].Scalar());
    }
    return out;
  }

  const std::string& file() const { return file_; }

 private:
  std::string file_;
  std::vector<std::string>& errors_;
};

}  // namespace taxii::server::detail
