// The routing data of a Finvoice message: what MessageTransmissionDetails and the SOAP/ebXML
// frame carry (sender and receiver e-invoice addresses and their operators, message identity),
// which are not business terms of the invoice. Plain data and pure functions; thread-safe.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "formats/core/result.h"
#include "formats/model/invoice.h"

namespace gw::formats::finvoice {

struct Transmission {
  std::string
      sender_address;  // MessageSenderDetails/FromIdentifier: the sender's e-invoice address
                       // (an OVT code such as 003712345678, or an IBAN in the bank channel)
  std::string sender_address_scheme;    // FromIdentifier/@SchemeID, "" when none
  std::string sender_intermediator;     // FromIntermediator: the sender's operator id or bank BIC
  std::string receiver_address;         // MessageReceiverDetails/ToIdentifier
  std::string receiver_address_scheme;  // ToIdentifier/@SchemeID, "" when none
  std::string receiver_intermediator;   // ToIntermediator
  std::string message_id;               // MessageDetails/MessageIdentifier
  std::string timestamp;          // MessageDetails/MessageTimeStamp, an xs:dateTime as written
                                  // (e.g. 2026-11-27T10:00:00+02:00)
  std::string ref_to_message_id;  // MessageDetails/RefToMessageIdentifier, optional
  std::string cpa_id = "yoursandmycpa";  // the frame's eb:CPAId (the forwarding service's agreement id)
};

// The SOAP 1.1 / ebXML 2.0 transmission frame for `t`, as the Finvoice forwarding service's
// samples write it: no XML declaration, ASCII only (other characters as character references),
// ending with a line break, to be followed directly by the Finvoice document (finvoice_envelope.cc).
Result<std::string> WriteTransmissionFrame(const Transmission& t);

// The routing keys TransmissionFromRouting accepts, in the order of the fields above.
const std::vector<std::string>& RoutingKeys();

// Builds the Transmission of `invoice` from `routing` (keys as RoutingKeys(): sender_address,
// sender_address_scheme, sender_intermediator, receiver_address, receiver_address_scheme,
// receiver_intermediator, message_id, timestamp, ref_to_message_id). What the routing leaves out
// is taken from the invoice where it has it:
//  - sender_address and its scheme: the seller's electronic address (BT-34); receiver_address and
//    its scheme: the buyer's (BT-49). A routing address without a scheme that equals the invoice's
//    address takes the invoice's scheme.
//  - message_id: the invoice number (BT-1), unique per seller by its EN16931 definition, so that a
//    message and its invoice share their identity (as the Finvoice samples do); give another one to
//    send the same invoice again as a new message.
// The operators (sender_intermediator, receiver_intermediator) and the timestamp are required:
// nothing in an invoice says which operators carry it, and a message time taken from a clock would
// make the output depend on when it was written (give the time of the submission instead).
// Errors, kInvalidArgument with one "finvoice.routing" finding per problem, all of them: an
// unknown key (naming it and the known keys), a missing required key (naming the key and the
// Finvoice element it fills), a value the schema does not allow (length, characters, an
// xs:dateTime timestamp). `invoice` is only read during the call.
Result<Transmission> TransmissionFromRouting(
    const std::map<std::string, std::string, std::less<>>& routing, const model::Invoice& invoice);

namespace internal {

// The problems that keep `t` from being written as MessageTransmissionDetails (a mandatory field
// missing, a value too long or too short, a timestamp that is not an xs:dateTime), each a
// "finvoice.routing" finding located at the routing key.
std::vector<Finding> TransmissionFindings(const Transmission& t);

}  // namespace internal
}  // namespace gw::formats::finvoice
