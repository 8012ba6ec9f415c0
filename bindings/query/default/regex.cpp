#include "bindings/query/default/regex.hpp"

#include <limits>

#include "bindings/query/default/regex_internal.hpp"

namespace taxii::query::tdq {

using regex_internal::decode;

namespace {

constexpr int32_t kNone = -1;  // "no character" before the start / after the end

using Ranges = std::vector<Regex::Range>;

bool is_word(int32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool class_has(const Ranges& r, char32_t c) {
  // Binary search over sorted, disjoint ranges.
  size_t lo = 0, hi = r.size();
  while (lo < hi) {
    const size_t mid = (lo + hi) / 2;
    if (c < r[mid].lo) hi = mid;
    else if (c > r[mid].hi) lo = mid + 1;
    else return true;
  }
  return false;
}

}  // namespace

Regex::Outcome Regex::search(std::string_view text, std::size_t& budget) const {
  const size_t n = prog_.size();
  // Working state, per thread and reused: a search allocates nothing once it has grown.
  struct Workspace {
    std::vector<uint32_t> clist, nlist, stack, mark;
  };
  thread_local Workspace ws;
  auto& clist = ws.clist;
  auto& nlist = ws.nlist;
  auto& stack = ws.stack;
  auto& mark = ws.mark;
  clist.clear();
  nlist.clear();
  mark.assign(n, 0);
  clist.reserve(n);
  nlist.reserve(n);
  uint32_t gen = 0;
  bool over = false;

  // Follows Jmp/Split/assertions from `start` into `list`; true if Match is reachable.
  // `prev`/`next`: the characters around the position (kNone at the ends).
  auto add = [&](std::vector<uint32_t>& list, uint32_t start, int32_t prev, int32_t next) -> bool {
    stack.clear();
    stack.push_back(start);
    while (!stack.empty()) {
      const uint32_t at = stack.back();
      stack.pop_back();
      if (mark[at] == gen) continue;
      mark[at] = gen;
      if (budget == 0) {
        over = true;
        return false;
      }
      --budget;
      const Inst& in = prog_[at];
      switch (in.op) {
        case Op::Jmp: stack.push_back(in.x); break;
        case Op::Split: stack.push_back(in.y); stack.push_back(in.x); break;
        case Op::Bol: if (prev == kNone) stack.push_back(at + 1); break;
        case Op::Eol: if (next == kNone) stack.push_back(at + 1); break;
        case Op::WordB: if (is_word(prev) != is_word(next)) stack.push_back(at + 1); break;
        case Op::NotWordB: if (is_word(prev) == is_word(next)) stack.push_back(at + 1); break;
        case Op::Match: return true;
        case Op::Char:
        case Op::Class: list.push_back(at); break;
      }
    }
    return false;
  };

  size_t pos = 0;
  size_t len = 0;
  int32_t cur = text.empty() ? kNone : static_cast<int32_t>(decode(text, 0, len));
  ++gen;
  if (add(clist, 0, kNone, cur)) return Outcome::Match;
  if (over) return Outcome::OverBudget;
  while (pos < text.size()) {
    const size_t next_pos = pos + len;
    size_t next_len = 0;
    const int32_t next = next_pos < text.size() ? static_cast<int32_t>(decode(text, next_pos, next_len)) : kNone;
    ++gen;
    nlist.clear();
    const auto c = static_cast<char32_t>(cur);
    for (const uint32_t at : clist) {
      if (budget == 0) return Outcome::OverBudget;
      --budget;
      const Inst& in = prog_[at];
      const bool ok = in.op == Op::Char ? in.c == c : class_has(classes_[in.x], c);
      if (ok && add(nlist, at + 1, cur, next)) return Outcome::Match;
      if (over) return Outcome::OverBudget;
    }
    if (!anchored_start_ && add(nlist, 0, cur, next)) return Outcome::Match;
    if (over) return Outcome::OverBudget;
    clist.swap(nlist);
    if (clist.empty() && anchored_start_) return Outcome::NoMatch;
    cur = next;
    pos = next_pos;
    len = next_len;
  }
  return Outcome::NoMatch;
}

bool Regex::search(std::string_view text) const {
  std::size_t budget = std::numeric_limits<std::size_t>::max();
  return search(text, budget) == Outcome::Match;
}

}  // namespace taxii::query::tdq
