// The Finvoice forwarding service's transmission frame: a SOAP 1.1 envelope with an ebXML 2.0
// MessageHeader in front of the Finvoice document, in the same file. Internal to formats/finvoice.
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "formats/core/result.h"
#include "formats/finvoice/finvoice_transmission.h"

namespace gw::formats::finvoice::internal {

inline constexpr std::string_view kSoapNs = "http://schemas.xmlsoap.org/soap/envelope/";
inline constexpr std::string_view kEbXmlNs =
    "http://www.oasis-open.org/committees/ebxml-msg/schema/msg-header-2_0.xsd";

// A file cut into its frame and the Finvoice document that follows it.
struct Framed {
  std::string_view envelope;  // from the start of the file to the end of the envelope's end tag
  std::string_view document;  // the rest, from its first non-blank character
  size_t document_line = 1;   // the line of the file on which `document` starts
};

// True when the first element of `text` (past a byte order mark, the XML declaration, comments
// and processing instructions) is a SOAP Envelope (any prefix).
bool StartsWithEnvelope(std::string_view text);

// Cuts `text`, which StartsWithEnvelope, after the envelope's end tag. kInvalidArgument with rule
// "finvoice.envelope" when the end tag is missing or nothing follows it.
Result<Framed> SplitEnvelope(std::string_view text);

// The routing of the frame: eb:From and eb:To PartyIds by role (Sender, Receiver,
// Intermediator), eb:MessageData MessageId, Timestamp and RefToMessageId. Schemes are not part of
// the frame and stay empty. kInvalidArgument with the parser's finding, or with rule
// "finvoice.envelope" when the envelope has no eb:MessageHeader.
Result<Transmission> ReadEnvelope(std::string_view envelope);

// The frame for `t`, as the Finvoice forwarding service's samples write it: no XML declaration,
// ASCII only (other characters as character references), ending with a line break, to be
// followed directly by the Finvoice document.
Result<std::string> WriteEnvelope(const Transmission& t);

}  // namespace gw::formats::finvoice::internal
