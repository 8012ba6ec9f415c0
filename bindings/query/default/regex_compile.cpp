#include "bindings/query/default/regex.hpp"

#include <algorithm>
#include <limits>

#include "bindings/query/default/regex_internal.hpp"

namespace taxii::query::tdq {

using regex_internal::decode;

namespace {

constexpr uint32_t kInf = std::numeric_limits<uint32_t>::max();
constexpr char32_t kMaxCp = 0x10FFFF;

using Ranges = std::vector<Regex::Range>;

void normalize(Ranges& r) {
  std::sort(r.begin(), r.end(), [](const Regex::Range& a, const Regex::Range& b) { return a.lo < b.lo; });
  Ranges out;
  for (const auto& x : r) {
    if (!out.empty() && x.lo <= out.back().hi + 1) out.back().hi = std::max(out.back().hi, x.hi);
    else out.push_back(x);
  }
  r.swap(out);
}

Ranges complement(Ranges r) {
  normalize(r);
  Ranges out;
  char32_t next = 0;
  for (const auto& x : r) {
    if (x.lo > next) out.push_back({next, x.lo - 1});
    next = x.hi + 1;
  }
  if (next <= kMaxCp) out.push_back({next, kMaxCp});
  return out;
}

// Adds the other ASCII case of every letter in the set (case-insensitive matching).
void fold_ascii(Ranges& r) {
  const size_t n = r.size();
  for (size_t i = 0; i < n; ++i) {
    const Regex::Range x = r[i];
    const char32_t lo1 = std::max<char32_t>(x.lo, 'a'), hi1 = std::min<char32_t>(x.hi, 'z');
    if (lo1 <= hi1) r.push_back({lo1 - 32, hi1 - 32});
    const char32_t lo2 = std::max<char32_t>(x.lo, 'A'), hi2 = std::min<char32_t>(x.hi, 'Z');
    if (lo2 <= hi2) r.push_back({lo2 + 32, hi2 + 32});
  }
  normalize(r);
}

Ranges digit_set() { return {{'0', '9'}}; }
Ranges word_set() { return {{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}}; }
Ranges space_set() { return {{'\t', '\r'}, {' ', ' '}}; }  // \t \n \v \f \r and space

struct Node {
  enum class Kind { Empty, Char, Class, Cat, Alt, Repeat, Bol, Eol, WordB, NotWordB };
  Kind kind = Kind::Empty;
  char32_t c = 0;
  uint32_t cls = 0;
  uint32_t min = 0, max = 0;
  std::vector<int> kids;
};

int hex_value(char32_t c) {
  if (c >= '0' && c <= '9') return static_cast<int>(c - '0');
  if (c >= 'a' && c <= 'f') return static_cast<int>(c - 'a' + 10);
  if (c >= 'A' && c <= 'F') return static_cast<int>(c - 'A' + 10);
  return -1;
}

}  // namespace


// Recursive-descent parser (bounded by Limits::max_nesting) and Thompson compiler.
class RegexCompiler {
 public:
  RegexCompiler(std::string_view pattern, bool icase, const Regex::Limits& limits)
      : icase_(icase), limits_(limits) {
    for (size_t i = 0; i < pattern.size();) {
      size_t len = 1;
      p_.push_back(decode(pattern, i, len));
      i += len;
    }
  }

  Result<Regex> run() {
    const int root = parse_alt(0);
    if (root >= 0 && i_ < p_.size()) fail("unmatched ')'");
    if (!err_.empty()) return error();
    Regex re;
    prog_ = &re.prog_;
    if (!emit(root)) return error();
    re.prog_.push_back({Regex::Op::Match});
    re.classes_ = std::move(classes_);
    re.anchored_start_ = !re.prog_.empty() && re.prog_.front().op == Regex::Op::Bol;
    return re;
  }

 private:
  Error error() const {
    return Error::bad_message("invalid regular expression at character " + std::to_string(err_at_ + 1) + ": " + err_);
  }
  int fail(std::string why) {
    if (err_.empty()) {
      err_ = std::move(why);
      err_at_ = std::min(i_, p_.empty() ? 0 : p_.size() - 1);
    }
    return -1;
  }
  bool at_end() const { return i_ >= p_.size(); }
  char32_t peek(size_t k = 0) const { return i_ + k < p_.size() ? p_[i_ + k] : 0; }
  int add(Node n) {
    nodes_.push_back(std::move(n));
    return static_cast<int>(nodes_.size() - 1);
  }
  int add_class(Ranges r, bool negate) {
    if (icase_) fold_ascii(r);
    else normalize(r);
    if (negate) r = complement(std::move(r));
    classes_.push_back(std::move(r));
    Node n;
    n.kind = Node::Kind::Class;
    n.cls = static_cast<uint32_t>(classes_.size() - 1);
    return add(std::move(n));
  }
  int add_char(char32_t c) {
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (icase_ && letter) return add_class({{c, c}}, false);
    Node n;
    n.kind = Node::Kind::Char;
    n.c = c;
    return add(std::move(n));
  }
  int add_kind(Node::Kind k) {
    Node n;
    n.kind = k;
    return add(std::move(n));
  }

  int parse_alt(size_t depth) {
    const int first = parse_cat(depth);
    if (first < 0 || peek() != '|' || at_end()) return first;
    Node alt;
    alt.kind = Node::Kind::Alt;
    alt.kids.push_back(first);
    while (!at_end() && peek() == '|') {
      ++i_;
      const int k = parse_cat(depth);
      if (k < 0) return -1;
      alt.kids.push_back(k);
    }
    return add(std::move(alt));
  }

  int parse_cat(size_t depth) {
    Node cat;
    cat.kind = Node::Kind::Cat;
    while (!at_end() && peek() != '|' && peek() != ')') {
      const int k = parse_repeat(depth);
      if (k < 0) return -1;
      cat.kids.push_back(k);
    }
    if (cat.kids.empty()) return add_kind(Node::Kind::Empty);
    if (cat.kids.size() == 1) return cat.kids.front();
    return add(std::move(cat));
  }

  // {n}, {n,}, {n,m} at i_; false (i_ unchanged) if the text is not a quantifier.
  bool counted(uint32_t& min, uint32_t& max, bool& too_big) {
    size_t j = i_ + 1;
    auto number = [&](uint32_t& out) {
      const size_t start = j;
      uint64_t v = 0;
      while (j < p_.size() && p_[j] >= '0' && p_[j] <= '9') {
        v = std::min<uint64_t>(v * 10 + (p_[j] - '0'), uint64_t{1} << 32);
        ++j;
      }
      if (v > limits_.max_repeat) too_big = true;
      out = static_cast<uint32_t>(std::min<uint64_t>(v, kInf - 1));
      return j > start;
    };
    too_big = false;
    if (!number(min)) return false;
    max = min;
    if (j < p_.size() && p_[j] == ',') {
      ++j;
      if (!number(max)) max = kInf;
    }
    if (j >= p_.size() || p_[j] != '}') return false;
    i_ = j + 1;
    return true;
  }

  int parse_repeat(size_t depth) {
    int atom = parse_atom(depth);
    while (atom >= 0 && !at_end()) {
      uint32_t min = 0, max = 0;
      const char32_t q = peek();
      if (q == '*') { min = 0; max = kInf; ++i_; }
      else if (q == '+') { min = 1; max = kInf; ++i_; }
      else if (q == '?') { min = 0; max = 1; ++i_; }
      else if (q == '{') {
        bool too_big = false;
        if (!counted(min, max, too_big)) break;
        if (too_big) return fail("repetition count above " + std::to_string(limits_.max_repeat));
        if (max != kInf && min > max) return fail("repetition {n,m} with n > m");
      } else {
        break;
      }
      if (!at_end() && peek() == '+') return fail("possessive quantifiers are not supported");
      if (!at_end() && peek() == '?') ++i_;  // lazy: same answer to "is there a match"
      Node r;
      r.kind = Node::Kind::Repeat;
      r.min = min;
      r.max = max;
      r.kids.push_back(atom);
      atom = add(std::move(r));
    }
    return atom;
  }

  int parse_group(size_t depth) {
    ++i_;  // (
    if (depth + 1 > limits_.max_nesting) return fail("groups nested deeper than " + std::to_string(limits_.max_nesting));
    if (peek() == '?') {
      const char32_t k = peek(1);
      if (k == ':') {
        i_ += 2;
      } else if ((k == '<' && peek(2) != '=' && peek(2) != '!') || k == 'P' || k == '\'') {
        // Named group: the name does not matter, only "is there a match" is asked.
        const char32_t close = k == '\'' ? '\'' : '>';
        size_t j = i_ + (k == 'P' ? 3 : 2);
        if (k == 'P' && peek(2) != '<') return fail("unsupported group syntax");
        while (j < p_.size() && p_[j] != close) ++j;
        if (j >= p_.size()) return fail("unterminated group name");
        i_ = j + 1;
      } else if (k == '=' || k == '!' || k == '<') {
        return fail("lookaround assertions are not supported");
      } else {
        return fail("inline flags and other (?...) groups are not supported");
      }
    }
    const int inner = parse_alt(depth + 1);
    if (inner < 0) return -1;
    if (at_end() || peek() != ')') return fail("missing ')'");
    ++i_;
    return inner;
  }

  // An escape after '\' (i_ at the letter). Returns a node, or sets `is_set`/`set` for a
  // class escape when `want_set` (inside [...]) and returns 0.
  int parse_escape(bool in_class, Ranges* set, bool* negated_set, char32_t* ch) {
    if (at_end()) return fail("trailing backslash");
    const char32_t e = p_[i_++];
    auto set_of = [&](Ranges r, bool neg) -> int {
      if (in_class) {
        *set = std::move(r);
        *negated_set = neg;
        return 0;
      }
      return add_class(std::move(r), neg);
    };
    auto literal = [&](char32_t c) -> int {
      if (in_class) {
        *ch = c;
        return 0;
      }
      return add_char(c);
    };
    switch (e) {
      case 'd': return set_of(digit_set(), false);
      case 'D': return set_of(digit_set(), true);
      case 'w': return set_of(word_set(), false);
      case 'W': return set_of(word_set(), true);
      case 's': return set_of(space_set(), false);
      case 'S': return set_of(space_set(), true);
      case 'n': return literal('\n');
      case 'r': return literal('\r');
      case 't': return literal('\t');
      case 'f': return literal('\f');
      case 'v': return literal('\v');
      case 'e': return literal(0x1B);
      case 'a': return literal(0x07);
      case '0': return literal(0);
      case 'b':
        if (in_class) return literal(0x08);
        return add_kind(Node::Kind::WordB);
      case 'B':
        if (in_class) return fail("\\B inside a character class");
        return add_kind(Node::Kind::NotWordB);
      case 'A':
        if (in_class) return fail("\\A inside a character class");
        return add_kind(Node::Kind::Bol);
      case 'z':
      case 'Z':
        if (in_class) return fail("\\z inside a character class");
        return add_kind(Node::Kind::Eol);
      case 'x':
      case 'u': {
        char32_t v = 0;
        if (e == 'x' && peek() == '{') {
          size_t j = i_ + 1, digits = 0;
          while (j < p_.size() && hex_value(p_[j]) >= 0 && digits < 8) v = v * 16 + static_cast<char32_t>(hex_value(p_[j++])), ++digits;
          if (digits == 0 || j >= p_.size() || p_[j] != '}') return fail("malformed \\x{...}");
          i_ = j + 1;
        } else {
          const size_t want = e == 'x' ? 2 : 4;
          for (size_t k = 0; k < want; ++k) {
            if (at_end() || hex_value(peek()) < 0) return fail(std::string("malformed \\") + static_cast<char>(e));
            v = v * 16 + static_cast<char32_t>(hex_value(p_[i_++]));
          }
        }
        if (v > kMaxCp) return fail("code point out of range");
        return literal(v);
      }
      default: break;
    }
    if (e >= '1' && e <= '9') return fail("backreferences are not supported");
    if (e == 'k' || e == 'g') return fail("backreferences are not supported");
    if (e == 'p' || e == 'P') return fail("Unicode properties \\p{...} are not supported");
    if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') || (e >= '0' && e <= '9'))
      return fail(std::string("unknown escape \\") + static_cast<char>(e));
    return literal(e);  // escaped punctuation or any other character stands for itself
  }

  bool posix_class(Ranges& out) {
    // At "[:" inside a class.
    static const struct {
      const char* name;
      std::vector<Regex::Range> r;
    } kNames[] = {
        {"alpha", {{'A', 'Z'}, {'a', 'z'}}},  {"digit", {{'0', '9'}}},
        {"alnum", {{'0', '9'}, {'A', 'Z'}, {'a', 'z'}}},
        {"upper", {{'A', 'Z'}}},               {"lower", {{'a', 'z'}}},
        {"space", {{'\t', '\r'}, {' ', ' '}}}, {"xdigit", {{'0', '9'}, {'A', 'F'}, {'a', 'f'}}},
        {"word", {{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}}},
        {"punct", {{'!', '/'}, {':', '@'}, {'[', '`'}, {'{', '~'}}},
        {"blank", {{'\t', '\t'}, {' ', ' '}}}, {"cntrl", {{0, 31}, {127, 127}}},
        {"print", {{32, 126}}},                {"graph", {{33, 126}}},
    };
    size_t j = i_ + 2;
    std::string name;
    while (j < p_.size() && p_[j] >= 'a' && p_[j] <= 'z' && name.size() < 8) name += static_cast<char>(p_[j++]);
    if (j + 1 >= p_.size() || p_[j] != ':' || p_[j + 1] != ']') return false;
    for (const auto& n : kNames) {
      if (name == n.name) {
        out.insert(out.end(), n.r.begin(), n.r.end());
        i_ = j + 2;
        return true;
      }
    }
    fail("unknown POSIX class [:" + name + ":]");
    return false;
  }

  int parse_class() {
    ++i_;  // [
    bool negate = false;
    if (peek() == '^' && !at_end()) {
      negate = true;
      ++i_;
    }
    Ranges r;
    bool first = true;
    while (true) {
      if (at_end()) return fail("missing ']'");
      char32_t c = peek();
      if (c == ']' && !first) {
        ++i_;
        break;
      }
      first = false;
      if (c == '[' && peek(1) == ':') {
        if (posix_class(r)) continue;
        if (!err_.empty()) return -1;
      }
      // One item: a character or a set escape.
      auto item = [&](char32_t& out, bool& is_set) -> bool {
        is_set = false;
        if (peek() == '\\') {
          ++i_;
          Ranges set;
          bool neg = false;
          out = kMaxCp + 1;
          if (parse_escape(true, &set, &neg, &out) < 0) return false;
          if (out == kMaxCp + 1) {
            is_set = true;
            if (neg) set = complement(std::move(set));
            r.insert(r.end(), set.begin(), set.end());
          }
          return true;
        }
        out = p_[i_++];
        return true;
      };
      char32_t lo = 0;
      bool lo_set = false;
      if (!item(lo, lo_set)) return -1;
      if (lo_set) continue;
      if (peek() == '-' && i_ + 1 < p_.size() && p_[i_ + 1] != ']') {
        ++i_;
        char32_t hi = 0;
        bool hi_set = false;
        if (!item(hi, hi_set)) return -1;
        if (hi_set) return fail("invalid range in character class");
        if (hi < lo) return fail("range out of order in character class");
        r.push_back({lo, hi});
      } else {
        r.push_back({lo, lo});
      }
    }
    return add_class(std::move(r), negate);
  }

  int parse_atom(size_t depth) {
    const char32_t c = peek();
    switch (c) {
      case '(': return parse_group(depth);
      case '[': return parse_class();
      case '.': ++i_; return add_class({{'\n', '\n'}, {'\r', '\r'}}, true);
      case '^': ++i_; return add_kind(Node::Kind::Bol);
      case '$': ++i_; return add_kind(Node::Kind::Eol);
      case '\\': ++i_; return parse_escape(false, nullptr, nullptr, nullptr);
      case '*':
      case '+':
      case '?': return fail("nothing to repeat");
      case '{': {
        uint32_t a = 0, b = 0;
        bool too_big = false;
        const size_t save = i_;
        if (counted(a, b, too_big)) {
          i_ = save;
          return fail("nothing to repeat");
        }
        ++i_;
        return add_char('{');
      }
      default: ++i_; return add_char(c);
    }
  }

  // --- Thompson construction ---
  size_t pc() const { return prog_->size(); }
  bool put(Regex::Inst in) {
    if (prog_->size() >= limits_.max_program) {
      fail("the expression is too complex (more than " + std::to_string(limits_.max_program) + " states)");
      return false;
    }
    prog_->push_back(in);
    return true;
  }

  bool emit(int id) {
    if (!err_.empty()) return false;
    const Node& n = nodes_[static_cast<size_t>(id)];
    using Op = Regex::Op;
    switch (n.kind) {
      case Node::Kind::Empty: return true;
      case Node::Kind::Char: return put({Op::Char, n.c});
      case Node::Kind::Class: return put({Op::Class, 0, n.cls});
      case Node::Kind::Bol: return put({Op::Bol});
      case Node::Kind::Eol: return put({Op::Eol});
      case Node::Kind::WordB: return put({Op::WordB});
      case Node::Kind::NotWordB: return put({Op::NotWordB});
      case Node::Kind::Cat:
        for (int k : n.kids)
          if (!emit(k)) return false;
        return true;
      case Node::Kind::Alt: {
        std::vector<size_t> jumps;
        for (size_t k = 0; k < n.kids.size(); ++k) {
          if (k + 1 < n.kids.size()) {
            const size_t split = pc();
            if (!put({Op::Split, 0, static_cast<uint32_t>(split + 1)})) return false;
            if (!emit(n.kids[k])) return false;
            jumps.push_back(pc());
            if (!put({Op::Jmp})) return false;
            (*prog_)[split].y = static_cast<uint32_t>(pc());
          } else if (!emit(n.kids[k])) {
            return false;
          }
        }
        for (size_t j : jumps) (*prog_)[j].x = static_cast<uint32_t>(pc());
        return true;
      }
      case Node::Kind::Repeat: {
        const int kid = n.kids.front();
        for (uint32_t k = 0; k < n.min; ++k)
          if (!emit(kid)) return false;
        if (n.max == kInf) {
          const size_t loop = pc();
          if (!put({Op::Split, 0, static_cast<uint32_t>(loop + 1)})) return false;
          if (!emit(kid)) return false;
          if (!put({Op::Jmp, 0, static_cast<uint32_t>(loop)})) return false;
          (*prog_)[loop].y = static_cast<uint32_t>(pc());
          return true;
        }
        std::vector<size_t> splits;
        for (uint32_t k = n.min; k < n.max; ++k) {
          splits.push_back(pc());
          if (!put({Op::Split, 0, static_cast<uint32_t>(pc() + 1)})) return false;
          if (!emit(kid)) return false;
        }
        for (size_t s : splits) (*prog_)[s].y = static_cast<uint32_t>(pc());
        return true;
      }
    }
    return false;
  }

  std::vector<char32_t> p_;
  size_t i_ = 0;
  bool icase_;
  Regex::Limits limits_;
  std::vector<Node> nodes_;
  std::vector<Ranges> classes_;
  std::vector<Regex::Inst>* prog_ = nullptr;
  std::string err_;
  size_t err_at_ = 0;
};

Result<Regex> Regex::compile(std::string_view pattern, bool case_sensitive, const Limits& limits) {
  if (pattern.size() > limits.max_pattern)
    return Error::bad_message("regular expression longer than " + std::to_string(limits.max_pattern) + " bytes");
  return RegexCompiler(pattern, !case_sensitive, limits).run();
}

}  // namespace taxii::query::tdq
