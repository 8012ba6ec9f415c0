// The locked grammar pool of the embedded schemas (grammar_pool.hpp), and the Xerces datatype
// check valid_any_uri() (xml_document.hpp).
#include "bindings/xml/grammar_pool.hpp"

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <xercesc/framework/MemBufInputSource.hpp>
#include <xercesc/framework/XMLGrammarPoolImpl.hpp>
#include <xercesc/sax/EntityResolver.hpp>
#include <xercesc/sax2/SAX2XMLReader.hpp>
#include <xercesc/sax2/XMLReaderFactory.hpp>
#include <xercesc/util/PlatformUtils.hpp>
#include <xercesc/util/XMLException.hpp>
#include <xercesc/util/XMLNetAccessor.hpp>
#include <xercesc/util/XMLUni.hpp>
#include <xercesc/validators/common/Grammar.hpp>
#include <xercesc/validators/datatype/AnyURIDatatypeValidator.hpp>
#include <xercesc/validators/datatype/DatatypeValidatorFactory.hpp>
#include <xercesc/validators/schema/ComplexTypeInfo.hpp>
#include <xercesc/validators/schema/SchemaElementDecl.hpp>
#include <xercesc/validators/schema/SchemaGrammar.hpp>

#include "bindings/xml/xerces_text.hpp"
#include "bindings/xml/xml_document.hpp"
#include "xsd/embedded.hpp"

namespace taxii::xml {
namespace {

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

}  // namespace

xc::XMLGrammarPool* locked_grammar_pool() {
  static GrammarPool pool;  // thread-safe initialization (C++11 magic statics)
  return pool.get();
}

void preload_grammars() { locked_grammar_pool(); }

bool valid_any_uri(std::string_view value) {
  locked_grammar_pool();  // Xerces initialized
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
