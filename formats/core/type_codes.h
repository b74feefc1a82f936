// Document type codes (BT-3, UNTDID 1001) as the readers use them. Pure function; thread-safe.
#pragma once

#include <string_view>

namespace gw {

// True for the UNTDID 1001 codes that EN16931 treats as credit notes (81, 83, 261, 262, 296, 308,
// 381, 396, 420, 458, 532): a reader of a syntax with one root for both kinds (CII, the national
// formats) gives such a document the kind kCreditNote.
bool IsCreditNoteKindCode(std::string_view code);

}  // namespace gw
