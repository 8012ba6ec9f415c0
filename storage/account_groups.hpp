// How both stores keep an account's groups in one text column: comma-separated (group names
// hold no comma: `taxiid user add --groups a,b` splits at commas). Internal header.
#pragma once

#include <string>
#include <vector>

namespace taxii::storage::detail {

inline std::string join_groups(const std::vector<std::string>& groups) {
  std::string out;
  for (const auto& g : groups) out += (out.empty() ? "" : ",") + g;
  return out;
}

inline std::vector<std::string> split_groups(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < s.size()) {
    const auto end = s.find(',', start);
    std::string g = s.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!g.empty()) out.push_back(std::move(g));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

}  // namespace taxii::storage::detail
