// A small regular-expression engine for the Default Query regex-1 module (Query 1.0 §5.2.1),
// built for untrusted patterns over untrusted text: it compiles to a Thompson NFA and searches
// with a Pike VM (all NFA states advanced in lock step), so the cost is O(text × program)
// whatever the pattern — no backtracking, no recursion on the input, so `(a+)+$` over 10k
// characters is as cheap as `a`. A step budget bounds each search on top of that.
//
// Syntax: the common PCRE subset that CybOX patterns use — literals, `.`, `[...]` classes with
// ranges, negation and POSIX names ([:alpha:] ...), escapes \d \D \w \W \s \S \b \B \A \z \n \r
// \t \f \v \xhh \x{h...} \uhhhh and escaped punctuation, groups `(...)` `(?:...)` `(?<name>...)`
// `(?P<name>...)`, alternation, quantifiers * + ? {n} {n,} {n,m} (lazy forms accepted: only
// "is there a match" is asked), anchors ^ $. Not supported, reported as errors: backreferences,
// lookaround, inline flags, possessive quantifiers, \p{...} properties.
// Semantics: unanchored search (docs/decisions.md); `^`/`$` are the start/end of the text;
// `.` is any character except \n and \r; case folding is ASCII-only. Text is UTF-8 and is
// matched by code point.
//
// A compiled Regex is immutable and safe to share between threads; search() keeps its
// working state in a per-thread workspace (search is not reentrant within one thread, which
// nothing needs: it calls no user code).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace taxii::query::tdq {

class Regex {
 public:
  struct Limits {
    std::size_t max_pattern = 4096;   // bytes of pattern text
    std::size_t max_program = 4000;   // NFA instructions after expanding counted repetition
    std::size_t max_repeat = 1000;    // largest n or m in {n,m}
    std::size_t max_nesting = 64;     // group nesting
  };

  // Fails (BadMessage) with "offset N: reason" for an invalid or unsupported pattern, or one
  // over the limits.
  static Result<Regex> compile(std::string_view pattern, bool case_sensitive, const Limits& limits);
  static Result<Regex> compile(std::string_view pattern, bool case_sensitive) {
    return compile(pattern, case_sensitive, Limits{});
  }

  enum class Outcome { Match, NoMatch, OverBudget };
  // Unanchored search. `budget` is the number of NFA thread steps still allowed; it is
  // decreased by what this search used. OverBudget once it reaches zero.
  Outcome search(std::string_view text, std::size_t& budget) const;
  // Convenience for tests: search with a generous budget; OverBudget counts as no match.
  bool search(std::string_view text) const;

  std::size_t program_size() const { return prog_.size(); }

  // Implementation types (public so the compiler in regex_compile.cpp can build them).
  struct Range {
    char32_t lo, hi;
  };
  enum class Op : uint8_t { Char, Class, Split, Jmp, Bol, Eol, WordB, NotWordB, Match };
  struct Inst {
    Op op;
    char32_t c = 0;     // Char
    uint32_t x = 0;     // Class: class index; Split/Jmp: target
    uint32_t y = 0;     // Split: second target
  };

 private:
  friend class RegexCompiler;
  std::vector<Inst> prog_;
  std::vector<std::vector<Range>> classes_;  // sorted, merged ranges
  bool anchored_start_ = false;              // program begins with ^ / \A
};

}  // namespace taxii::query::tdq
