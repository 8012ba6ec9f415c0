// The hardened Xerces SAX2 parser and the handler that builds an XmlDocument (xml_document.hpp):
// parse_document() with its payload fast path (payload_scan.hpp), the full path, untyped parsing
// and validation only.
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <xercesc/framework/MemBufInputSource.hpp>
#include <xercesc/sax/EntityResolver.hpp>
#include <xercesc/sax/ErrorHandler.hpp>
#include <xercesc/sax/SAXParseException.hpp>
#include <xercesc/sax2/Attributes.hpp>
#include <xercesc/sax2/ContentHandler.hpp>
#include <xercesc/sax2/LexicalHandler.hpp>
#include <xercesc/sax2/SAX2XMLReader.hpp>
#include <xercesc/sax2/XMLReaderFactory.hpp>
#include <xercesc/util/OutOfMemoryException.hpp>
#include <xercesc/util/PlatformUtils.hpp>
#include <xercesc/util/SecurityManager.hpp>
#include <xercesc/util/XMLException.hpp>
#include <xercesc/util/XMLUni.hpp>

#include "bindings/xml/grammar_pool.hpp"
#include "bindings/xml/markup_precheck.hpp"
#include "bindings/xml/xerces_text.hpp"
#include "bindings/xml/xml_document.hpp"
#include "core/urn.hpp"

namespace taxii::xml {
namespace {

// Thrown from handlers to stop a parse; carries the reason for the client.
struct Abort {
  std::string reason;
};

// At parse time nothing may be fetched: no DTD, no schema, no external entity.
class RefuseAllResolver : public xc::EntityResolver {
 public:
  xc::InputSource* resolveEntity(const XMLCh* /*public_id*/, const XMLCh* system_id) override {
    throw Abort{"external resource not allowed: " + utf8(system_id)};
  }
};

// --- SAX2 handler building the tree -------------------------------------------------------

class TreeBuilder : public xc::ContentHandler, public xc::LexicalHandler, public xc::ErrorHandler {
 public:
  void set_reader(const xc::SAX2XMLReader* r) { reader_ = r; }
  // bom: the parsed bytes start with a UTF-8 byte order mark.
  void reset(XmlDocument* doc, const ParseLimits* limits, bool build, const PayloadPlan* plan, bool bom) {
    doc_ = doc;
    plan_ = plan;
    bom_ = bom ? 3 : 0;
    map_cursor_ = 0;
    next_fragment_ = 0;
    limits_ = limits;
    build_ = build;
    current_ = -1;
    depth_ = 0;
    elements_ = 0;
    pending_decls_.clear();
    error_.clear();
  }
  std::string error_;

  // ContentHandler
  void startPrefixMapping(const XMLCh* prefix, const XMLCh* uri) override {
    if (build_) pending_decls_.emplace_back(utf8(prefix), utf8(uri));
  }
  void endPrefixMapping(const XMLCh*) override {}
  void startElement(const XMLCh* uri, const XMLCh* localname, const XMLCh* qname,
                    const xc::Attributes& attrs) override {
    if (++depth_ > limits_->max_depth)
      throw Abort{"element nesting deeper than " + std::to_string(limits_->max_depth)};
    if (++elements_ > limits_->max_elements)
      throw Abort{"more than " + std::to_string(limits_->max_elements) + " elements"};
    if (!build_) return;
    XmlNode n;
    n.kind = XmlNode::Kind::Element;
    n.parent = current_;
    n.ns = name(uri);
    n.local = name(localname);
    n.qname = name(qname);
    n.ns_decls = std::move(pending_decls_);
    pending_decls_.clear();
    n.inner_begin = n.inner_end = src_offset();  // just after the start tag
    if (plan_ != nullptr && next_fragment_ < plan_->payloads.size() &&
        plan_->payloads[next_fragment_].begin == n.inner_begin)
      n.fragment = static_cast<int32_t>(next_fragment_++);
    const XMLSize_t count = attrs.getLength();
    n.attrs.reserve(count);
    for (XMLSize_t i = 0; i < count; ++i) {
      const std::string_view q = name(attrs.getQName(i));
      if (q == "xmlns" || q.substr(0, 6) == "xmlns:") continue;  // declarations kept apart
      n.attrs.push_back({name(attrs.getURI(i)), name(attrs.getLocalName(i)), q, utf8(attrs.getValue(i))});
    }
    const auto idx = static_cast<int32_t>(doc_->nodes.size());
    doc_->nodes.push_back(std::move(n));
    if (current_ >= 0) doc_->nodes[static_cast<size_t>(current_)].children.push_back(idx);
    else doc_->root = idx;
    current_ = idx;
  }
  void endElement(const XMLCh*, const XMLCh*, const XMLCh*) override {
    --depth_;
    if (!build_) return;
    auto& n = doc_->nodes[static_cast<size_t>(current_)];
    const uint64_t after = src_offset();  // just after the end tag
    if (after != n.inner_begin && !doc_->source.empty() && after <= doc_->source.size()) {
      // No '<' can occur inside an end tag, so the last one before `after` opens it.
      const size_t lt = doc_->source.rfind('<', after - 1);
      n.inner_end = lt == std::string_view::npos || lt < n.inner_begin ? n.inner_begin : lt;
    }
    current_ = n.parent;
  }
  void characters(const XMLCh* chars, const XMLSize_t length) override {
    if (!build_ || current_ < 0) return;
    auto& parent = doc_->nodes[static_cast<size_t>(current_)];
    if (parent.fragment >= 0) return;  // the line breaks left of a skipped payload
    if (!parent.children.empty()) {
      auto& last = doc_->nodes[static_cast<size_t>(parent.children.back())];
      if (last.kind == XmlNode::Kind::Text) {
        append_utf8(last.text, chars, length);
        return;
      }
    }
    XmlNode t;
    t.kind = XmlNode::Kind::Text;
    t.parent = current_;
    append_utf8(t.text, chars, length);
    const auto idx = static_cast<int32_t>(doc_->nodes.size());
    doc_->nodes.push_back(std::move(t));
    doc_->nodes[static_cast<size_t>(current_)].children.push_back(idx);
  }
  void ignorableWhitespace(const XMLCh*, const XMLSize_t) override {}
  void processingInstruction(const XMLCh* target, const XMLCh* data) override {
    add_leaf(XmlNode::Kind::PI, utf8(target), utf8(data));
  }
  void setDocumentLocator(const xc::Locator*) override {}
  void startDocument() override {}
  void endDocument() override {}
  void skippedEntity(const XMLCh* name) override {
    throw Abort{"entity reference not allowed: " + utf8(name)};
  }

  // LexicalHandler
  void comment(const XMLCh* chars, const XMLSize_t length) override {
    std::string s;
    append_utf8(s, chars, length);
    add_leaf(XmlNode::Kind::Comment, std::move(s), {});
  }
  void startDTD(const XMLCh*, const XMLCh*, const XMLCh*) override {
    // Refused before the internal subset is read: no entity can ever be declared.
    throw Abort{"DOCTYPE declarations are not allowed"};
  }
  void endDTD() override {}
  // With DOCTYPE refused only the five predefined entities exist; nothing to do.
  void startEntity(const XMLCh*) override {}
  void endEntity(const XMLCh*) override {}
  void startCDATA() override {}
  void endCDATA() override {}

  // ErrorHandler: the first error or fatal error stops the parse.
  void warning(const xc::SAXParseException&) override {}
  void error(const xc::SAXParseException& e) override {
    // Xerces resolves xsi:type even inside processContents="skip" wildcards and then
    // complains that the STIX/CybOX grammar is not loaded. Payloads are opaque to the
    // binding (the runtime grammars skip wildcard content: cmake/Embed.cmake), so that one
    // complaint is not an error; any other is.
    static const std::u16string kGrammarNotFound = u"grammar not found for namespace";
    const XMLCh* msg = e.getMessage();
    if (msg != nullptr && xc::XMLString::startsWith(msg, reinterpret_cast<const XMLCh*>(kGrammarNotFound.c_str())))
      return;
    fail(e);
  }
  void fatalError(const xc::SAXParseException& e) override { fail(e); }
  void resetErrors() override {}

 private:
  // A name, stored once per document (NamePool).
  std::string_view name(const XMLCh* s) {
    if (s == nullptr) return doc_->name_pool->intern({});
    char buf[128];  // ASCII names, the usual ones, without touching the heap
    size_t n = 0;
    for (; s[n] != 0; ++n) {
      if (n == sizeof buf || s[n] >= 0x80) {
        scratch_.clear();
        append_utf8(scratch_, s, xc::XMLString::stringLen(s));
        return doc_->name_pool->intern(scratch_);
      }
      buf[n] = static_cast<char>(s[n]);
    }
    return doc_->name_pool->intern(std::string_view(buf, n));
  }
  void fail(const xc::SAXParseException& e) {
    throw Abort{"line " + std::to_string(e.getLineNumber()) + ", column " +
                std::to_string(e.getColumnNumber()) + ": " + utf8(e.getMessage())};
  }
  void add_leaf(XmlNode::Kind kind, std::string text, std::string data) {
    if (!build_ || current_ < 0) return;  // prolog/epilog comments and PIs are dropped
    XmlNode n;
    n.kind = kind;
    n.parent = current_;
    n.text = std::move(text);
    n.data = std::move(data);
    const auto idx = static_cast<int32_t>(doc_->nodes.size());
    doc_->nodes.push_back(std::move(n));
    doc_->nodes[static_cast<size_t>(current_)].children.push_back(idx);
  }

  // Offset in the source of the current position (mapped back from the envelope). Xerces
  // counts from after a byte order mark: offsets taken as they came cut "nt>" of
  // "<taxii_11:Content>" into every payload of a message sent with a BOM, and its last
  // three bytes off (xml_binding_fuzz, 2026-12-04).
  uint64_t src_offset() {
    const uint64_t o = reader_->getSrcOffset() + bom_;
    return plan_ == nullptr ? o : plan_->to_source(o, map_cursor_);
  }

  const xc::SAX2XMLReader* reader_ = nullptr;
  XmlDocument* doc_ = nullptr;
  const PayloadPlan* plan_ = nullptr;
  size_t map_cursor_ = 0;
  uint64_t bom_ = 0;
  size_t next_fragment_ = 0;
  const ParseLimits* limits_ = nullptr;
  bool build_ = true;
  int32_t current_ = -1;
  size_t depth_ = 0;
  size_t elements_ = 0;
  std::vector<std::pair<std::string, std::string>> pending_decls_;
  std::string scratch_;  // name() converts into it
};

// Whether the document starts with an XML declaration that may name a version other than
// 1.0 (erring on the side of yes: the cost is a new reader).
bool declares_other_version(std::string_view body) {
  const size_t i = body.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
  if (body.compare(i, 5, "<?xml") != 0) return false;
  const size_t end = body.find("?>", i);
  const std::string_view decl = body.substr(i, end == std::string_view::npos ? 256 : end - i);
  return decl.find("1.0") == std::string_view::npos || decl.find("1.1") != std::string_view::npos;
}

// One reader per thread, over the shared locked pool.
class ThreadParser {
 public:
  explicit ThreadParser(bool validate) {
    // The pool first: building it initializes Xerces, which sets fgMemoryManager (argument
    // evaluation order is unspecified; clang reads the manager first).
    xc::XMLGrammarPool* pool = locked_grammar_pool();
    reader_.reset(xc::XMLReaderFactory::createXMLReader(xc::XMLPlatformUtils::fgMemoryManager, pool));
    reader_->setFeature(xc::XMLUni::fgSAX2CoreNameSpaces, true);
    reader_->setFeature(xc::XMLUni::fgSAX2CoreNameSpacePrefixes, false);
    reader_->setFeature(xc::XMLUni::fgSAX2CoreValidation, validate);
    reader_->setFeature(xc::XMLUni::fgXercesDynamic, false);
    reader_->setFeature(xc::XMLUni::fgXercesSchema, validate);
    reader_->setFeature(xc::XMLUni::fgXercesSchemaFullChecking, false);
    reader_->setFeature(xc::XMLUni::fgXercesUseCachedGrammarInParse, true);
    reader_->setFeature(xc::XMLUni::fgXercesCacheGrammarFromParse, false);
    reader_->setFeature(xc::XMLUni::fgXercesLoadSchema, false);
    reader_->setFeature(xc::XMLUni::fgXercesLoadExternalDTD, false);
    reader_->setFeature(xc::XMLUni::fgXercesDisableDefaultEntityResolution, true);
    reader_->setFeature(xc::XMLUni::fgXercesValidationErrorAsFatal, false);  // error() decides
    reader_->setFeature(xc::XMLUni::fgXercesIdentityConstraintChecking, true);
    reader_->setFeature(xc::XMLUni::fgXercesStandardUriConformant, false);
    security_.setEntityExpansionLimit(16);
    reader_->setProperty(xc::XMLUni::fgXercesSecurityManager, &security_);
    reader_->setEntityResolver(&refuse_);
    reader_->setFeature(xc::XMLUni::fgXercesCalculateSrcOfs, true);
    builder_.set_reader(reader_.get());
    reader_->setContentHandler(&builder_);
    reader_->setLexicalHandler(&builder_);
    reader_->setErrorHandler(&builder_);
  }

  Status run(std::string_view body, const ParseLimits& limits, XmlDocument* doc,
             const PayloadPlan* plan = nullptr) {
    // A reader is reused for the next document only after one it read cleanly. Xerces keeps
    // state across parses: the XML version of the last document (after version="1.1", the
    // next 1.0 document was read by 1.1 rules: C1 controls refused, NEL taken as a line end;
    // http_request_fuzz), and what a failed parse left behind (an undeclared element seen
    // before the failure changed the error the next parse of the same bytes reported;
    // xml_binding_fuzz's differential oracle). A new reader costs about 7 µs (xml_bench).
    Status st = parse(body, limits, doc, plan);
    if (!st.ok() || declares_other_version(body)) discard();
    return st;
  }
  bool usable() const { return reader_ != nullptr; }
  void discard() { reader_.reset(); }

 private:
  Status parse(std::string_view body, const ParseLimits& limits, XmlDocument* doc, const PayloadPlan* plan) {
    builder_.reset(doc, &limits, doc != nullptr, plan, body.compare(0, 3, "\xEF\xBB\xBF") == 0);
    static const XMLCh kBufId[] = {'m', 'e', 's', 's', 'a', 'g', 'e', 0};
    xc::MemBufInputSource src(reinterpret_cast<const XMLByte*>(body.data()), body.size(), kBufId, false);
    try {
      reader_->parse(src);
    } catch (const Abort& a) {
      return Error::bad_message(a.reason);
    } catch (const xc::SAXParseException& e) {
      return Error::bad_message("line " + std::to_string(e.getLineNumber()) + ": " + utf8(e.getMessage()));
    } catch (const xc::OutOfMemoryException&) {
      reader_.reset();  // the reader's state is unusable; rebuilt on next use
      return Error::bad_message("document too large to parse");
    } catch (const xc::XMLException& e) {
      return Error::bad_message(utf8(e.getMessage()));
    } catch (const std::bad_alloc&) {
      return Error::bad_message("document too large to parse");
    } catch (...) {
      return Error::bad_message("the document could not be parsed");
    }
    if (doc != nullptr && doc->root < 0) return Error::bad_message("no root element");
    return ok_status();
  }

  std::unique_ptr<xc::SAX2XMLReader> reader_;
  xc::SecurityManager security_;
  RefuseAllResolver refuse_;
  TreeBuilder builder_;
};

ThreadParser& thread_parser(bool validate = true) {
  thread_local std::unique_ptr<ThreadParser> validating, plain;
  auto& p = validate ? validating : plain;
  if (!p || !p->usable()) p = std::make_unique<ThreadParser>(validate);
  return *p;
}

// Every byte through Xerces (validating against the grammar pool or not), a tree for everything.
Result<XmlDocument> parse_whole(std::string_view body, const ParseLimits& limits, bool validate) {
  bool utf8 = false;
  if (auto s = precheck(body, limits, &utf8); !s.ok()) return s.error();
  if (auto s = scan_markup_limits(body, limits); !s.ok()) return s.error();
  XmlDocument doc;
  if (utf8) doc.source = body;
  doc.nodes.reserve(64);
  auto st = thread_parser(validate).run(body, limits, &doc);
  if (!st.ok()) return st.error();
  return doc;
}

}  // namespace

Result<XmlDocument> parse_document(std::string_view body, const ParseLimits& limits) {
  bool utf8 = false;
  if (auto s = precheck(body, limits, &utf8); !s.ok()) return s.error();
  if (utf8) {
    // Fast path: Xerces validates the envelope only; the payloads were checked by the scanner,
    // which also enforces the attribute and namespace limits (so the envelope needs no
    // scan_markup_limits pass). Any failure (or anything the scanner does not vouch for) takes
    // the full path below, so errors read exactly as they always did.
    thread_local PayloadPlan plan;
    if (plan_payload_skip(body, limits, &plan)) {
      XmlDocument doc;
      doc.source = body;
      doc.nodes.reserve(16 + 8 * plan.payloads.size());
      if (thread_parser().run(plan.envelope, limits, &doc, &plan).ok()) {
        doc.fragments = std::move(plan.payloads);
        plan.envelope.clear();
        if (plan.envelope.capacity() > (1u << 20)) plan.envelope.shrink_to_fit();
        return doc;
      }
    }
  }
  return parse_document_full(body, limits);
}

Result<XmlDocument> parse_document_full(std::string_view body, const ParseLimits& limits) {
  return parse_whole(body, limits, true);
}

Result<XmlDocument> parse_untyped(std::string_view body, const ParseLimits& limits) {
  return parse_whole(body, limits, false);
}

Status validate_wildcard_content(const XmlDocument& doc, int32_t elem) {
  for (int32_t c : doc.node(elem).children) {
    const XmlNode& n = doc.node(c);
    if (n.kind != XmlNode::Kind::Element) continue;
    if (n.ns == urn::kNsXml11 || n.ns == urn::kNsXml10 || n.ns == urn::kNsDefaultQuery || n.ns == urn::kNsXmlDsig) {
      auto st = validate_document(doc.outer_xml(c), ParseLimits{});
      if (!st.ok()) return Error::bad_message(std::string(n.local) + ": " + st.error().message());
    } else if (auto st = validate_wildcard_content(doc, c); !st.ok()) {
      return st;
    }
  }
  return ok_status();
}

Status validate_document(std::string_view body, const ParseLimits& limits) {
  if (auto s = precheck(body, limits); !s.ok()) return s;
  if (auto s = scan_markup_limits(body, limits); !s.ok()) return s;
  return thread_parser().run(body, limits, nullptr);
}

}  // namespace taxii::xml
