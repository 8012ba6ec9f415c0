#include "bindings/xml/xml_document.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <xercesc/framework/MemBufInputSource.hpp>
#include <xercesc/framework/XMLGrammarPoolImpl.hpp>
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
#include <xercesc/util/XMLNetAccessor.hpp>
#include <xercesc/sax/EntityResolver.hpp>
#include <xercesc/util/XMLException.hpp>
#include <xercesc/util/XMLUni.hpp>
#include <xercesc/validators/common/Grammar.hpp>
#include <xercesc/validators/datatype/AnyURIDatatypeValidator.hpp>
#include <xercesc/validators/datatype/DatatypeValidatorFactory.hpp>
#include <xercesc/validators/schema/ComplexTypeInfo.hpp>
#include <xercesc/validators/schema/SchemaElementDecl.hpp>
#include <xercesc/validators/schema/SchemaGrammar.hpp>

#include "core/urn.hpp"
#include "xsd/embedded.hpp"

namespace taxii::xml {

namespace xc = xercesc;

namespace {

// --- UTF-16 (Xerces) -> UTF-8 -----------------------------------------------------------

void append_utf8(std::string& out, const XMLCh* s, size_t n) {
  // The leading ASCII run (usually all of it) in one resize, then character by character.
  size_t ascii = 0;
  while (ascii < n && s[ascii] < 0x80) ++ascii;
  const size_t at = out.size();
  out.resize(at + ascii);
  char* d = out.data() + at;
  for (size_t i = 0; i < ascii; ++i) d[i] = static_cast<char>(s[i]);
  if (ascii == n) return;
  out.reserve(out.size() + (n - ascii) * 2);
  for (size_t i = ascii; i < n; ++i) {
    uint32_t c = s[i];
    if (c < 0x80) {
      out += static_cast<char>(c);
      continue;
    }
    if (c >= 0xD800 && c <= 0xDBFF && i + 1 < n && s[i + 1] >= 0xDC00 && s[i + 1] <= 0xDFFF) {
      c = 0x10000 + ((c - 0xD800) << 10) + (s[i + 1] - 0xDC00);
      ++i;
    }
    if (c < 0x800) {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      out += static_cast<char>(0xE0 | (c >> 12));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (c >> 18));
      out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
}

std::string utf8(const XMLCh* s) {
  std::string out;
  if (s != nullptr) append_utf8(out, s, xc::XMLString::stringLen(s));
  return out;
}

std::u16string to_xmlch(std::string_view ascii) { return std::u16string(ascii.begin(), ascii.end()); }

// --- Xerces process-wide state ------------------------------------------------------------

// Thrown from handlers to stop a parse; carries the reason for the client.
struct Abort {
  std::string reason;
};

// Serves the embedded schemas to the grammar loader (xs:import by file name) and refuses
// everything else. Used for loading grammars only.
class EmbeddedSchemaResolver : public xc::EntityResolver {
 public:
  xc::InputSource* resolveEntity(const XMLCh* /*public_id*/, const XMLCh* system_id) override {
    std::string sys = utf8(system_id);
    const auto slash = sys.find_last_of('/');
    if (slash != std::string::npos) sys = sys.substr(slash + 1);
    const std::string_view data = xsd::find(sys);
    if (data.empty()) throw std::runtime_error("schema import not embedded: " + sys);
    const auto bufid = to_xmlch(sys);
    return new xc::MemBufInputSource(reinterpret_cast<const XMLByte*>(data.data()), data.size(),
                                     reinterpret_cast<const XMLCh*>(bufid.c_str()), false);
  }
};

// At parse time nothing may be fetched: no DTD, no schema, no external entity.
class RefuseAllResolver : public xc::EntityResolver {
 public:
  xc::InputSource* resolveEntity(const XMLCh* /*public_id*/, const XMLCh* system_id) override {
    throw Abort{"external resource not allowed: " + utf8(system_id)};
  }
};

class GrammarPool {
 public:
  GrammarPool() {
    xc::XMLPlatformUtils::Initialize();
    // No network for the parser (docs/security.md): with no net accessor, Xerces answers
    // any http:// or ftp:// URL that got past RefuseAllResolver with MalformedURLException.
    delete xc::XMLPlatformUtils::fgNetAccessor;
    xc::XMLPlatformUtils::fgNetAccessor = nullptr;
    pool_ = std::make_unique<xc::XMLGrammarPoolImpl>(xc::XMLPlatformUtils::fgMemoryManager);
    std::unique_ptr<xc::SAX2XMLReader> loader(
        xc::XMLReaderFactory::createXMLReader(xc::XMLPlatformUtils::fgMemoryManager, pool_.get()));
    EmbeddedSchemaResolver resolver;
    loader->setEntityResolver(&resolver);
    loader->setFeature(xc::XMLUni::fgSAX2CoreNameSpaces, true);
    loader->setFeature(xc::XMLUni::fgXercesSchema, true);
    loader->setFeature(xc::XMLUni::fgXercesHandleMultipleImports, true);
    loader->setFeature(xc::XMLUni::fgXercesCacheGrammarFromParse, true);
    for (const char* name : {"xmldsig_core.xsd", "taxii_default_query_1.0.xsd",
                             "taxii_xml_binding_1.1.xsd", "taxii_xml_binding_1.0.xsd"}) {
      const std::string_view data = xsd::find(name);
      if (data.empty()) throw std::runtime_error(std::string("schema not embedded: ") + name);
      const auto bufid = to_xmlch(name);
      xc::MemBufInputSource src(reinterpret_cast<const XMLByte*>(data.data()), data.size(),
                                reinterpret_cast<const XMLCh*>(bufid.c_str()), false);
      if (loader->loadGrammar(src, xc::Grammar::SchemaGrammarType, true) == nullptr)
        throw std::runtime_error(std::string("schema did not load: ") + name);
    }
    warm_up();
    pool_->lockPool();
  }
  xc::XMLGrammarPool* get() { return pool_.get(); }

 private:
  // Xerces builds a complex type's content model, its formatted text (for validity errors)
  // and its attribute list lazily, the first time an element of that type is validated,
  // without a lock: two parser threads meeting a type for the first time both build it and one
  // copy leaks (or worse). Build them all now, on one thread, before the pool is shared
  // (issue #7, docs/security.md): every registered complex type (named and anonymous), every
  // global element's type and, through them, local elements' types and base types.
  void warm_up() {
    std::vector<xc::ComplexTypeInfo*> todo;
    xc::RefHashTableOfEnumerator<xc::Grammar> grammars = pool_->getGrammarEnumerator();
    while (grammars.hasMoreElements()) {
      xc::Grammar& g = grammars.nextElement();
      if (g.getGrammarType() != xc::Grammar::SchemaGrammarType) continue;
      auto& sg = static_cast<xc::SchemaGrammar&>(g);
      if (xc::RefHashTableOf<xc::ComplexTypeInfo>* types = sg.getComplexTypeRegistry()) {
        xc::RefHashTableOfEnumerator<xc::ComplexTypeInfo> e(types, false);
        while (e.hasMoreElements()) todo.push_back(&e.nextElement());
      }
      xc::RefHash3KeysIdPoolEnumerator<xc::SchemaElementDecl> elems = sg.getElemEnumerator();
      while (elems.hasMoreElements())
        if (xc::ComplexTypeInfo* t = elems.nextElement().getComplexTypeInfo()) todo.push_back(t);
    }
    warm_up_patterns();
    std::vector<const xc::ComplexTypeInfo*> done;
    while (!todo.empty()) {
      xc::ComplexTypeInfo* t = todo.back();
      todo.pop_back();
      if (std::find(done.begin(), done.end(), t) != done.end()) continue;
      done.push_back(t);
      (void)t->getContentModel();
      (void)t->getFormattedContentModel();
      (void)t->getAttDefList();  // also faulted in lazily (defaulted/required attributes)
      for (XMLSize_t i = 0; i < t->elementCount(); ++i)
        if (xc::ComplexTypeInfo* child = t->elementAt(i)->getComplexTypeInfo()) todo.push_back(child);
      if (xc::ComplexTypeInfo* base = t->getBaseComplexTypeInfo()) todo.push_back(base);
    }
  }

  // Pattern facets: Xerces builds each character class's lookup table on its first match,
  // also without a lock. Two threads validating their first timestamps at once failed
  // Xerces' `!fMap` assertion in RangeToken::doCreateMap (a Debug + ASan client whose next part
  // was parsed beside the first, 2026-12-04); in a release build the same race leaks or
  // corrupts the table. So every simple type the embedded schemas define validates, here,
  // values that take each branch of their patterns: the timestamps of XML 1.1 / 1.0 (with and
  // without a sign, a fraction, Z or an offset either way) and 1.0's digits. (Values a type
  // refuses throw; that is fine.)
  void warm_up_patterns() {
    static const char* const kSamples[] = {"0", "2020-01-01T00:00:00Z", "-2020-01-01T00:00:00.5+01:00",
                                           "2020-01-01T00:00:00.123456-01:00"};
    std::vector<std::u16string> samples;
    for (const char* v : kSamples) samples.push_back(to_xmlch(v));
    xc::RefHashTableOfEnumerator<xc::Grammar> grammars = pool_->getGrammarEnumerator();
    while (grammars.hasMoreElements()) {
      xc::Grammar& g = grammars.nextElement();
      if (g.getGrammarType() != xc::Grammar::SchemaGrammarType) continue;
      xc::DatatypeValidatorFactory* f = static_cast<xc::SchemaGrammar&>(g).getDatatypeRegistry();
      xc::RefHashTableOf<xc::DatatypeValidator>* types = f == nullptr ? nullptr : f->getUserDefinedRegistry();
      if (types == nullptr) continue;
      xc::RefHashTableOfEnumerator<xc::DatatypeValidator> e(types, false);
      while (e.hasMoreElements()) {
        xc::DatatypeValidator& v = e.nextElement();
        for (const auto& text : samples) {
          try {
            v.validate(reinterpret_cast<const XMLCh*>(text.c_str()), nullptr, xc::XMLPlatformUtils::fgMemoryManager);
          } catch (...) {
          }
        }
      }
    }
  }

  std::unique_ptr<xc::XMLGrammarPool> pool_;
};

GrammarPool& grammar_pool() {
  static GrammarPool pool;  // thread-safe initialization (C++11 magic statics)
  return pool;
}

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
    // binding (PROTOCOL.md §12.16), so that one complaint is not an error; any other is.
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
    auto& pool = grammar_pool();
    reader_.reset(xc::XMLReaderFactory::createXMLReader(xc::XMLPlatformUtils::fgMemoryManager, pool.get()));
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

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// The XML declaration's pseudo-attributes (XML 1.0 §2.8, §4.3.3) between "<?xml" and "?>": the
// encoding may only be UTF-8 or US-ASCII (names compared case-insensitively), the bytes being
// read as UTF-8 whatever is declared (the prolog checks, the payload scanner and every raw slice
// of the source read bytes). Anything else is refused, rather than left to Xerces to decode
// otherwise than the byte checks read (UTF-7 was accepted and read as UTF-8: a differential).
Status check_declared_encoding(std::string_view decl) {
  auto refuse = [](std::string_view name) {
    std::string shown(name.substr(0, 40));
    for (char& ch : shown)
      if (static_cast<unsigned char>(ch) < 0x20 || static_cast<unsigned char>(ch) >= 0x7f) ch = '?';
    return Error::bad_message("the XML declaration names encoding \"" + shown +
                              "\": only UTF-8 (or US-ASCII) encoded XML is accepted");
  };
  auto iequals = [](std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t k = 0; k < a.size(); ++k)
      if (std::tolower(static_cast<unsigned char>(a[k])) != b[k]) return false;
    return true;
  };
  size_t k = 0;
  bool checked = false;
  while (k < decl.size()) {
    while (k < decl.size() && is_blank(decl[k])) ++k;
    const size_t nb = k;
    while (k < decl.size() && std::isalpha(static_cast<unsigned char>(decl[k]))) ++k;
    const std::string_view name = decl.substr(nb, k - nb);
    while (k < decl.size() && is_blank(decl[k])) ++k;
    if (name.empty() || k >= decl.size() || decl[k] != '=') break;
    ++k;
    while (k < decl.size() && is_blank(decl[k])) ++k;
    if (k >= decl.size() || (decl[k] != '"' && decl[k] != '\'')) break;
    const size_t close = decl.find(decl[k], k + 1);
    if (close == std::string_view::npos) break;
    const std::string_view value = decl.substr(k + 1, close - k - 1);
    k = close + 1;
    if (name == "encoding") {
      if (!iequals(value, "utf-8") && !iequals(value, "us-ascii")) return refuse(value);
      checked = true;
    }
  }
  // A declaration too malformed to read is Xerces' to report, but not one that names an
  // encoding this loop could not check.
  if (!checked && decl.find("encoding") != std::string_view::npos) return refuse("?");
  return ok_status();
}

// Cheap checks before Xerces sees the bytes: size, an ASCII-compatible start, the XML
// declaration's encoding, no DOCTYPE in the prolog. *utf8 tells whether the bytes may be sliced
// as UTF-8 (raw payload capture): always, now that nothing else is accepted.
Status precheck(std::string_view body, const ParseLimits& limits, bool* utf8 = nullptr) {
  if (utf8 != nullptr) *utf8 = true;
  if (body.size() > limits.max_bytes)
    return Error::bad_message("message of " + std::to_string(body.size()) + " bytes exceeds the limit of " +
                              std::to_string(limits.max_bytes) + " bytes");
  if (body.empty()) return Error::bad_message("empty message body");
  // Only ASCII-compatible encodings: the prolog checks below read bytes. A UTF-16 or UTF-32
  // byte order mark, EBCDIC's '<', or a NUL among the first four bytes (UTF-16/32 without a
  // mark, which Xerces would detect and decode).
  const auto b0 = static_cast<unsigned char>(body[0]);
  if (b0 == 0x00 || b0 == 0xFE || b0 == 0xFF || b0 == 0x4C ||
      std::memchr(body.data(), 0, std::min<size_t>(body.size(), 4)) != nullptr)
    return Error::bad_message("only UTF-8 encoded XML is accepted");
  // Walk the prolog (XML declaration, comments, PIs, whitespace) up to the root element.
  size_t i = body.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
  while (i < body.size()) {
    const char c = body[i];
    if (is_blank(c)) {
      ++i;
    } else if (body.compare(i, 5, "<?xml") == 0 && i + 5 < body.size() && is_blank(body[i + 5])) {
      const size_t end = body.find("?>", i);
      if (end == std::string_view::npos) break;
      if (auto st = check_declared_encoding(body.substr(i + 5, end - i - 5)); !st.ok()) return st;
      i = end + 2;
    } else if (body.compare(i, 4, "<!--") == 0) {
      const size_t end = body.find("-->", i + 4);
      if (end == std::string_view::npos) break;
      i = end + 3;
    } else if (body.compare(i, 2, "<?") == 0) {
      const size_t end = body.find("?>", i);
      if (end == std::string_view::npos) break;
      i = end + 2;
    } else if (body.compare(i, 9, "<!DOCTYPE") == 0) {
      return Error::bad_message("DOCTYPE declarations are not allowed");
    } else {
      break;  // the root element (or garbage, which the parser reports)
    }
  }
  return ok_status();
}

// One pass over the markup, linear in the body, before Xerces reads it: refuses an element with
// more than limits.max_attributes attributes (namespace declarations included) or more than
// limits.max_namespace_declarations declarations in scope (docs/security.md "Linear-time
// parsing"). Xerces maps every element and attribute prefix by a walk over the declarations in
// scope: 32,000 of them nested in a payload took it 4.5 s (16,000: 0.9 s). Text is skipped with
// memchr; comments, PIs and CDATA sections are stepped over whole. The count is exact for
// well-formed markup; at anything malformed the pass stops and Xerces, which stops at or before
// the same point, reports it. The payload scanner counts the same way (payload_scan.cpp), so
// the fast path and the full path refuse the same documents.
Status scan_markup_limits(std::string_view s, const ParseLimits& limits) {
  const char* p = s.data();
  const size_t n = s.size();
  // Bytes that end a name in a tag: blanks, '/', '>', '=', '<', quotes.
  struct Delims {
    bool t[256];
    constexpr Delims() : t() {
      for (unsigned char c : {' ', '\t', '\r', '\n', '/', '>', '=', '<', '"', '\''}) t[c] = true;
    }
  };
  static constexpr Delims kDelim;
  auto delim = [&](size_t j) { return kDelim.t[static_cast<unsigned char>(p[j])]; };
  std::vector<uint32_t> declared;  // per open element: the declarations it made
  size_t in_scope = 0;
  size_t i = 0;
  for (;;) {
    const void* lt = i < n ? std::memchr(p + i, '<', n - i) : nullptr;
    if (lt == nullptr) return ok_status();
    i = static_cast<size_t>(static_cast<const char*>(lt) - p);
    if (i + 1 >= n) return ok_status();
    const char c = p[i + 1];
    if (c == '/') {  // end tag: no quotes inside
      const void* gt = std::memchr(p + i, '>', n - i);
      if (gt == nullptr) return ok_status();
      i = static_cast<size_t>(static_cast<const char*>(gt) - p) + 1;
      if (!declared.empty()) {
        in_scope -= declared.back();
        declared.pop_back();
      }
      continue;
    }
    if (c == '?' || c == '!') {
      size_t e = std::string_view::npos, skip = 0;
      if (c == '?') e = s.find("?>", i + 2), skip = 2;
      else if (s.compare(i, 4, "<!--") == 0) e = s.find("-->", i + 4), skip = 3;
      else if (s.compare(i, 9, "<![CDATA[") == 0) e = s.find("]]>", i + 9), skip = 3;
      // else a DOCTYPE (refused when Xerces reports it, before its subset is read) or garbage
      if (e == std::string_view::npos) return ok_status();
      i = e + skip;
      continue;
    }
    // A start tag: its name, then (blanks, name, '=', quoted value) per attribute.
    size_t j = i + 1;
    while (j < n && !delim(j)) ++j;
    size_t attributes = 0, declarations = 0;
    bool open = false;
    for (;;) {
      while (j < n && is_blank(p[j])) ++j;
      if (j >= n) return ok_status();
      if (p[j] == '>') {
        open = true;
        ++j;
        break;
      }
      if (p[j] == '/') {
        if (j + 1 >= n || p[j + 1] != '>') return ok_status();
        j += 2;
        break;
      }
      const size_t nb = j;
      while (j < n && !delim(j)) ++j;
      if (j == nb) return ok_status();
      const std::string_view name = s.substr(nb, j - nb);
      while (j < n && is_blank(p[j])) ++j;
      if (j >= n || p[j] != '=') return ok_status();
      ++j;
      while (j < n && is_blank(p[j])) ++j;
      if (j >= n || (p[j] != '"' && p[j] != '\'')) return ok_status();
      const void* q = std::memchr(p + j + 1, p[j], n - j - 1);
      if (q == nullptr) return ok_status();
      j = static_cast<size_t>(static_cast<const char*>(q) - p) + 1;
      if (++attributes > limits.max_attributes)
        return Error::bad_message("an element has more than " + std::to_string(limits.max_attributes) +
                                  " attributes (limit max_attributes)");
      if (name == "xmlns" || name.compare(0, 6, "xmlns:") == 0) {
        if (in_scope + ++declarations > limits.max_namespace_declarations)
          return Error::bad_message("more than " + std::to_string(limits.max_namespace_declarations) +
                                    " namespace declarations in scope (limit max_namespace_declarations)");
      }
    }
    if (open) {
      declared.push_back(static_cast<uint32_t>(declarations));
      in_scope += declarations;
    }
    i = j;
  }
}

void write_text(std::string& out, std::string_view s) { xml_escape_append(out, s, false); }

}  // namespace

// --- XmlDocument ------------------------------------------------------------------------

std::string XmlDocument::text_of(int32_t elem) const {
  std::string out;
  for (int32_t c : node(elem).children)
    if (node(c).kind == XmlNode::Kind::Text) out += node(c).text;
  return out;
}

const std::string* XmlDocument::attr(int32_t elem, std::string_view local) const {
  for (const auto& a : node(elem).attrs)
    if (a.ns.empty() && a.local == local) return &a.value;
  return nullptr;
}

std::vector<int32_t> XmlDocument::element_children(int32_t elem) const {
  std::vector<int32_t> out;
  for (int32_t c : node(elem).children)
    if (node(c).kind == XmlNode::Kind::Element) out.push_back(c);
  return out;
}

namespace {
// "p" of a QName-like value "p:local" (leading whitespace allowed); empty if none.
std::string qname_prefix(std::string_view v) {
  size_t i = 0;
  while (i < v.size() && (v[i] == ' ' || v[i] == '\t' || v[i] == '\n' || v[i] == '\r')) ++i;
  const size_t start = i;
  while (i < v.size() && (std::isalnum(static_cast<unsigned char>(v[i])) || v[i] == '_' || v[i] == '-' || v[i] == '.' ||
                          static_cast<unsigned char>(v[i]) >= 0x80))
    ++i;
  if (i == start || i >= v.size() || v[i] != ':') return {};
  return std::string(v.substr(start, i - start));
}
std::string name_prefix(std::string_view qname) {
  const size_t c = qname.find(':');
  return c == std::string_view::npos ? std::string() : std::string(qname.substr(0, c));
}

// The namespace declarations in scope at an element: each prefix once, as its nearest
// declaration (the element's own first) makes it; `order` is the order inherited declarations
// are written in (nearest element first, document order within one). A hash index once there
// are more than a few, so that a lookup never walks them all.
class InScope {
 public:
  struct Decl {
    std::string_view prefix, uri;
    uint32_t order;
  };
  InScope(const XmlDocument& doc, int32_t elem) {
    for (int32_t p = elem; p >= 0; p = doc.node(p).parent)
      for (const auto& [prefix, uri] : doc.node(p).ns_decls)
        if (find(prefix) == nullptr) add(prefix, uri);
  }
  const Decl* find(std::string_view prefix) const {
    if (!index_.empty()) {
      const auto it = index_.find(prefix);
      return it == index_.end() ? nullptr : &decls_[it->second];
    }
    for (const Decl& d : decls_)
      if (d.prefix == prefix) return &d;
    return nullptr;
  }

 private:
  static constexpr size_t kSmall = 16;
  void add(std::string_view prefix, std::string_view uri) {
    const auto k = static_cast<uint32_t>(decls_.size());
    decls_.push_back({prefix, uri, k});
    if (!index_.empty()) {
      index_.emplace(prefix, k);
    } else if (decls_.size() > kSmall) {
      for (uint32_t x = 0; x < decls_.size(); ++x) index_.emplace(decls_[x].prefix, x);
    }
  }
  std::vector<Decl> decls_;
  std::unordered_map<std::string_view, uint32_t> index_;
};

// The declarations a top-level fragment element needs from `scope` (in scope at its parent): it
// declares `own` itself and its subtree uses `names` / `values` prefixes it does not declare.
// Only what the fragment uses, so that capturing is idempotent: capture(embed(capture(x))) ==
// capture(x) whatever the embedding document declares. Linear in own + names + values, never in
// the declarations in scope (100,000 children of a Content under 256 declarations).
std::string needed_declarations(const InScope& scope, const std::vector<std::string>& own,
                                const std::vector<std::string>& names, const std::vector<std::string>& values) {
  std::vector<std::string_view> own_sorted;
  if (own.size() > 8) {
    own_sorted.assign(own.begin(), own.end());
    std::sort(own_sorted.begin(), own_sorted.end());
  }
  auto is_own = [&](std::string_view p) {
    if (own.size() > 8) return std::binary_search(own_sorted.begin(), own_sorted.end(), p);
    for (const auto& o : own)
      if (o == p) return true;
    return false;
  };
  std::vector<const InScope::Decl*> picked;
  auto consider = [&](std::string_view p, bool in_names) {
    if (p == "xml") return;
    const InScope::Decl* d = scope.find(p);
    if (d == nullptr || is_own(p)) return;
    if (p.empty()) {
      if (d->uri.empty()) return;  // the default namespace matters to unprefixed names
    } else if (!in_names) {
      // A prefix used only inside a value (xsi:type="p:T") is needed too, except a TAXII message
      // namespace: a fragment's values never name TAXII types, and skipping it keeps the
      // binding's own root prefix from creeping into captured content.
      if (d->uri == urn::kNsXml11 || d->uri == urn::kNsXml10) return;
    }
    picked.push_back(d);
  };
  consider("", true);
  for (const auto& n : names) consider(n, true);
  for (const auto& v : values) consider(v, false);
  std::sort(picked.begin(), picked.end(), [](const auto* a, const auto* b) { return a->order < b->order; });
  picked.erase(std::unique(picked.begin(), picked.end()), picked.end());
  std::string out;
  for (const InScope::Decl* d : picked) {
    out += d->prefix.empty() ? " xmlns=\"" : " xmlns:" + std::string(d->prefix) + "=\"";
    xml_escape_append(out, d->uri, true);
    out += '"';
  }
  return out;
}

// Prefixes used by element/attribute names, and at the start of QName-like values (attribute
// values and texts), in the subtree of an element, that the subtree does not declare at or above
// the use and `scope` (in scope at its parent) does: only those can be needed; each once. One
// walk, the fragment's own declarations kept as counts while in scope.
class PrefixCollector {
 public:
  PrefixCollector(const XmlDocument& doc, const InScope& scope) : doc_(doc), scope_(scope) {}
  void walk(int32_t elem) {
    const XmlNode& e = doc_.node(elem);
    for (const auto& d : e.ns_decls) ++declared_[d.first];
    add(names_, name_prefix(e.qname));
    for (const auto& a : e.attrs) {
      add(names_, name_prefix(a.qname));
      add(values_, qname_prefix(a.value));
    }
    for (int32_t c : e.children) {
      const XmlNode& n = doc_.node(c);
      if (n.kind == XmlNode::Kind::Element) walk(c);
      else if (n.kind == XmlNode::Kind::Text) add(values_, qname_prefix(n.text));
    }
    for (const auto& d : e.ns_decls)
      if (const auto it = declared_.find(d.first); it != declared_.end() && --it->second == 0) declared_.erase(it);
  }
  std::vector<std::string> names() const { return {names_.begin(), names_.end()}; }
  std::vector<std::string> values() const { return {values_.begin(), values_.end()}; }

 private:
  void add(std::unordered_set<std::string>& to, std::string p) {
    // "" (no prefix) never decides anything; the default namespace is always considered.
    if (p.empty() || declared_.count(p) != 0 || scope_.find(p) == nullptr) return;
    to.insert(std::move(p));
  }
  const XmlDocument& doc_;
  const InScope& scope_;
  std::unordered_map<std::string_view, uint32_t> declared_;
  std::unordered_set<std::string> names_, values_;
};

// The declarations a top-level fragment element `elem` needs from `scope` (in scope at its parent).
std::string inherited_declarations(const XmlDocument& doc, const InScope& scope, int32_t elem) {
  PrefixCollector c(doc, scope);
  c.walk(elem);
  std::vector<std::string> own;
  for (const auto& d : doc.node(elem).ns_decls) own.push_back(d.first);
  return needed_declarations(scope, own, c.names(), c.values());
}
std::string inherited_declarations(const XmlDocument& doc, int32_t elem) {
  return inherited_declarations(doc, InScope(doc, doc.node(elem).parent), elem);
}
}  // namespace

void XmlDocument::write_node(std::string& out, int32_t n) const {
  const XmlNode& x = node(n);
  switch (x.kind) {
    case XmlNode::Kind::Text: write_text(out, x.text); break;
    case XmlNode::Kind::Comment: out += "<!--"; out += x.text; out += "-->"; break;
    case XmlNode::Kind::PI:
      out += "<?"; out += x.text;
      if (!x.data.empty()) { out += ' '; out += x.data; }
      out += "?>";
      break;
    case XmlNode::Kind::Element: write_element(out, n, false); break;
  }
}

// Written straight into `out` (each subtree once, not once per ancestor).
void XmlDocument::write_element(std::string& out, int32_t elem, bool top) const {
  const XmlNode& e = node(elem);
  out += '<';
  out += e.qname;
  if (top) out += inherited_declarations(*this, elem);
  for (const auto& [prefix, uri] : e.ns_decls) {
    out += prefix.empty() ? " xmlns=\"" : " xmlns:" + prefix + "=\"";
    xml_escape_append(out, uri, true);
    out += '"';
  }
  for (const auto& a : e.attrs) {
    out += ' ';
    out += a.qname;
    out += "=\"";
    xml_escape_append(out, a.value, true);
    out += '"';
  }
  out += '>';
  const size_t content = out.size();
  for (int32_t c : e.children) write_node(out, c);
  if (out.size() == content) {
    out.back() = '/';
    out += '>';
    return;
  }
  out += "</";
  out += e.qname;
  out += '>';
}

uint64_t XmlDocument::start_tag_begin(int32_t elem) const {
  // No '<' can occur inside a start tag (attribute values may not contain it).
  const size_t lt = source.rfind('<', node(elem).inner_begin - 1);
  return lt == std::string_view::npos ? 0 : lt;
}

std::string XmlDocument::inner_xml(int32_t elem) const {
  const XmlNode& e = node(elem);
  const InScope scope(*this, elem);  // what the top-level elements inherit
  if (e.fragment >= 0) {
    // A skipped payload: the same splice, from what the scanner recorded.
    const SkippedPayload& f = fragments[static_cast<size_t>(e.fragment)];
    std::string out;
    out.reserve(f.end - f.begin + 64);
    uint64_t pos = f.begin;
    for (const FragmentTop& t : f.tops) {
      const std::string decls = needed_declarations(scope, t.own_decls, t.name_prefixes, t.value_prefixes);
      if (decls.empty()) continue;
      const uint64_t name_end = t.lt + 1 + t.qname_len;
      out.append(source.substr(pos, name_end - pos));
      out += decls;
      pos = name_end;
    }
    out.append(source.substr(pos, f.end - pos));
    return out;
  }
  if (!source.empty() && e.inner_end >= e.inner_begin && e.inner_end <= source.size()) {
    // The sender's own bytes, with the declarations top-level elements inherit spliced in
    // right after their names.
    std::string out;
    out.reserve(e.inner_end - e.inner_begin + 64);
    uint64_t pos = e.inner_begin;
    for (int32_t c : e.children) {
      if (node(c).kind != XmlNode::Kind::Element) continue;
      const std::string decls = inherited_declarations(*this, scope, c);
      if (decls.empty()) continue;
      const uint64_t name_end = start_tag_begin(c) + 1 + node(c).qname.size();
      out.append(source.substr(pos, name_end - pos));
      out += decls;
      pos = name_end;
    }
    out.append(source.substr(pos, e.inner_end - pos));
    return out;
  }
  std::string out;
  for (int32_t c : node(elem).children) {
    if (node(c).kind == XmlNode::Kind::Element) write_element(out, c, true);
    else write_node(out, c);
  }
  return out;
}

std::string XmlDocument::outer_xml(int32_t elem) const {
  const XmlNode& e = node(elem);
  if (!source.empty() && e.inner_end >= e.inner_begin && e.inner_end <= source.size()) {
    const uint64_t begin = start_tag_begin(elem);
    const uint64_t name_end = begin + 1 + e.qname.size();
    const bool self_closing = e.inner_begin >= 2 && source.substr(e.inner_begin - 2, 2) == "/>";
    const size_t close = self_closing ? e.inner_begin : source.find('>', e.inner_end) + 1;
    std::string out(source.substr(begin, name_end - begin));
    out += inherited_declarations(*this, elem);
    out.append(source.substr(name_end, close - name_end));
    return out;
  }
  std::string out;
  write_element(out, elem, true);
  return out;
}

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
  bool utf8 = false;
  if (auto s = precheck(body, limits, &utf8); !s.ok()) return s.error();
  if (auto s = scan_markup_limits(body, limits); !s.ok()) return s.error();
  XmlDocument doc;
  if (utf8) doc.source = body;
  doc.nodes.reserve(64);
  auto st = thread_parser().run(body, limits, &doc);
  if (!st.ok()) return st.error();
  return doc;
}

Result<XmlDocument> parse_untyped(std::string_view body, const ParseLimits& limits) {
  bool utf8 = false;
  if (auto s = precheck(body, limits, &utf8); !s.ok()) return s.error();
  if (auto s = scan_markup_limits(body, limits); !s.ok()) return s.error();
  XmlDocument doc;
  if (utf8) doc.source = body;
  doc.nodes.reserve(64);
  auto st = thread_parser(false).run(body, limits, &doc);
  if (!st.ok()) return st.error();
  return doc;
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

void preload_grammars() { grammar_pool(); }

bool valid_any_uri(std::string_view value) {
  grammar_pool();  // Xerces initialized
  // The attribute value as the validator would see it: anyURI collapses whitespace, and the
  // answer writes the value unchanged, so leading, trailing or repeated blanks are refused
  // rather than normalized.
  for (size_t i = 0; i < value.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(value[i]);
    if (c < 0x20 || c > 0x7e) return false;
  }
  if (value.find(' ') != std::string_view::npos) return false;
  const std::u16string text = to_xmlch(value);
  try {
    xc::AnyURIDatatypeValidator validator;
    validator.validate(reinterpret_cast<const XMLCh*>(text.c_str()), nullptr);
  } catch (const xc::XMLException&) {
    return false;
  } catch (...) {
    return false;
  }
  return true;
}

}  // namespace taxii::xml
