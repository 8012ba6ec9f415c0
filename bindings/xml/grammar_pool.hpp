// The grammar pool every validating parser of the process shares: the embedded schemas (xsd/)
// loaded once, with every lazily built part of them built up front, then locked. Internal to
// bindings/xml. The first call initializes Xerces and loads the grammars (~15 ms); later calls
// return the same pool. Thread-safe; the pool is read-only once returned.
#pragma once

#include <xercesc/framework/XMLGrammarPool.hpp>

namespace taxii::xml {

xercesc::XMLGrammarPool* locked_grammar_pool();

}  // namespace taxii::xml
