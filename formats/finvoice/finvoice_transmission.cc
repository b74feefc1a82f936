#include "formats/finvoice/finvoice_transmission.h"

#include "formats/finvoice/finvoice_values.h"

namespace gw::formats::finvoice {
namespace {

using internal::CharCount;

// One routing key: the Transmission field it sets, the Finvoice element it fills, its length
// limits (the schema's types), and whether MessageTransmissionDetails requires it.
struct Key {
  const char* name;
  std::string Transmission::*field;
  const char* element;
  size_t min_chars;
  size_t max_chars;
  bool required;
};

const Key kKeys[] = {
    {"sender_address", &Transmission::sender_address, "MessageSenderDetails/FromIdentifier", 2, 35,
     true},
    {"sender_address_scheme", &Transmission::sender_address_scheme,
     "MessageSenderDetails/FromIdentifier/@SchemeID", 1, 10, false},
    {"sender_intermediator", &Transmission::sender_intermediator,
     "MessageSenderDetails/FromIntermediator", 2, 35, true},
    {"receiver_address", &Transmission::receiver_address, "MessageReceiverDetails/ToIdentifier", 2,
     35, true},
    {"receiver_address_scheme", &Transmission::receiver_address_scheme,
     "MessageReceiverDetails/ToIdentifier/@SchemeID", 1, 10, false},
    {"receiver_intermediator", &Transmission::receiver_intermediator,
     "MessageReceiverDetails/ToIntermediator", 2, 35, true},
    {"message_id", &Transmission::message_id, "MessageDetails/MessageIdentifier", 2, 48, true},
    {"timestamp", &Transmission::timestamp, "MessageDetails/MessageTimeStamp", 1, 64, true},
    {"ref_to_message_id", &Transmission::ref_to_message_id, "MessageDetails/RefToMessageIdentifier",
     0, 48, false},
};

// What to do about a missing required key, by key.
std::string HowToFix(std::string_view key) {
  if (key == "sender_address") {
    return "give the sender's e-invoice address (e.g. its OVT code 0037...), or the seller's "
           "electronic address (BT-34) in the invoice";
  }
  if (key == "receiver_address") {
    return "give the receiver's e-invoice address (e.g. its OVT code 0037... or, in the bank "
           "channel, its IBAN), or the buyer's electronic address (BT-49) in the invoice";
  }
  if (key == "sender_intermediator")
    return "give the sender's e-invoice operator id (its OVT code) or bank BIC";
  if (key == "receiver_intermediator")
    return "give the receiver's e-invoice operator id (its OVT code) or bank BIC";
  if (key == "message_id")
    return "give a message identifier of 2 to 48 characters, unique for the sender";
  return "give the time the message is sent as an xs:dateTime, e.g. 2026-11-27T10:00:00+02:00";
}

Finding RoutingFinding(std::string_view key, std::string message) {
  return Finding{"finvoice.routing", Finding::Severity::kFatal, "/routing/" + std::string(key),
                 std::move(message)};
}

}  // namespace

const std::vector<std::string>& RoutingKeys() {
  static const std::vector<std::string> keys = [] {
    std::vector<std::string> out;
    for (const Key& k : kKeys) out.emplace_back(k.name);
    return out;
  }();
  return keys;
}

namespace internal {

std::vector<Finding> TransmissionFindings(const Transmission& t) {
  std::vector<Finding> findings;
  for (const Key& k : kKeys) {
    const std::string& value = t.*k.field;
    const std::string quoted = "routing key '" + std::string(k.name) + "' (" + k.element + ")";
    if (value.empty()) {
      if (k.required)
        findings.push_back(RoutingFinding(k.name, quoted + " is missing: " + HowToFix(k.name)));
      continue;
    }
    size_t n = CharCount(value);
    if (n < k.min_chars || n > k.max_chars) {
      findings.push_back(RoutingFinding(
          k.name, quoted + " is '" + FirstChars(value, 60) + "', " + std::to_string(n) +
                      " characters; Finvoice allows " + std::to_string(k.min_chars) + " to " +
                      std::to_string(k.max_chars)));
      continue;
    }
    if ((k.field == &Transmission::sender_address_scheme ||
         k.field == &Transmission::receiver_address_scheme) &&
        !IsNameChars(value)) {
      findings.push_back(RoutingFinding(
          k.name,
          quoted + " is '" + value + "'; a scheme is a code of letters and digits, such as 0037"));
    }
    if (k.field == &Transmission::timestamp && !IsDateTime(value)) {
      findings.push_back(RoutingFinding(
          k.name, quoted + " is '" + FirstChars(value, 60) +
                      "', not an xs:dateTime: write e.g. 2026-11-27T10:00:00+02:00"));
    }
  }
  return findings;
}

}  // namespace internal

Result<Transmission> TransmissionFromRouting(
    const std::map<std::string, std::string, std::less<>>& routing, const model::Invoice& invoice) {
  std::vector<Finding> findings;
  Transmission t;
  for (const auto& [key, value] : routing) {
    const Key* known = nullptr;
    for (const Key& k : kKeys) {
      if (key == k.name) known = &k;
    }
    if (known == nullptr) {
      std::string list;
      for (const Key& k : kKeys) list += std::string(list.empty() ? "" : ", ") + k.name;
      findings.push_back(RoutingFinding(
          key, "unknown routing key '" + key + "'; the Finvoice routing keys are " + list));
      continue;
    }
    t.*known->field = value;
  }
  // The invoice's electronic addresses (BT-34, BT-49) stand in for addresses the routing omits.
  auto fill = [](std::string& address, std::string& scheme, const ParticipantId& from_invoice) {
    if (from_invoice.empty()) return;
    if (address.empty()) {
      address = from_invoice.value();
      if (scheme.empty()) scheme = from_invoice.scheme();
    } else if (scheme.empty() && address == from_invoice.value()) {
      scheme = from_invoice.scheme();
    }
  };
  fill(t.sender_address, t.sender_address_scheme, invoice.seller.electronic_address);
  fill(t.receiver_address, t.receiver_address_scheme, invoice.buyer.electronic_address);
  if (t.message_id.empty() && CharCount(invoice.number) >= 2 && CharCount(invoice.number) <= 48) {
    t.message_id = invoice.number;
  }
  for (Finding& f : internal::TransmissionFindings(t)) findings.push_back(std::move(f));
  if (!findings.empty()) {
    const size_t n = findings.size();  // before the move: argument order is unspecified
    return Error::InvalidInput("the Finvoice routing is incomplete or invalid (" + std::to_string(n) +
                                   (n == 1 ? " problem)" : " problems)"),
                               std::move(findings));
  }
  return t;
}

}  // namespace gw::formats::finvoice
