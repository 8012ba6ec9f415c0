// The Default Query corpus (samples/query-corpus): content documents, queries, and expected.txt,
// which says per query what it matches or which error it is answered with (the format is
// described in its header). Read by bindings/query/default_query_test.cpp (the query format
// alone) and tests/wire/wire_query_test.cpp (the same queries through a real taxiid).
// Include after <boost/test/unit_test.hpp>.
#pragma once

#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "tests/support/files.hpp"

namespace taxii::test {

inline std::filesystem::path query_corpus() { return source_dir() / "samples" / "query-corpus"; }

// One line of expected.txt.
struct Expectation {
  bool error = false;
  std::set<std::string> docs;        // matching documents
  std::string status;                // error: wire name
  std::vector<std::string> details;  // error: NAME=value, exact, in order
  std::vector<std::string> words;    // error: the message contains each
};

// expected.txt, by query file name.
inline std::map<std::string, Expectation> read_manifest() {
  std::map<std::string, Expectation> out;
  std::istringstream in(read_file(query_corpus() / "expected.txt"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto colon = line.find(": ");
    BOOST_TEST_REQUIRE(colon != std::string::npos, "bad manifest line: " << line);
    Expectation e;
    std::istringstream words(line.substr(colon + 2));
    std::string w;
    words >> w;
    if (w == "error") {
      e.error = true;
      words >> e.status;
      while (words >> w) {
        if (w[0] == '~') e.words.push_back(w.substr(1));
        else e.details.push_back(w);
      }
    } else if (w != "-") {
      do e.docs.insert(w);
      while (words >> w);
    }
    out.emplace(line.substr(0, colon), std::move(e));
  }
  return out;
}

}  // namespace taxii::test
