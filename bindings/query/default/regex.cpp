#include "bindings/query/default/regex.hpp"

#include <limits>
#include <vector>

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

// Working state of a search, per thread and reused: a search allocates nothing once it has grown.
struct Workspace {
  std::vector<uint32_t> clist, nlist, stack, mark;
};

// The Pike VM's closure step over one program: the threads a position starts, with the budget.
class Vm {
 public:
  using Op = Regex::Op;
  Vm(const std::vector<Regex::Inst>& prog, Workspace& ws, std::size_t& budget)
      : prog_(prog), stack_(ws.stack), mark_(ws.mark), budget_(budget) {
    const size_t n = prog.size();
    ws.clist.clear();
    ws.nlist.clear();
    mark_.assign(n, 0);
    ws.clist.reserve(n);
    ws.nlist.reserve(n);
  }

  // A new position: every instruction may be added once more.
  void next_generation() { ++gen_; }
  // Whether the budget ran out in add().
  bool over() const { return over_; }

  // Follows Jmp/Split/assertions from `start` into `list`; true if Match is reachable.
  // `prev`/`next`: the characters around the position (kNone at the ends).
  bool add(std::vector<uint32_t>& list, uint32_t start, int32_t prev, int32_t next) {
    stack_.clear();
    stack_.push_back(start);
    while (!stack_.empty()) {
      const uint32_t at = stack_.back();
      stack_.pop_back();
      if (mark_[at] == gen_) continue;
      mark_[at] = gen_;
      if (budget_ == 0) {
        over_ = true;
        return false;
      }
      --budget_;
      const Regex::Inst& in = prog_[at];
      switch (in.op) {
        case Op::Jmp: stack_.push_back(in.x); break;
        case Op::Split: stack_.push_back(in.y); stack_.push_back(in.x); break;
        case Op::Bol: if (prev == kNone) stack_.push_back(at + 1); break;
        case Op::Eol: if (next == kNone) stack_.push_back(at + 1); break;
        case Op::WordB: if (is_word(prev) != is_word(next)) stack_.push_back(at + 1); break;
        case Op::NotWordB: if (is_word(prev) == is_word(next)) stack_.push_back(at + 1); break;
        case Op::Match: return true;
        case Op::Char:
        case Op::Class: list.push_back(at); break;
      }
    }
    return false;
  }

 private:
  const std::vector<Regex::Inst>& prog_;
  std::vector<uint32_t>& stack_;
  std::vector<uint32_t>& mark_;
  std::size_t& budget_;
  uint32_t gen_ = 0;
  bool over_ = false;
};

}  // namespace

Regex::Outcome Regex::search(std::string_view text, std::size_t& budget) const {
  thread_local Workspace ws;
  Vm vm(prog_, ws, budget);
  auto& clist = ws.clist;
  auto& nlist = ws.nlist;
  size_t pos = 0;
  size_t len = 0;
  int32_t cur = text.empty() ? kNone : static_cast<int32_t>(decode(text, 0, len));
  vm.next_generation();
  if (vm.add(clist, 0, kNone, cur)) return Outcome::Match;
  if (vm.over()) return Outcome::OverBudget;
  while (pos < text.size()) {
    const size_t next_pos = pos + len;
    size_t next_len = 0;
    const int32_t next = next_pos < text.size() ? static_cast<int32_t>(decode(text, next_pos, next_len)) : kNone;
    vm.next_generation();
    nlist.clear();
    const auto c = static_cast<char32_t>(cur);
    for (const uint32_t at : clist) {
      if (budget == 0) return Outcome::OverBudget;
      --budget;
      const Inst& in = prog_[at];
      const bool ok = in.op == Op::Char ? in.c == c : class_has(classes_[in.x], c);
      if (ok && vm.add(nlist, at + 1, cur, next)) return Outcome::Match;
      if (vm.over()) return Outcome::OverBudget;
    }
    if (!anchored_start_ && vm.add(nlist, 0, cur, next)) return Outcome::Match;
    if (vm.over()) return Outcome::OverBudget;
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
