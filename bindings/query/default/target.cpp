#include "bindings/query/default/target.hpp"

#include <utility>

namespace taxii::query::tdq {

namespace {

Error unsupported(std::string_view expr, const std::string& why) {
  return Error{StatusType::UnsupportedTargetingExpression,
               "targeting expression \"" + std::string(expr) + "\" is not supported: " + why};
}

bool space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

// An XML NCName, approximately: non-ASCII bytes are accepted as name characters.
bool ncname(std::string_view s) {
  if (s.empty()) return false;
  auto start = [](unsigned char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c >= 0x80; };
  auto rest = [&](unsigned char c) { return start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.'; };
  if (!start(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s.substr(1))
    if (!rest(static_cast<unsigned char>(c))) return false;
  return true;
}

std::string describe_bad_step(std::string_view step) {
  const std::string s(step);
  if (step.find(':') != std::string_view::npos)
    return "step \"" + s + "\": namespace prefixes are not part of node names (Query 1.0 §4.2.1)";
  if (step.find_first_of("[]()=") != std::string_view::npos)
    return "step \"" + s + "\": predicates and other XPath syntax are not part of slash notation";
  return "step \"" + s + "\" is not a node name, \"*\" or \"**\"";
}

// The node's own character data, whitespace-trimmed; a view into the document when it is a
// single text node (the usual case), else built in `scratch`.
std::string_view element_value(const xml::XmlDocument& doc, int32_t e, std::string& scratch) {
  const xml::XmlNode& n = doc.node(e);
  const std::string* only = nullptr;
  size_t texts = 0;
  for (int32_t c : n.children) {
    if (doc.node(c).kind != xml::XmlNode::Kind::Text) continue;
    if (++texts == 1) only = &doc.node(c).text;
  }
  if (texts == 0) return {};
  if (texts == 1) return trimmed(*only);
  scratch.clear();
  for (int32_t c : n.children)
    if (doc.node(c).kind == xml::XmlNode::Kind::Text) scratch += doc.node(c).text;
  return trimmed(scratch);
}

}  // namespace

Result<Target> Target::parse(std::string_view expr, std::size_t max_steps) {
  const std::string_view e = trimmed(expr);
  if (e.empty()) return unsupported(expr, "it is empty");
  Target t;
  t.text_ = std::string(e);
  size_t start = 0, count = 0;
  while (true) {
    const size_t slash = e.find('/', start);
    const std::string_view step = e.substr(start, slash == std::string_view::npos ? slash : slash - start);
    const bool last = slash == std::string_view::npos;
    if (++count > max_steps) return unsupported(e, "more than " + std::to_string(max_steps) + " steps");
    if (step.empty()) return unsupported(e, "empty step (a leading, trailing or doubled \"/\")");
    if (step == "*") {
      t.steps_.push_back({Kind::Star, {}});
    } else if (step == "**") {
      t.steps_.push_back({Kind::DoubleStar, {}});
    } else if (step.front() == '@') {
      if (!last) return unsupported(e, "attribute step \"" + std::string(step) + "\" must be the last step");
      if (!ncname(step.substr(1))) return unsupported(e, "\"" + std::string(step) + "\" is not an attribute name");
      t.attribute_ = std::string(step.substr(1));
    } else if (ncname(step)) {
      t.steps_.push_back({Kind::Name, std::string(step)});
    } else {
      return unsupported(e, describe_bad_step(step));
    }
    if (last) break;
    start = slash + 1;
  }
  if (t.steps_.empty()) return unsupported(e, "an attribute step needs the element steps that lead to it");
  if (t.attribute_.empty()) {
    // A trailing `**` means every node below the prefix: `**` followed by one more node.
    if (t.steps_.back().kind == Kind::DoubleStar) t.steps_.push_back({Kind::Star, {}});
    t.wildcard_last_ = t.steps_.back().kind == Kind::Star;
  }
  if (t.steps_.size() >= 63) return unsupported(e, "too many steps");  // bit-mask width
  return t;
}

uint64_t Target::closure(uint64_t mask) const {
  // `**` may match an empty sequence: reaching it also reaches the step after it.
  for (size_t i = 0; i < steps_.size(); ++i)
    if ((mask >> i & 1u) != 0 && steps_[i].kind == Kind::DoubleStar) mask |= uint64_t{1} << (i + 1);
  return mask;
}

uint64_t Target::advance(uint64_t mask, std::string_view local) const {
  uint64_t next = 0;
  for (size_t i = 0; i < steps_.size(); ++i) {
    if ((mask >> i & 1u) == 0) continue;
    const Step& s = steps_[i];
    if (s.kind == Kind::DoubleStar) next |= uint64_t{1} << i;  // `**` consumes this node and goes on
    else if (s.kind == Kind::Star || s.name == local) next |= uint64_t{1} << (i + 1);
  }
  return closure(next);
}

bool Target::select(const xml::XmlDocument& doc, VisitorBase& visit) const {
  if (doc.root < 0) return false;
  const size_t k = steps_.size();
  const uint64_t full = uint64_t{1} << k;
  const uint64_t before_last = k > 0 ? uint64_t{1} << (k - 1) : 0;
  std::string scratch;
  std::vector<std::pair<int32_t, uint64_t>> stack{{doc.root, closure(1)}};
  while (!stack.empty()) {
    const auto [e, parent_mask] = stack.back();
    stack.pop_back();
    const xml::XmlNode& n = doc.node(e);
    const uint64_t mask = advance(parent_mask, n.local);
    if (mask == 0) continue;  // no prefix of the expression reaches this subtree
    if ((mask & full) != 0) {
      if (!attribute_.empty()) {
        for (const auto& a : n.attrs)
          if (a.local == attribute_ && visit(trimmed(a.value))) return true;
      } else if (visit(element_value(doc, e, scratch))) {
        return true;
      }
    }
    // A final wildcard step matches this node's attributes as well as its children.
    if (wildcard_last_ && (mask & before_last) != 0)
      for (const auto& a : n.attrs)
        if (visit(trimmed(a.value))) return true;
    for (auto it = n.children.rbegin(); it != n.children.rend(); ++it)
      if (doc.node(*it).kind == xml::XmlNode::Kind::Element) stack.emplace_back(*it, mask);
  }
  return false;
}

}  // namespace taxii::query::tdq
