// Files <-> Content_Block content, chosen so that `taxii push` followed by
// `taxii poll --output-dir` gives the pushed files back byte for byte (docs/cli.md).
//
// Why it is not simply "XML files go in as markup": the XML declaration never survives (it
// is not allowed inside Content), a BOM or another encoding cannot be carried, and a
// fragment may gain namespace declarations it inherits. taxii's binding keeps markup as
// the sender's bytes otherwise; text content is carried exactly.
//
// ContentForm::Auto (the default) therefore sends a file as markup when that is lossless:
//   the file is exactly the standard declaration `<?xml version="1.0" encoding="UTF-8"?>` +
//   "\n" + markup that comes out of an XML parse unchanged (checked by parsing it here,
//   with the same binding the server uses); the markup goes into Content without the
//   declaration, and the writer puts the same declaration back.
// Every other file goes as text, verbatim (declaration, BOM and all), and comes back as
// the same text. Xml forces markup (BOM, declaration and the whitespace after it stripped;
// fails if the file is not well-formed), Text forces text.
//
// Only UTF-8 can be carried (TAXII messages are UTF-8 here): files declaring another
// encoding, invalid UTF-8 and characters XML 1.0 forbids (NUL, most C0 controls) are
// refused with a Local error naming the byte offset — binary content must be encoded first.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/message.hpp"
#include "core/result.hpp"

namespace taxii::client {

inline constexpr std::string_view kXmlDeclaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

enum class ContentForm { Auto, Xml, Text };

struct PreparedContent {
  Mixed content;
  bool as_xml = false;
  std::string note;  // why Auto chose text, for -v
};

Result<PreparedContent> prepare_content(std::string_view file_bytes, ContentForm form, Version version);

// The bytes `--output-dir` writes for a block: markup with kXmlDeclaration before it; text
// unescaped.
std::string file_bytes(const Mixed& content);
// The bytes printed on stdout: markup as is, text unescaped.
std::string stream_bytes(const Mixed& content);
// ".xml" for markup and for text that starts with '<' (after a BOM and whitespace), else ".txt".
std::string_view file_extension(const Mixed& content);

// Offset and reason of the first byte sequence that is not UTF-8 or not an XML 1.0
// character; empty if the text is fine.
std::string find_bad_character(std::string_view s);

}  // namespace taxii::client
