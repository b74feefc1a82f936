// The EN16931 semantic model: one Invoice (or credit note) with its business terms (BT) and
// groups (BG), as Peppol BIS Billing 3.0 uses them. Plain data, no behaviour; thread-compatible.
// Empty strings and empty optionals mean "term absent". Field comments name the BT/BG.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "formats/core/date.h"
#include "formats/core/decimal.h"
#include "formats/core/participant_id.h"

namespace gw::model {

// An identifier with an optional scheme (ICD for party ids, EAS for electronic addresses,
// UNTDID 1153 for BT-18, free for others).
struct Identifier {
  std::string value;
  std::string scheme;
  bool empty() const { return value.empty(); }
};

struct Address {                // BG-5, BG-8, BG-12, BG-15
  std::string line1;            // BT-35
  std::string line2;            // BT-36
  std::string line3;            // BT-162
  std::string city;             // BT-37
  std::string postal_code;      // BT-38
  std::string subdivision;      // BT-39
  std::string country;          // BT-40 (ISO 3166-1 alpha-2)
  bool empty() const {
    return line1.empty() && line2.empty() && line3.empty() && city.empty() &&
           postal_code.empty() && subdivision.empty() && country.empty();
  }
};

struct Contact {                // BG-6, BG-9
  std::string name;             // BT-41, BT-56
  std::string phone;            // BT-42, BT-57
  std::string email;            // BT-43, BT-58
  bool empty() const { return name.empty() && phone.empty() && email.empty(); }
};

// Seller (BG-4) or buyer (BG-7).
struct Party {
  std::string name;                       // BT-27, BT-44
  std::string trading_name;               // BT-28, BT-45
  std::vector<Identifier> identifiers;    // BT-29 (0..n), BT-46 (0..1)
  Identifier legal_registration_id;       // BT-30, BT-47
  std::string vat_id;                     // BT-31, BT-48
  std::string tax_registration_id;        // BT-32 (seller only)
  std::string legal_info;                 // BT-33 (seller only)
  ParticipantId electronic_address;       // BT-34, BT-49 (EAS scheme + value)
  Address address;                        // BG-5, BG-8
  Contact contact;                        // BG-6, BG-9
};

struct Payee {                            // BG-10
  std::string name;                       // BT-59
  Identifier identifier;                  // BT-60
  Identifier legal_registration_id;       // BT-61
};

struct TaxRepresentative {                // BG-11
  std::string name;                       // BT-62
  std::string vat_id;                     // BT-63
  Address address;                        // BG-12
};

struct Delivery {                         // BG-13
  std::string party_name;                 // BT-70
  Identifier location_id;                 // BT-71
  std::optional<Date> date;               // BT-72
  Address address;                        // BG-15
  bool empty() const {
    return party_name.empty() && location_id.empty() && !date && address.empty();
  }
};

struct Period {                           // BG-14, BG-26
  std::optional<Date> start;              // BT-73, BT-134
  std::optional<Date> end;                // BT-74, BT-135
  bool empty() const { return !start && !end; }
};

struct CreditTransfer {                   // BG-17
  std::string account_id;                 // BT-84 (IBAN or other)
  std::string account_name;               // BT-85
  std::string bank_id;                    // BT-86 (BIC)
};

struct CardPayment {                      // BG-18
  std::string account_number;             // BT-87 (last digits only)
  std::string network;                    // Peppol: cbc:NetworkID (e.g. VISA)
  std::string holder_name;                // BT-88
};

struct DirectDebit {                      // BG-19
  std::string mandate_reference;          // BT-89
  std::string creditor_id;                // BT-90
  std::string debited_account;            // BT-91
};

// BG-16. EN16931 has one group per invoice; several payee accounts go in credit_transfers.
struct PaymentInstructions {              // BG-16
  std::string means_code;                 // BT-81 (UNTDID 4461)
  std::string means_text;                 // BT-82
  std::string remittance_info;            // BT-83
  std::vector<CreditTransfer> credit_transfers;
  std::optional<CardPayment> card;
  std::optional<DirectDebit> direct_debit;
};

struct VatCategory {
  std::string code;                       // UNTDID 5305 subset: S Z E AE K G O L M
  std::optional<Decimal> rate;            // percent; absent for O
};

// A document-level (BG-20/BG-21) or line-level (BG-27/BG-28) allowance or charge.
struct AllowanceCharge {
  bool is_charge = false;
  Decimal amount;                         // BT-92/99/136/141
  std::optional<Decimal> base_amount;     // BT-93/100/137/142
  std::optional<Decimal> percentage;      // BT-94/101/138/143
  VatCategory vat;                        // BT-95/96, BT-102/103 (document level only)
  std::string reason;                     // BT-97/104/139/144
  std::string reason_code;                // BT-98/105/140/145
  std::string exemption_reason;           // carried to BT-120 of the breakdown (document level)
  std::string exemption_reason_code;      // carried to BT-121 of the breakdown (document level)
  bool amount_given = false;              // the ERP sent the amount (else computed)
};

struct VatBreakdown {                     // BG-23
  VatCategory category;                   // BT-118, BT-119
  Decimal taxable_amount;                 // BT-116
  Decimal tax_amount;                     // BT-117
  std::string exemption_reason;           // BT-120
  std::string exemption_reason_code;      // BT-121 (VATEX)
};

struct Totals {                           // BG-22
  Decimal line_net_total;                 // BT-106
  std::optional<Decimal> allowance_total; // BT-107
  std::optional<Decimal> charge_total;    // BT-108
  Decimal tax_exclusive;                  // BT-109
  Decimal vat_total;                      // BT-110
  std::optional<Decimal> vat_total_accounting;  // BT-111 (in BT-6 currency)
  Decimal tax_inclusive;                  // BT-112
  std::optional<Decimal> prepaid;         // BT-113
  std::optional<Decimal> rounding;        // BT-114
  Decimal payable;                        // BT-115
};

// Totals as the ERP sent them, to be checked against the computed ones; absent = not sent.
struct DeclaredTotals {
  std::optional<Decimal> line_net_total;  // BT-106
  std::optional<Decimal> allowance_total; // BT-107
  std::optional<Decimal> charge_total;    // BT-108
  std::optional<Decimal> tax_exclusive;   // BT-109
  std::optional<Decimal> vat_total;       // BT-110
  std::optional<Decimal> tax_inclusive;   // BT-112
  std::optional<Decimal> payable;         // BT-115
};

struct PrecedingInvoice {                 // BG-3
  std::string number;                     // BT-25
  std::optional<Date> issue_date;         // BT-26
};

struct Note {                             // BG-1
  std::string subject_code;               // BT-21 (UNTDID 4451)
  std::string text;                       // BT-22
};

struct Attachment {                       // BT-125
  std::string content_base64;
  std::string mime_code;
  std::string filename;
};

struct SupportingDocument {               // BG-24
  std::string id;                         // BT-122
  std::string description;                // BT-123
  std::string url;                        // BT-124
  std::optional<Attachment> attachment;   // BT-125
};

struct ItemAttribute {                    // BG-32
  std::string name;                       // BT-160
  std::string value;                      // BT-161
};

struct Classification {                   // BT-158
  std::string code;
  std::string list_id;                    // UNTDID 7143
  std::string list_version;
};

struct Item {                             // BG-31
  std::string name;                       // BT-153
  std::string description;                // BT-154
  std::string sellers_id;                 // BT-155
  std::string buyers_id;                  // BT-156
  Identifier standard_id;                 // BT-157 (scheme ICD, e.g. 0160 GTIN)
  std::vector<Classification> classifications;  // BT-158
  std::string origin_country;             // BT-159
  std::vector<ItemAttribute> attributes;  // BG-32
};

struct Price {                            // BG-29
  Decimal net;                            // BT-146
  std::optional<Decimal> discount;        // BT-147
  std::optional<Decimal> gross;           // BT-148
  std::optional<Decimal> base_quantity;   // BT-149
  std::string base_unit;                  // BT-150
};

struct Line {                             // BG-25
  std::string id;                         // BT-126
  std::string note;                       // BT-127
  Identifier object_id;                   // BT-128
  Decimal quantity;                       // BT-129
  std::string unit;                       // BT-130 (UN/ECE Rec 20/21)
  Decimal net_amount;                     // BT-131
  bool net_amount_given = false;          // the ERP sent BT-131 (else computed)
  std::string order_line_reference;       // BT-132
  std::string accounting_reference;       // BT-133
  Period period;                          // BG-26
  std::vector<AllowanceCharge> allowances_charges;  // BG-27, BG-28
  Price price;                            // BG-29
  VatCategory vat;                        // BG-30
  std::string exemption_reason;           // carried to BT-120 of the breakdown
  std::string exemption_reason_code;      // carried to BT-121 of the breakdown
  Item item;                              // BG-31
};

enum class DocumentKind { kInvoice, kCreditNote };

struct Invoice {
  DocumentKind kind = DocumentKind::kInvoice;
  std::string number;                     // BT-1
  Date issue_date;                        // BT-2
  std::string type_code;                  // BT-3 (UNTDID 1001)
  std::string currency;                   // BT-5
  std::string tax_currency;               // BT-6
  std::optional<Date> tax_point_date;     // BT-7
  std::optional<Date> due_date;           // BT-9
  std::string buyer_reference;            // BT-10
  std::string project_reference;          // BT-11
  std::string contract_reference;         // BT-12
  std::string purchase_order_reference;   // BT-13
  std::string sales_order_reference;      // BT-14
  std::string receiving_advice_reference; // BT-15
  std::string despatch_advice_reference;  // BT-16
  std::string tender_reference;           // BT-17
  Identifier invoiced_object;             // BT-18
  std::string buyer_accounting_reference; // BT-19
  std::string payment_terms;              // BT-20
  std::string vat_point_date_code;        // BT-8 (UNTDID 2005)
  std::vector<Note> notes;                // BG-1
  std::string specification_id;           // BT-24 (CustomizationID)
  std::string business_process;           // BT-23 (ProfileID)
  std::vector<PrecedingInvoice> preceding_invoices;  // BG-3
  Party seller;                           // BG-4
  Party buyer;                            // BG-7
  std::optional<Payee> payee;             // BG-10
  std::optional<TaxRepresentative> tax_representative;  // BG-11
  std::optional<Delivery> delivery;       // BG-13
  Period invoice_period;                  // BG-14
  std::optional<PaymentInstructions> payment;  // BG-16 (0..1; several accounts in BG-17)
  std::vector<AllowanceCharge> allowances_charges;  // BG-20, BG-21
  std::vector<SupportingDocument> documents;        // BG-24
  std::vector<Line> lines;                // BG-25

  // Completed or checked by the calculator.
  Totals totals;                          // BG-22 (prepaid, rounding, BT-111 are inputs)
  DeclaredTotals declared_totals;         // what the ERP sent of BG-22, checked
  std::vector<VatBreakdown> vat_breakdown;  // BG-23
  bool vat_breakdown_given = false;       // the ERP sent BG-23
};

}  // namespace gw::model
