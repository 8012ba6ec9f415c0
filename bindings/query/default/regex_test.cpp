#define BOOST_TEST_MODULE regex
#include <boost/test/unit_test.hpp>

#include <chrono>

#include "bindings/query/default/regex.hpp"

using taxii::StatusType;
using taxii::query::tdq::Regex;

namespace {

bool search(const std::string& pattern, const std::string& text, bool case_sensitive = true) {
  auto re = Regex::compile(pattern, case_sensitive);
  BOOST_TEST_REQUIRE(re.ok(), pattern << ": " << (re.ok() ? "" : re.error().message()));
  return re->search(text);
}

std::string compile_error(const std::string& pattern) {
  auto re = Regex::compile(pattern, true);
  if (re.ok()) return "compiled";
  BOOST_TEST(re.error().type() == StatusType::BadMessage);
  return re.error().message();
}

}  // namespace

BOOST_AUTO_TEST_CASE(literals_and_unanchored_search) {
  BOOST_TEST(search("abc", "xxabcxx"));
  BOOST_TEST(!search("abd", "xxabcxx"));
  BOOST_TEST(search("", "anything"));
  BOOST_TEST(search("", ""));
  BOOST_TEST(!search("a", ""));
  BOOST_TEST(search("a.c", "abc"));
  BOOST_TEST(!search("a.c", "a\nc"));
  BOOST_TEST(search(R"(198\.51\.100\.\d+)", "ip 198.51.100.23 seen"));
  BOOST_TEST(!search(R"(198\.51\.100\.\d+)", "198x51.100.23"));
}

BOOST_AUTO_TEST_CASE(anchors_and_boundaries) {
  BOOST_TEST(search("^abc$", "abc"));
  BOOST_TEST(!search("^abc$", "abcd"));
  BOOST_TEST(!search("^abc", "xabc"));
  BOOST_TEST(search("abc$", "xabc"));
  BOOST_TEST(search(R"(\bcat\b)", "a cat sat"));
  BOOST_TEST(!search(R"(\bcat\b)", "concatenate"));
  BOOST_TEST(search(R"(\Bcat\B)", "concatenate"));
  BOOST_TEST(search(R"(\Aab\z)", "ab"));
  BOOST_TEST(search("^$", ""));
  BOOST_TEST(search("a|^b", "xa"));
  BOOST_TEST(!search("^(a|b)$", "ab"));
}

BOOST_AUTO_TEST_CASE(classes_and_escapes) {
  BOOST_TEST(search("^[a-f0-9]{32}$", "d41d8cd98f00b204e9800998ecf8427e"));
  BOOST_TEST(!search("^[a-f0-9]{32}$", "D41D8CD98F00B204E9800998ECF8427E"));
  BOOST_TEST(search("^[a-f0-9]{32}$", "D41D8CD98F00B204E9800998ECF8427E", false));
  BOOST_TEST(search("^[^a-z]+$", "ABC-123"));
  BOOST_TEST(!search("^[^a-z]+$", "ABc"));
  BOOST_TEST(search("[]a]", "]"));
  BOOST_TEST(search("[a-]", "-"));
  BOOST_TEST(search(R"([\d.]+)", "1.2"));
  BOOST_TEST(search(R"(^[\w-]+$)", "login-secure_bank"));
  BOOST_TEST(search(R"(^\S+@\S+$)", "ceo@victim-corp.example"));
  BOOST_TEST(!search(R"(^\S+$)", "a b"));
  BOOST_TEST(search("^[[:xdigit:]]+$", "9F86d0"));
  BOOST_TEST(search(R"(\x41\x{42}\u0043)", "ABC"));
  BOOST_TEST(search(R"(a\.b\\c\/d)", R"(a.b\c/d)"));
  BOOST_TEST(search("^.$", "\xC3\xA9"));  // one code point (é), two bytes
  BOOST_TEST(search("^[\xC3\xA0-\xC3\xBF]$", "\xC3\xA9"));
  BOOST_TEST(search("[^\\n]", "x"));
}

BOOST_AUTO_TEST_CASE(repetition_alternation_groups) {
  BOOST_TEST(search("^(ab)+$", "ababab"));
  BOOST_TEST(!search("^(ab)+$", "ababa"));
  BOOST_TEST(search("^a{2,3}$", "aaa"));
  BOOST_TEST(!search("^a{2,3}$", "aaaa"));
  BOOST_TEST(!search("^a{2,3}$", "a"));
  BOOST_TEST(search("^a{2,}$", "aaaaa"));
  BOOST_TEST(search("^a{0}b$", "b"));
  BOOST_TEST(search("^(?:x|yz)*$", "xyzxx"));
  BOOST_TEST(search("^(?<name>ab|cd)e$", "cde"));
  BOOST_TEST(search("^(?P<n>a)b$", "ab"));
  BOOST_TEST(search("colou?r", "color"));
  BOOST_TEST(search("a*?b", "aaab"));  // lazy accepted
  BOOST_TEST(search("x{,3}", "x{,3}"));  // not a quantifier: literal
  BOOST_TEST(search("^(a|)$", ""));
  BOOST_TEST(search("^(a*)*$", "aaaa"));  // empty loops terminate
  BOOST_TEST(search("APT\\d+", "apt28", false));
  BOOST_TEST(!search("APT\\d+", "apt28", true));
}

BOOST_AUTO_TEST_CASE(invalid_and_unsupported_patterns_are_bad_message) {
  BOOST_TEST(compile_error("(ab").find("missing ')'") != std::string::npos);
  BOOST_TEST(compile_error("ab)").find("unmatched ')'") != std::string::npos);
  BOOST_TEST(compile_error("[ab").find("missing ']'") != std::string::npos);
  BOOST_TEST(compile_error("*a").find("nothing to repeat") != std::string::npos);
  BOOST_TEST(compile_error("a|?").find("nothing to repeat") != std::string::npos);
  BOOST_TEST(compile_error("{2}").find("nothing to repeat") != std::string::npos);
  BOOST_TEST(compile_error("[z-a]").find("out of order") != std::string::npos);
  BOOST_TEST(compile_error("a{3,2}").find("n > m") != std::string::npos);
  BOOST_TEST(compile_error("a{5000}").find("repetition count") != std::string::npos);
  BOOST_TEST(compile_error("(a)\\1").find("backreferences") != std::string::npos);
  BOOST_TEST(compile_error("a(?=b)").find("lookaround") != std::string::npos);
  BOOST_TEST(compile_error("(?i)a").find("inline flags") != std::string::npos);
  BOOST_TEST(compile_error("a*+").find("possessive") != std::string::npos);
  BOOST_TEST(compile_error("\\p{L}").find("Unicode properties") != std::string::npos);
  BOOST_TEST(compile_error("\\q").find("unknown escape") != std::string::npos);
  BOOST_TEST(compile_error("abc\\").find("trailing backslash") != std::string::npos);
  BOOST_TEST(compile_error("[[:nope:]]").find("POSIX") != std::string::npos);
  BOOST_TEST(compile_error("\\x{110000}").find("out of range") != std::string::npos);
  BOOST_TEST(compile_error("(((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((a)))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))")
                 .find("nested deeper") != std::string::npos);
  // Counted repetition is expanded, so nesting it is bounded by the program size.
  BOOST_TEST(compile_error("((a{100}){100}){100}").find("too complex") != std::string::npos);
  BOOST_TEST(compile_error(std::string(5000, 'a')).find("longer than") != std::string::npos);
  BOOST_TEST(compile_error("ab)").find("character 3") != std::string::npos);  // position named
}

BOOST_AUTO_TEST_CASE(catastrophic_patterns_run_in_linear_time) {
  const std::string text = std::string(10000, 'a') + "!";
  const auto t0 = std::chrono::steady_clock::now();
  for (const char* p : {"(a+)+$", "(a|aa)+$", "(a*)*b", "^(a|a)*$", "(.*a){20}$", "(\\w+\\s?)+$"}) {
    auto re = Regex::compile(p, true);
    BOOST_TEST_REQUIRE(re.ok());
    std::size_t budget = 50'000'000;
    const auto outcome = re->search(text, budget);
    BOOST_TEST_CONTEXT(p) { BOOST_TEST((outcome == Regex::Outcome::NoMatch || outcome == Regex::Outcome::OverBudget)); }
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  BOOST_TEST(secs < 5.0);  // typically a few ms each; generous for sanitizer builds
  // And the answers are right when there is a match.
  BOOST_TEST(search("(a+)+$", std::string(10000, 'a')));
  BOOST_TEST(search("(\\w+\\s?)+$", text.substr(0, 5000)));
}

BOOST_AUTO_TEST_CASE(budget_bounds_the_work) {
  auto re = Regex::compile("(a|b|c|d|e)*z", true);
  BOOST_TEST_REQUIRE(re.ok());
  std::size_t budget = 1000;
  BOOST_TEST((re->search(std::string(100000, 'a'), budget) == Regex::Outcome::OverBudget));
  BOOST_TEST(budget == 0u);
  budget = 1'000'000;
  BOOST_TEST((re->search("abz", budget) == Regex::Outcome::Match));
  BOOST_TEST(budget > 0u);
}
