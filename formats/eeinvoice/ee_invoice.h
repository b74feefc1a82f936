// The Estonian e-invoice 1.2 (e-arve, root E_Invoice without namespace) with the EN16931
// extension 1.2.EN: a writer and a reader between the EN16931 model and the batch file that the
// Estonian operators and banks exchange (Header, one or more Invoice, Footer with control totals).
// docs/formats/ee-einvoice.md maps every business term. Stateless functions; thread-safe.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "formats/core/date.h"
#include "formats/core/decimal.h"
#include "formats/core/result.h"
#include "formats/model/invoice.h"

namespace gw::formats::ee {

// Header of the file: routing data of the whole batch, not business terms.
struct FileHeader {
  bool test = false;                // Test YES/NO (written only when true)
  std::optional<Date> date;         // Date: the file's date (required)
  std::string file_id;              // FileId: unique per sender, at most 20 characters (required)
  std::string app_id;               // AppId: "EARVE" for e-invoices to internet banks
  std::string version = "1.2";      // Version
  std::string sender_id;            // SenderId: the sending operator or bank
  std::string receiver_id;          // ReceiverId: the receiving operator or bank
  std::string contract_id;          // ContractId: the sender's contract with the receiver
  std::string payee_account_number; // PayeeAccountNumber (bank channel)
};

// The routing attributes of one Invoice element.
struct InvoiceRouting {
  std::string invoice_id;           // @invoiceId (required; default: BT-1)
  std::string reg_number;           // @regNumber: the buyer's registry or personal code (required)
  std::string seller_reg_number;    // @sellerRegnumber (required; default: BT-30)
  std::string service_id;           // @serviceId: customer number at the seller (bank channel)
  std::string channel_id;           // @channelId: e.g. the buyer's bank BIC
  std::string channel_address;      // @channelAddress: the address in that channel (e.g. IBAN)
  std::string presentment;          // @presentment YES/NO: show in the internet bank
  std::string factoring;            // @factoring YES/NO
  std::string template_id;          // @templateId
  std::string language_id;          // @languageId: two lower-case letters
  std::string invoice_glob_uniq_id; // @invoiceGlobUniqId
  std::string seller_contract_id;   // @sellerContractId
};

struct BatchInvoice {
  model::Invoice invoice;
  InvoiceRouting routing;
};

// A whole file: what the reader returns and the writer takes.
struct Batch {
  FileHeader header;
  std::vector<BatchInvoice> invoices;
};

// Routing data as key/value pairs (from configuration, the router or `eigw convert --routing`).
// Keys: the file header's test (yes/no), date (YYYY-MM-DD), file_id, app_id, sender_id,
// receiver_id, contract_id, payee_account_number; the invoice's invoice_id, reg_number,
// seller_reg_number, service_id, channel_id, channel_address, presentment, factoring,
// template_id, language_id, invoice_glob_uniq_id, seller_contract_id.
using Routing = std::map<std::string, std::string, std::less<>>;

// The header and the invoice's routing attributes from `routing`, with the defaults the invoice
// gives: date = BT-2, invoice_id = BT-1, reg_number = BT-47 (else BT-46), seller_reg_number =
// BT-30. kInvalidArgument with one finding per problem (rule "ee.routing", location the key):
// an unknown key (listing the known ones), a required value missing (file_id always; reg_number
// and seller_reg_number when the invoice does not give them; channel_id and channel_address when
// app_id is EARVE, since a bank cannot present the invoice without them), or a value the format
// refuses (a file_id over 20 characters, presentment other than YES/NO, a bad date).
Result<Batch> BatchFromRouting(const Routing& routing, const model::Invoice& invoice);
// The same for a file of several invoices of one seller: the header from `routing` (date: the
// first invoice's BT-2), each invoice's attributes from its own terms. Keys that name one invoice
// or buyer (invoice_id, reg_number, service_id, channel_address, invoice_glob_uniq_id) are refused
// with more than one invoice, and so are invoices of different sellers (seller_reg_number).
Result<Batch> BatchFromRouting(const Routing& routing, const std::vector<model::Invoice>& invoices);

// Writes the batch as one E_Invoice file, UTF-8, element order of e-invoice_ver1.2.xsd; the
// terms the 1.2 core cannot hold go into the 1.2.EN extension blocks (PartyEN, MailAddressEN,
// InvoiceInformationEN, PaymentInfoEN, InvoiceSumGroupEN, AdditionEN, VATEN, ItemEntryEN,
// SellerTaxRepPartyEN, AttributeEN) as the syntax binding places them. The Footer holds the
// control totals: the number of invoices and the sum of their totals with VAT (TotalSum).
//
// The format does not change amounts: an amount with more decimals than its element allows (2 for
// totals, 4 for line amounts) or a text longer than its element (ShortText 20, NormalText 100,
// LongText 500 characters) makes the invoice unconvertible: kInvalidArgument, rule
// "ee.unconvertible", naming the business term and the limit. A term that has no place at all
// (the card network, a second payment account, BT-29 beyond what PartyEN holds, ...) is appended
// to `losses` as a warning, rule "ee.lost", located at its model path. A value the format requires
// that the invoice lacks is filled in and reported as a warning, rule "ee.added": SellerParty/
// RegNumber from the routing's seller registry code (reads back as BT-30), PaymentDescription
// from the invoice number when there is no remittance information (reads back as BT-83).
// Errors: kInvalidArgument for an empty batch, and the routing checks of BatchFromRouting.
Result<std::string> WriteBatch(const Batch& batch, std::vector<Finding>* losses = nullptr);

// Reads an E_Invoice file (1.2 or 1.2.EN) into its header and invoices, each with its routing
// attributes. Terms are read as the document states them (amounts exactly, totals as declared,
// the VAT breakdown as given); nothing is recomputed. What the model has no place for (the
// balance, penalty, accounting details, factor contract, a second InvoiceSumGroup, ...) is
// appended to `losses`, rule "ee.lost", located by XPath.
// Errors, kInvalidArgument: the parser's error for text that is not well-formed, has a DOCTYPE or
// exceeds a limit; "ee.root" when the root is not E_Invoice; otherwise one finding per unreadable
// value, all of them ("ee.number", "ee.date", "ee.required").
Result<Batch> ReadBatch(std::string_view xml, std::vector<Finding>* losses = nullptr);

// True when the root element of `xml` is E_Invoice without namespace (a cheap look past
// comments and processing instructions).
bool LooksLikeEeInvoice(std::string_view xml);

// The name of the rule set CheckRules applies, as `eigw validate` reports it.
inline constexpr const char* kRuleSetId = "ee-einvoice@1.2";

// The rules of the format's description that the XSD cannot express, on a whole file. Each
// finding names its rule (documented in docs/formats/ee-einvoice.md), fatal unless said:
//   EE-FOOTER-COUNT   Footer/TotalNumberInvoices equals the number of Invoice elements
//   EE-FOOTER-AMOUNT  Footer/TotalAmount equals the sum of the invoices' InvoiceSumGroup/TotalSum
//   EE-REFERENCE      PaymentInfo/PaymentRefId and InvoiceInformation/PaymentReferenceNumber are
//                     Estonian reference numbers (2-20 digits, 7-3-1 check digit)
//   EE-INVOICE-ID     Invoice/@invoiceId is unique in the file
//   EE-SELLER-REG     Invoice/@sellerRegnumber equals SellerParty/RegNumber
//   EE-PAYMENT-SUM    PaymentInfo/PaymentTotalSum equals InvoiceSumGroup/TotalToPay (else TotalSum)
//   EE-TOTAL-VAT      InvoiceSumGroup/TotalVATSum equals the sum of its VAT/VATSum
//   EE-TOTAL-SUM      TotalSum equals InvoiceSumGroup/InvoiceSum plus charges minus allowances
//                     plus TotalVATSum, with or without Rounding, when InvoiceSum is given
//   EE-CURRENCY       the currencies of InvoiceSumGroup and PaymentInfo agree
//   EE-EN-BLOCK       an extension named after an EN block (PartyEN, VATEN, ...) holds that block
// A document that does not parse or is not an E_Invoice gives one finding (rule "ee.syntax").
std::vector<Finding> CheckRules(std::string_view xml);

}  // namespace gw::formats::ee
