// The FINVOICE-* rules (see finvoice_rules.h): the calculation rules of the Finvoice
// implementation guidelines ("Invoice calculation rules") and EN16931's BR-CO-10..16 in Finvoice
// terms, the payment reference checks of the Finnish banks' reference standard and ISO 11649, and
// the routing MessageTransmissionDetails must carry.
#include "formats/finvoice/finvoice_rules.h"

#include <algorithm>
#include <optional>
#include <tuple>

#include "formats/core/payment_reference.h"
#include "formats/finvoice/finvoice_encoding.h"
#include "formats/finvoice/finvoice_envelope.h"
#include "formats/finvoice/finvoice_read_context.h"
#include "formats/finvoice/finvoice_values.h"

namespace gw::formats::finvoice {
namespace {

using internal::kNoNode;
using internal::NameId;
using internal::NodeId;

std::string Comma(const Decimal& d) {
  std::string s = d.ToString();
  std::replace(s.begin(), s.end(), '.', ',');
  return s;
}

// -?[0-9]{1,15}(,[0-9]{2,5})? (monetaryAmount), or with exactly 2 decimals (epiMonetaryAmount).
bool IsFinvoiceAmount(std::string_view text, bool epi) {
  size_t i = !text.empty() && text[0] == '-' ? 1 : 0;
  size_t digits = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i, ++digits;
  if (digits < 1 || digits > 15) return false;
  if (i == text.size()) return !epi;
  if (text[i] != ',') return false;
  size_t decimals = text.size() - i - 1;
  for (size_t k = i + 1; k < text.size(); ++k) {
    if (text[k] < '0' || text[k] > '9') return false;
  }
  return epi ? decimals == 2 : decimals >= 2 && decimals <= 5;
}

class RuleChecker {
 public:
  RuleChecker(const xml::Document& doc, const std::optional<Transmission>& frame)
      : doc_(doc), in_(doc, nullptr), n_(internal::N()), frame_(frame) {}

  std::vector<Finding> Run() {
    root_ = doc_.document_element();
    details_ = in_.Child(root_, n_.InvoiceDetails);
    if (in_.Attribute(root_, n_.Version) != "3.0") {
      Fatal("FINVOICE-VERSION", root_,
            "the document is Finvoice version '" + in_.Attribute(root_, n_.Version) +
                "'; these rules are Finvoice 3.0's: write <Finvoice Version=\"3.0\">");
    }
    CheckTransmission();
    currency_ = in_.Attribute(in_.Child(details_, n_.InvoiceTotalVatIncludedAmount),
                              n_.AmountCurrencyIdentifier);
    for (NodeId id = 1; id < doc_.size(); ++id) {
      if (doc_.node(id).kind == xml::NodeKind::kElement) Values(id);
    }
    Sums();
    Reference();
    DueDate();
    std::stable_sort(findings_.begin(), findings_.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<Finding> out;
    for (auto& [node, f] : findings_) out.push_back(std::move(f));
    return out;
  }

 private:
  void Add(const char* rule, Finding::Severity severity, NodeId node, std::string message) {
    findings_.emplace_back(node, Finding{rule, severity, in_.Path(node), std::move(message)});
  }
  void Fatal(const char* rule, NodeId node, std::string message) {
    Add(rule, Finding::Severity::kFatal, node, std::move(message));
  }
  void Warning(const char* rule, NodeId node, std::string message) {
    Add(rule, Finding::Severity::kWarning, node, std::move(message));
  }

  void CheckTransmission() {
    NodeId mtd = in_.Child(root_, n_.MessageTransmissionDetails);
    if (mtd == kNoNode && frame_) {
      // The bank channel: the SOAP frame in front carries the routing.
      const auto& f = *frame_;
      const std::pair<const std::string*, const char*> fields[] = {
          {&f.sender_address, "eb:From with eb:Role Sender"},
          {&f.sender_intermediator, "eb:From with eb:Role Intermediator"},
          {&f.receiver_address, "eb:To with eb:Role Receiver"},
          {&f.receiver_intermediator, "eb:To with eb:Role Intermediator"},
          {&f.message_id, "eb:MessageData/eb:MessageId"},
          {&f.timestamp, "eb:MessageData/eb:Timestamp"}};
      for (const auto& [value, what] : fields) {
        if (value->empty()) {
          Fatal("FINVOICE-TRANSMISSION", root_,
                std::string("the SOAP frame in front of the document has no ") + what +
                    " (and the document no MessageTransmissionDetails): the message cannot be "
                    "routed");
        }
      }
      return;
    }
    if (mtd == kNoNode) {
      Fatal("FINVOICE-TRANSMISSION", root_,
            "the document has no MessageTransmissionDetails (and no SOAP frame in front): "
            "operators route a Finvoice message by its sender and receiver addresses and "
            "intermediators; add them");
      return;
    }
    NodeId sender = in_.Child(mtd, n_.MessageSenderDetails);
    NodeId receiver = in_.Child(mtd, n_.MessageReceiverDetails);
    NodeId message = in_.Child(mtd, n_.MessageDetails);
    const std::tuple<NodeId, NameId, const char*> required[] = {
        {sender, n_.FromIdentifier,
         "MessageSenderDetails/FromIdentifier (the sender's e-invoice address)"},
        {sender, n_.FromIntermediator,
         "MessageSenderDetails/FromIntermediator (the sender's operator)"},
        {receiver, n_.ToIdentifier,
         "MessageReceiverDetails/ToIdentifier (the receiver's e-invoice address)"},
        {receiver, n_.ToIntermediator,
         "MessageReceiverDetails/ToIntermediator (the receiver's operator)"},
        {message, n_.MessageIdentifier, "MessageDetails/MessageIdentifier"},
        {message, n_.MessageTimeStamp, "MessageDetails/MessageTimeStamp"}};
    for (const auto& [parent, name, what] : required) {
      NodeId e = in_.Child(parent, name);
      if (in_.Peek(e).empty()) {
        Fatal("FINVOICE-TRANSMISSION",
              e != kNoNode        ? e
              : parent != kNoNode ? parent
                                  : mtd,
              std::string("MessageTransmissionDetails has no ") + what +
                  ": the message cannot be routed");
      }
    }
    NodeId stamp = in_.Child(message, n_.MessageTimeStamp);
    std::string time = in_.Peek(stamp);
    if (!time.empty() && !internal::IsDateTime(time)) {
      Fatal("FINVOICE-TRANSMISSION", stamp,
            "MessageTimeStamp '" + time +
                "' is not an xs:dateTime; write e.g. 2026-11-27T10:00:00+02:00");
    }
  }

  // The date and amount rules, on one element.
  void Values(NodeId e) {
    const xml::Node& node = doc_.node(e);
    NodeId format = doc_.Attribute(e, n_.Format);
    std::string_view local = doc_.local_name(e);
    bool leaf = true;
    for (NodeId c = node.first_child; c != kNoNode; c = doc_.node(c).next_sibling) {
      leaf = leaf && doc_.node(c).kind != xml::NodeKind::kElement;
    }
    bool date = format != kNoNode ||
                (leaf && local.size() >= 4 && local.substr(local.size() - 4) == "Date" &&
                 doc_.node(e).parent != kNoNode);
    if (date && node.name != n_.MessageTimeStamp) {
      std::string text = in_.Peek(e);
      if (format == kNoNode || doc_.node(format).value != "CCYYMMDD") {
        Fatal("FINVOICE-DATE", e,
              std::string(local) + " has " +
                  (format == kNoNode ? std::string("no Format")
                                     : "Format='" + std::string(doc_.node(format).value) + "'") +
                  "; Finvoice dates are written CCYYMMDD with Format=\"CCYYMMDD\"");
      } else if (auto parsed = internal::ParseDate(text); !parsed) {
        Fatal("FINVOICE-DATE", e, std::string(local) + ": " + parsed.error().message());
      }
    }
    NodeId currency = doc_.Attribute(e, n_.AmountCurrencyIdentifier);
    if (currency == kNoNode) return;
    std::string text = in_.Peek(e);
    bool epi = node.name == n_.EpiInstructedAmount;
    if (!IsFinvoiceAmount(text, epi)) {
      Fatal("FINVOICE-AMOUNT", e,
            std::string(local) + " '" + internal::FirstChars(text, 40) +
                "' is not a Finvoice amount: write " +
                (epi ? "digits, a decimal comma and exactly 2 decimals (e.g. 1116,00)"
                     : "digits with an optional minus sign, and a decimal comma with 2 to 5 "
                       "decimals (e.g. 1116,00)"));
    }
    std::string_view code = doc_.node(currency).value;
    if (!currency_.empty() && code != currency_ &&
        node.name != n_.InvoiceTotalVatAccountingAmount) {
      Fatal("FINVOICE-CURRENCY", e,
            std::string(local) + " is in " + std::string(code) +
                ", the invoice (InvoiceTotalVatIncludedAmount) in " + currency_ +
                ": every amount but InvoiceTotalVatAccountingAmount is in the invoice currency");
    }
  }

  // The amount of `e`, or nullopt when it is absent or unreadable (already reported).
  std::optional<Decimal> AmountOf(NodeId e) const {
    if (e == kNoNode) return std::nullopt;
    auto value = internal::ParseNumber(in_.Peek(e));
    if (!value) return std::nullopt;
    return *value;
  }
  std::optional<Decimal> AmountOf(NodeId parent, NameId name) const {
    return AmountOf(in_.Child(parent, name));
  }

  // Sums `name` of every child `holder` of `parent`; nullopt when one of them is unreadable.
  std::optional<Decimal> SumOf(NodeId parent, NameId holder, NameId name, bool* any) const {
    Decimal sum;
    bool ok = true;
    *any = false;
    in_.ForEach(parent, holder, [&](NodeId h) {
      NodeId e = in_.Child(h, name);
      if (e == kNoNode) return;
      *any = true;
      auto v = AmountOf(e);
      if (v) sum += *v;
      ok = ok && v.has_value();
    });
    if (!ok) return std::nullopt;
    return sum;
  }

  void Compare(const char* rule, NodeId at, const std::optional<Decimal>& stated,
               const std::optional<Decimal>& expected, const std::string& how) {
    if (!stated || !expected || *stated == *expected) return;
    Fatal(rule, at,
          std::string(doc_.local_name(at)) + " is " + Comma(*stated) + ", but " + how + " is " +
              Comma(*expected) + ": correct the total or the amounts it is made of");
  }

  void Sums() {
    const NodeId d = details_;
    bool any_row = false, any_discount = false, any_charge = false, any_base = false,
         any_vat = false;
    std::optional<Decimal> rows = SumOf(root_, n_.InvoiceRow, n_.RowVatExcludedAmount, &any_row);
    std::optional<Decimal> discounts = SumOf(d, n_.DiscountDetails, n_.Amount, &any_discount);
    std::optional<Decimal> charges = SumOf(d, n_.ChargeDetails, n_.Amount, &any_charge);
    NodeId rows_total = in_.Child(d, n_.RowsTotalVatExcludedAmount);
    NodeId discounts_total = in_.Child(d, n_.DiscountsTotalVatExcludedAmount);
    NodeId charges_total = in_.Child(d, n_.ChargesTotalVatExcludedAmount);
    NodeId excluded = in_.Child(d, n_.InvoiceTotalVatExcludedAmount);
    NodeId vat = in_.Child(d, n_.InvoiceTotalVatAmount);
    NodeId included = in_.Child(d, n_.InvoiceTotalVatIncludedAmount);
    if (any_row) {
      Compare("FINVOICE-ROWS-TOTAL", rows_total, AmountOf(rows_total), rows,
              "the sum of the rows' RowVatExcludedAmount");
    }
    Compare("FINVOICE-DISCOUNTS-TOTAL", discounts_total, AmountOf(discounts_total), discounts,
            "the sum of DiscountDetails/Amount");
    Compare("FINVOICE-CHARGES-TOTAL", charges_total, AmountOf(charges_total), charges,
            "the sum of ChargeDetails/Amount");
    std::optional<Decimal> base = rows_total != kNoNode ? AmountOf(rows_total) : rows;
    std::optional<Decimal> minus =
        discounts_total != kNoNode ? AmountOf(discounts_total) : discounts;
    std::optional<Decimal> plus = charges_total != kNoNode ? AmountOf(charges_total) : charges;
    if (base && minus && plus && (any_row || rows_total != kNoNode)) {
      Compare("FINVOICE-VAT-EXCLUDED", excluded, AmountOf(excluded), *base - *minus + *plus,
              "the rows' total " + Comma(*base) + " - discounts " + Comma(*minus) + " + charges " +
                  Comma(*plus));
    }
    std::optional<Decimal> bases =
        SumOf(d, n_.VatSpecificationDetails, n_.VatBaseAmount, &any_base);
    std::optional<Decimal> taxes = SumOf(d, n_.VatSpecificationDetails, n_.VatRateAmount, &any_vat);
    if (any_base) {
      Compare("FINVOICE-VAT-BASE", excluded, AmountOf(excluded), bases,
              "the sum of VatSpecificationDetails/VatBaseAmount");
    }
    if (any_vat) {
      Compare("FINVOICE-VAT-TOTAL", vat, AmountOf(vat), taxes,
              "the sum of VatSpecificationDetails/VatRateAmount");
    }
    in_.ForEach(d, n_.VatSpecificationDetails, [&](NodeId v) {
      NodeId tax = in_.Child(v, n_.VatRateAmount);
      auto b = AmountOf(v, n_.VatBaseAmount);
      auto rate = AmountOf(v, n_.VatRatePercent);
      auto stated = AmountOf(tax);
      if (!b || !rate || !stated) return;
      Decimal expected = (*b * *rate).DividedBy(Decimal::FromInt(100), 2);
      if (expected != *stated) {
        Warning("FINVOICE-VAT-RATE", tax,
                "VatRateAmount is " + Comma(*stated) + ", but VatBaseAmount " + Comma(*b) + " x " +
                    Comma(*rate) + " % is " + Comma(expected) + " (rounded to cents)");
      }
    });
    auto excluded_value = AmountOf(excluded);
    auto vat_value = AmountOf(vat);
    if (excluded_value && vat_value) {
      Compare("FINVOICE-VAT-INCLUDED", included, AmountOf(included), *excluded_value + *vat_value,
              "InvoiceTotalVatExcludedAmount " + Comma(*excluded_value) +
                  " + InvoiceTotalVatAmount " + Comma(*vat_value));
    }
    NodeId instructed =
        in_.Child(in_.Child(in_.Child(root_, n_.EpiDetails), n_.EpiPaymentInstructionDetails),
                  n_.EpiInstructedAmount);
    auto included_value = AmountOf(included);
    NodeId paid = in_.Child(d, n_.InvoicePaidAmount);
    NodeId roundoff = in_.Child(d, n_.InvoiceTotalRoundoffAmount);
    auto paid_value = paid == kNoNode ? std::optional<Decimal>(Decimal()) : AmountOf(paid);
    auto roundoff_value =
        roundoff == kNoNode ? std::optional<Decimal>(Decimal()) : AmountOf(roundoff);
    if (included_value && paid_value && roundoff_value) {
      Compare("FINVOICE-INSTRUCTED", instructed, AmountOf(instructed),
              *included_value - *paid_value + *roundoff_value,
              "InvoiceTotalVatIncludedAmount " + Comma(*included_value) + " - InvoicePaidAmount " +
                  Comma(*paid_value) + " + InvoiceTotalRoundoffAmount " + Comma(*roundoff_value));
    }
  }

  void Reference() {
    NodeId instruction =
        in_.Child(in_.Child(root_, n_.EpiDetails), n_.EpiPaymentInstructionDetails);
    NodeId reference = in_.Child(instruction, n_.EpiRemittanceInfoIdentifier);
    if (reference == kNoNode) return;
    std::string value = in_.Peek(reference);
    std::string scheme = in_.Attribute(reference, n_.IdentificationSchemeName);
    bool rf = scheme == "ISO" || (scheme.empty() && value.substr(0, 2) == "RF");
    std::optional<std::string> problem =
        rf ? CheckRfReference(value) : internal::CheckPaddedFinnishReference(value);
    if (problem) {
      Fatal("FINVOICE-REFERENCE", reference,
            *problem + (rf ? " (IdentificationSchemeName=\"ISO\": an RF creditor reference)"
                           : " (IdentificationSchemeName=\"SPY\": a Finnish reference number)"));
    }
  }

  void DueDate() {
    NodeId option =
        in_.Child(in_.Child(in_.Child(root_, n_.EpiDetails), n_.EpiPaymentInstructionDetails),
                  n_.EpiDateOptionDate);
    NodeId due = in_.Child(in_.Child(details_, n_.PaymentTermsDetails), n_.InvoiceDueDate);
    std::string a = in_.Peek(option), b = in_.Peek(due);
    if (!a.empty() && !b.empty() && a != b) {
      Warning("FINVOICE-DUE-DATE", option,
              "the payment order's date (EpiDateOptionDate) " + a +
                  " is not the due date (InvoiceDueDate) " + b +
                  " of the payment terms; the buyer's bank proposes the payment for " + a);
    }
  }

  const xml::Document& doc_;
  internal::ReadContext in_;
  const internal::Names& n_;
  const std::optional<Transmission>& frame_;
  NodeId root_ = kNoNode;
  NodeId details_ = kNoNode;
  std::string currency_;
  std::vector<std::pair<NodeId, Finding>> findings_;
};

}  // namespace

std::vector<Finding> CheckRules(std::string_view text) {
  std::optional<Transmission> frame;
  std::string_view document = text;
  size_t first_line = 1;
  if (internal::StartsWithEnvelope(text)) {
    auto framed = internal::SplitEnvelope(text);
    if (!framed) return framed.error().findings();
    auto envelope = internal::ReadEnvelope(framed->envelope);
    if (!envelope) return envelope.error().findings();
    frame = std::move(envelope).value();
    document = framed->document;
    first_line = framed->document_line;
  }
  auto encoding = internal::CheckEncoding(document, first_line);
  if (!encoding) return encoding.error().findings();
  auto doc = xml::Document::Parse(document, {}, internal::FinvoiceNameTable());
  if (!doc) return doc.error().findings();
  const NodeId root = doc->document_element();
  if (doc->node(root).name != internal::N().Finvoice) {
    return {Finding{
        "finvoice.root", Finding::Severity::kFatal, "/" + std::string(doc->local_name(root)),
        "the root element is " + std::string(doc->local_name(root)) + ", not Finvoice"}};
  }
  return RuleChecker(*doc, frame).Run();
}

}  // namespace gw::formats::finvoice
