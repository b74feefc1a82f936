// The messages of the finvoice-soap protocol: the SOAP 1.1 / ebXML Message Service 2.0 frame the
// Finnish bank channel puts in front of a Finvoice document, and the reading of the operator's
// answer (ebXML acknowledgement, SOAP fault, ebXML error list). Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "formats/core/result.h"

namespace gw::operators::finvoice_soap {

inline constexpr std::string_view kSoap11Ns = "http://schemas.xmlsoap.org/soap/envelope/";
inline constexpr std::string_view kSoap12Ns = "http://www.w3.org/2003/05/soap-envelope";
inline constexpr std::string_view kEbXmlNs =
    "http://www.oasis-open.org/committees/ebxml-msg/schema/msg-header-2_0.xsd";
// The agreement id of the Finvoice forwarding service's frames (all published samples).
inline constexpr std::string_view kDefaultCpaId = "yoursandmycpa";

// The routing of one message, as the frame's eb:MessageHeader carries it.
struct Frame {
  std::string sender;                  // eb:From Role Sender: the sender's e-invoice address
  std::string sender_intermediator;    // eb:From Role Intermediator: the sender's operator or BIC
  std::string receiver;                // eb:To Role Receiver: the recipient's e-invoice address
  std::string receiver_intermediator;  // eb:To Role Intermediator: the recipient's operator
  std::string cpa_id;                  // eb:CPAId
  std::string message_id;              // eb:MessageData/MessageId and the Manifest's xlink:href
  std::string timestamp;               // eb:MessageData/Timestamp, an xs:dateTime
};

// The frame for `frame`, as the Finvoice samples have it: SOAP-ENV:Envelope with
// Header/eb:MessageHeader (mustUnderstand="1", version 2.0: From Sender and Intermediator, To
// Receiver and Intermediator, CPAId, Service Routing, Action ProcessInvoice, MessageData) and
// Body/eb:Manifest/eb:Reference to the message id. No XML declaration, ASCII only, ending with a
// line break: the Finvoice document (with its own declaration) follows it directly.
// kInvalidArgument naming the field when a value is empty or not printable ASCII (the frame is
// sent in whatever charset the document declares, so only ASCII is safe in it).
Result<std::string> WriteFrame(const Frame& frame);

// The charset to declare in Content-Type for `document`: the encoding its XML declaration names,
// as written ("ISO-8859-15"), or "UTF-8" when there is no declaration or it names none (XML 1.0
// section 4.3.3). kInvalidArgument when the declaration is malformed or names an encoding that
// the ASCII frame cannot precede in one body (UTF-16, UTF-32, EBCDIC).
Result<std::string> DeclaredCharset(std::string_view document);

// What the operator answered, read from the answer's body.
struct Answer {
  enum class Kind {
    kAcknowledgment,  // an ebXML acknowledgement; `ref_to_message_id` is what it acknowledges
    kFault,           // a SOAP 1.1 or 1.2 Fault; `text` holds its code and string
    kErrorList,  // an eb:ErrorList with at least one error of severity Error; `text` lists them
    kOther,      // anything else; `text` says what it is and why it is not an acknowledgement
  };
  Kind kind = Kind::kOther;
  std::string ref_to_message_id;  // kAcknowledgment
  std::string message_id;         // the answer's own eb:MessageId, when it has one
  bool server_fault = false;      // kFault: faultcode Server (1.1) or Receiver (1.2): may pass
  std::string text;               // at most about 1000 characters, control characters as spaces
};

// Reads an answer with the hardened parser (formats/xml: no DTD, no entities, bounded sizes).
// An acknowledgement is an envelope whose eb:MessageHeader has Action "Acknowledgment" (its
// MessageData/RefToMessageId) and/or that has an eb:Acknowledgment header block (its
// RefToMessageId), ebMS 2.0 section 6.3.2; when both are present they must agree. A fault or an
// error list wins over an acknowledgement in the same answer. Never fails: what cannot be read is
// kOther with the reason.
Answer ReadAnswer(std::string_view body);

}  // namespace gw::operators::finvoice_soap
