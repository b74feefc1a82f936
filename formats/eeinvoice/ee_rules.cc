// The Estonian e-invoice rules that the XSD cannot express (see CheckRules in ee_invoice.h).
#include <set>

#include "formats/core/payment_reference.h"
#include "formats/eeinvoice/ee_internal.h"
#include "formats/eeinvoice/ee_invoice.h"
#include "formats/xml/xml_document.h"

namespace gw::formats::ee {
namespace {

using xml::kNoNode;
using xml::NodeId;

class Checker : public internal::Nav {
 public:
  explicit Checker(const xml::Document& doc) : Nav(doc), doc_(doc) {}

  std::vector<Finding> Run() {
    const NodeId root = doc_.document_element();
    size_t count = 0;
    Decimal total;
    bool total_known = true;
    std::set<std::string> ids;
    ForEach(root, "Invoice", [&](NodeId invoice) {
      ++count;
      const std::string id = Attr(invoice, "invoiceId");
      if (!ids.insert(id).second) {
        Add("EE-INVOICE-ID", invoice, "the invoiceId '" + id + "' is used by an earlier Invoice of this file; each "
                                      "invoice of a file needs its own");
      }
      NodeId sum = Child(invoice, "InvoiceSumGroup");
      if (auto t = Number(Child(sum, "TotalSum"))) {
        total += *t;
      } else {
        total_known = false;
      }
      CheckInvoice(invoice);
    });
    NodeId footer = Child(root, "Footer");
    if (footer != kNoNode) {
      const std::string declared = Text(Child(footer, "TotalNumberInvoices"));
      if (declared != std::to_string(count)) {
        Add("EE-FOOTER-COUNT", Child(footer, "TotalNumberInvoices"),
            "Footer/TotalNumberInvoices is " + declared + ", but the file holds " + std::to_string(count) +
                " Invoice element(s); the file may be incomplete");
      }
      auto amount = Number(Child(footer, "TotalAmount"));
      if (total_known && amount && *amount != total) {
        Add("EE-FOOTER-AMOUNT", Child(footer, "TotalAmount"),
            "Footer/TotalAmount is " + amount->ToString() + ", but the invoices' InvoiceSumGroup/TotalSum add up to " +
                total.ToString());
      }
    }
    return std::move(findings_);
  }

 private:
  void CheckInvoice(NodeId invoice) {
    NodeId seller = Child(Child(invoice, "InvoiceParties"), "SellerParty");
    const std::string seller_reg = Text(Child(seller, "RegNumber"));
    const std::string attr_reg = Attr(invoice, "sellerRegnumber");
    if (seller != kNoNode && seller_reg != attr_reg) {
      Add("EE-SELLER-REG", invoice, "Invoice/@sellerRegnumber '" + attr_reg + "' differs from SellerParty/RegNumber '" +
                                        seller_reg + "'");
    }
    NodeId info = Child(invoice, "InvoiceInformation");
    CheckReference(Child(info, "PaymentReferenceNumber"));
    NodeId payment = Child(invoice, "PaymentInfo");
    CheckReference(Child(payment, "PaymentRefId"));

    NodeId sum = Child(invoice, "InvoiceSumGroup");
    auto total_sum = Number(Child(sum, "TotalSum"));
    auto to_pay = Number(Child(sum, "TotalToPay"));
    auto payment_sum = Number(Child(payment, "PaymentTotalSum"));
    const std::optional<Decimal>& due = to_pay ? to_pay : total_sum;
    if (payment_sum && due && *payment_sum != *due) {
      Add("EE-PAYMENT-SUM", Child(payment, "PaymentTotalSum"),
          "PaymentInfo/PaymentTotalSum " + payment_sum->ToString() + " differs from InvoiceSumGroup/" +
              (to_pay ? "TotalToPay " : "TotalSum ") + due->ToString());
    }
    std::optional<Decimal> vat_sum = Decimal();
    bool any_vat = false;
    ForEach(sum, "VAT", [&](NodeId v) {
      any_vat = true;
      auto s = Number(Child(v, "VATSum"));
      if (s && vat_sum) {
        *vat_sum += *s;
      } else {
        vat_sum.reset();
      }
    });
    auto total_vat = Number(Child(sum, "TotalVATSum"));
    if (any_vat && vat_sum && total_vat && *vat_sum != *total_vat) {
      Add("EE-TOTAL-VAT", Child(sum, "TotalVATSum"),
          "InvoiceSumGroup/TotalVATSum " + total_vat->ToString() + " differs from the sum of its VAT/VATSum, " +
              vat_sum->ToString());
    }
    auto invoice_sum = Number(Child(sum, "InvoiceSum"));
    if (invoice_sum && total_sum) {
      Decimal expected = *invoice_sum;
      bool known = true;
      ForEach(sum, "Addition", [&](NodeId a) {
        auto amount = Number(Child(a, "AddSum"));
        if (!amount) {
          known = false;
          return;
        }
        expected = Attr(a, "addCode") == "CHR" ? expected + *amount : expected - *amount;
      });
      if (total_vat) expected += *total_vat;
      // The EN binding keeps Rounding (BT-114) out of TotalSum (BT-112); files written to the 1.2
      // description alone often put it in. Either adds up.
      auto rounding = Number(Child(sum, "Rounding"));
      const bool adds_up = expected == *total_sum || (rounding && expected + *rounding == *total_sum);
      if (known && !adds_up) {
        Add("EE-TOTAL-SUM", Child(sum, "TotalSum"),
            "InvoiceSumGroup/TotalSum " + total_sum->ToString() + " differs from InvoiceSum plus charges minus "
            "allowances plus TotalVATSum: " + expected.ToString() + (rounding ? " (with Rounding: " + (expected + *rounding).ToString() + ")" : ""));
      }
    }
    const std::string sum_currency = Text(Child(sum, "Currency"));
    const std::string pay_currency = Text(Child(payment, "Currency"));
    if (!sum_currency.empty() && !pay_currency.empty() && sum_currency != pay_currency) {
      Add("EE-CURRENCY", Child(payment, "Currency"),
          "PaymentInfo/Currency " + pay_currency + " differs from InvoiceSumGroup/Currency " + sum_currency);
    }
    CheckBlocks(invoice);
  }

  void CheckReference(NodeId ref) {
    if (ref == kNoNode) return;
    if (auto problem = CheckEstonianReference(Text(ref))) Add("EE-REFERENCE", ref, *problem);
  }

  // Every extension named after an EN block holds that block in its CustomContent.
  void CheckBlocks(NodeId node) {
    static const std::set<std::string_view> kBlocks = {
        "InvoiceInformationEN", "InvoiceSumGroupEN", "PaymentInfoEN", "PartyEN", "AdditionEN",
        "ItemEntryEN", "MailAddressEN", "VATEN", "SellerTaxRepPartyEN"};
    for (NodeId c = doc_.node(node).first_child; c != kNoNode; c = doc_.node(c).next_sibling) {
      if (doc_.node(c).kind != xml::NodeKind::kElement) continue;
      const std::string id = Attr(c, "extensionId");
      if (kBlocks.count(id) != 0) {
        NodeId content = Child(c, "CustomContent");
        if (Child(content, id) == kNoNode) {
          Add("EE-EN-BLOCK", c, "the extension '" + id + "' has no " + id + " element in its CustomContent; the "
                                "EN16931 terms it should carry are missing");
        }
      }
      CheckBlocks(c);
    }
  }

  std::optional<Decimal> Number(NodeId n) const { return NumberOrNothing(n); }
  void Add(const char* rule, NodeId node, std::string message) {
    findings_.push_back(Finding{rule, Finding::Severity::kFatal, Path(node), std::move(message)});
  }

  const xml::Document& doc_;
  std::vector<Finding> findings_;
};

}  // namespace

std::vector<Finding> CheckRules(std::string_view xml) {
  auto doc = xml::Document::Parse(xml);
  if (!doc) {
    return {Finding{"ee.syntax", Finding::Severity::kFatal, "", doc.error().message()}};
  }
  const NodeId root = doc->document_element();
  if (root == kNoNode || doc->local_name(root) != "E_Invoice" || !doc->namespace_uri(root).empty()) {
    return {Finding{"ee.syntax", Finding::Severity::kFatal, "", "the root element is not E_Invoice (Estonian e-invoice)"}};
  }
  return Checker(*doc).Run();
}

}  // namespace gw::formats::ee
