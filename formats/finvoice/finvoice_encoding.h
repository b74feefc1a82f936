// Finvoice character encodings, UTF-8 and ISO-8859-15 (Latin-9; ISO-8859-1 read as its subset):
// checks the bytes against the XML declaration before parsing, and writes Latin-9. Internal to
// formats/finvoice. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "formats/core/result.h"

namespace gw::formats::finvoice::internal {

// The encoding named by the XML declaration at the start of `text` (after an optional UTF-8
// byte order mark), exactly as written; "" when there is no declaration or it names none.
std::string DeclaredEncoding(std::string_view text);

// Checks that the bytes of `text` are valid in the encoding its declaration names (UTF-8 when it
// names none) and returns the encoding's canonical name: "UTF-8", "ISO-8859-15" or "ISO-8859-1".
// kInvalidArgument with one finding, rule "finvoice.encoding", when the declaration names another
// encoding, when a UTF-8 document holds a byte sequence that is not UTF-8 (typically Latin-1
// text), or when a Latin-9 document holds C1 control bytes (0x80-0x9F) or is UTF-8 text under a
// Latin-9 declaration. The message names the encoding, the byte offset and the line, and says
// how to fix it. `first_line` is the line number of text[0] in the file, for messages.
Result<std::string> CheckEncoding(std::string_view text, size_t first_line = 1);

// An XML document written as UTF-8 (its declaration first) re-encoded as ISO-8859-15, with the
// declaration saying so. Characters outside Latin-9 become numeric character references, which is
// safe because the writer puts non-ASCII characters only in text and attribute values.
// kInvalidArgument when `utf8_xml` is not valid UTF-8.
Result<std::string> ToLatin9Document(std::string_view utf8_xml);

// `utf8` with every non-ASCII character as a numeric character reference, for the SOAP frame
// (which has no XML declaration and so must be ASCII whatever the Finvoice part's encoding is).
// kInvalidArgument when `utf8` is not valid UTF-8.
Result<std::string> ToAsciiMarkup(std::string_view utf8);

}  // namespace gw::formats::finvoice::internal
