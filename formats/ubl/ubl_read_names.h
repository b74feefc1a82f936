// The UBL 2.1 names the reader asks for, resolved once to their ids in xml::NameTable::Shared()
// so that each element test is one integer comparison. Internal to formats/ubl; the table is
// built on first use (thread-safe) and then read-only.
#pragma once

#include <string_view>

#include "formats/xml/xml_document.h"

namespace gw::formats::ubl::internal {

using xml::NameId;

// The id of a name of the shared table; asserts that the name is there (it holds every UBL 2.1
// name, scripts/gen_ubl_names.py).
NameId SharedName(std::string_view ns_uri, std::string_view local);
inline NameId Cbc(std::string_view local) { return SharedName(xml::kCbcNs, local); }
inline NameId Cac(std::string_view local) { return SharedName(xml::kCacNs, local); }
inline NameId Unqualified(std::string_view local) { return SharedName("", local); }

// Members are named exactly as the UBL elements and attributes, so that reading code reads like
// the XPath it follows: in.Text(party, cbc.EndpointID).
struct CbcNames {
  NameId AccountingCost = Cbc("AccountingCost");
  NameId ActualDeliveryDate = Cbc("ActualDeliveryDate");
  NameId AdditionalStreetName = Cbc("AdditionalStreetName");
  NameId AllowanceChargeReason = Cbc("AllowanceChargeReason");
  NameId AllowanceChargeReasonCode = Cbc("AllowanceChargeReasonCode");
  NameId AllowanceTotalAmount = Cbc("AllowanceTotalAmount");
  NameId Amount = Cbc("Amount");
  NameId BaseAmount = Cbc("BaseAmount");
  NameId BaseQuantity = Cbc("BaseQuantity");
  NameId BuyerReference = Cbc("BuyerReference");
  NameId ChargeIndicator = Cbc("ChargeIndicator");
  NameId ChargeTotalAmount = Cbc("ChargeTotalAmount");
  NameId CityName = Cbc("CityName");
  NameId CompanyID = Cbc("CompanyID");
  NameId CompanyLegalForm = Cbc("CompanyLegalForm");
  NameId CountrySubentity = Cbc("CountrySubentity");
  NameId CreditNoteTypeCode = Cbc("CreditNoteTypeCode");
  NameId CreditedQuantity = Cbc("CreditedQuantity");
  NameId CustomizationID = Cbc("CustomizationID");
  NameId Description = Cbc("Description");
  NameId DescriptionCode = Cbc("DescriptionCode");
  NameId DocumentCurrencyCode = Cbc("DocumentCurrencyCode");
  NameId DocumentDescription = Cbc("DocumentDescription");
  NameId DocumentTypeCode = Cbc("DocumentTypeCode");
  NameId DueDate = Cbc("DueDate");
  NameId ElectronicMail = Cbc("ElectronicMail");
  NameId EmbeddedDocumentBinaryObject = Cbc("EmbeddedDocumentBinaryObject");
  NameId EndDate = Cbc("EndDate");
  NameId EndpointID = Cbc("EndpointID");
  NameId HolderName = Cbc("HolderName");
  NameId ID = Cbc("ID");
  NameId IdentificationCode = Cbc("IdentificationCode");
  NameId InvoiceTypeCode = Cbc("InvoiceTypeCode");
  NameId InvoicedQuantity = Cbc("InvoicedQuantity");
  NameId IssueDate = Cbc("IssueDate");
  NameId ItemClassificationCode = Cbc("ItemClassificationCode");
  NameId Line = Cbc("Line");
  NameId LineExtensionAmount = Cbc("LineExtensionAmount");
  NameId LineID = Cbc("LineID");
  NameId MultiplierFactorNumeric = Cbc("MultiplierFactorNumeric");
  NameId Name = Cbc("Name");
  NameId NetworkID = Cbc("NetworkID");
  NameId Note = Cbc("Note");
  NameId PayableAmount = Cbc("PayableAmount");
  NameId PayableRoundingAmount = Cbc("PayableRoundingAmount");
  NameId PaymentDueDate = Cbc("PaymentDueDate");
  NameId PaymentID = Cbc("PaymentID");
  NameId PaymentMeansCode = Cbc("PaymentMeansCode");
  NameId Percent = Cbc("Percent");
  NameId PostalZone = Cbc("PostalZone");
  NameId PrepaidAmount = Cbc("PrepaidAmount");
  NameId PriceAmount = Cbc("PriceAmount");
  NameId PrimaryAccountNumberID = Cbc("PrimaryAccountNumberID");
  NameId ProfileID = Cbc("ProfileID");
  NameId RegistrationName = Cbc("RegistrationName");
  NameId SalesOrderID = Cbc("SalesOrderID");
  NameId StartDate = Cbc("StartDate");
  NameId StreetName = Cbc("StreetName");
  NameId TaxAmount = Cbc("TaxAmount");
  NameId TaxCurrencyCode = Cbc("TaxCurrencyCode");
  NameId TaxExclusiveAmount = Cbc("TaxExclusiveAmount");
  NameId TaxExemptionReason = Cbc("TaxExemptionReason");
  NameId TaxExemptionReasonCode = Cbc("TaxExemptionReasonCode");
  NameId TaxInclusiveAmount = Cbc("TaxInclusiveAmount");
  NameId TaxPointDate = Cbc("TaxPointDate");
  NameId TaxableAmount = Cbc("TaxableAmount");
  NameId Telephone = Cbc("Telephone");
  NameId URI = Cbc("URI");
  NameId Value = Cbc("Value");
};

struct CacNames {
  NameId AccountingCustomerParty = Cac("AccountingCustomerParty");
  NameId AccountingSupplierParty = Cac("AccountingSupplierParty");
  NameId AdditionalDocumentReference = Cac("AdditionalDocumentReference");
  NameId AdditionalItemProperty = Cac("AdditionalItemProperty");
  NameId Address = Cac("Address");
  NameId AddressLine = Cac("AddressLine");
  NameId AllowanceCharge = Cac("AllowanceCharge");
  NameId Attachment = Cac("Attachment");
  NameId BillingReference = Cac("BillingReference");
  NameId BuyersItemIdentification = Cac("BuyersItemIdentification");
  NameId CardAccount = Cac("CardAccount");
  NameId ClassifiedTaxCategory = Cac("ClassifiedTaxCategory");
  NameId CommodityClassification = Cac("CommodityClassification");
  NameId Contact = Cac("Contact");
  NameId ContractDocumentReference = Cac("ContractDocumentReference");
  NameId Country = Cac("Country");
  NameId CreditNoteLine = Cac("CreditNoteLine");
  NameId Delivery = Cac("Delivery");
  NameId DeliveryLocation = Cac("DeliveryLocation");
  NameId DeliveryParty = Cac("DeliveryParty");
  NameId DespatchDocumentReference = Cac("DespatchDocumentReference");
  NameId DocumentReference = Cac("DocumentReference");
  NameId ExternalReference = Cac("ExternalReference");
  NameId FinancialInstitutionBranch = Cac("FinancialInstitutionBranch");
  NameId InvoiceDocumentReference = Cac("InvoiceDocumentReference");
  NameId InvoiceLine = Cac("InvoiceLine");
  NameId InvoicePeriod = Cac("InvoicePeriod");
  NameId Item = Cac("Item");
  NameId LegalMonetaryTotal = Cac("LegalMonetaryTotal");
  NameId OrderLineReference = Cac("OrderLineReference");
  NameId OrderReference = Cac("OrderReference");
  NameId OriginCountry = Cac("OriginCountry");
  NameId OriginatorDocumentReference = Cac("OriginatorDocumentReference");
  NameId Party = Cac("Party");
  NameId PartyIdentification = Cac("PartyIdentification");
  NameId PartyLegalEntity = Cac("PartyLegalEntity");
  NameId PartyName = Cac("PartyName");
  NameId PartyTaxScheme = Cac("PartyTaxScheme");
  NameId PayeeFinancialAccount = Cac("PayeeFinancialAccount");
  NameId PayeeParty = Cac("PayeeParty");
  NameId PayerFinancialAccount = Cac("PayerFinancialAccount");
  NameId PaymentMandate = Cac("PaymentMandate");
  NameId PaymentMeans = Cac("PaymentMeans");
  NameId PaymentTerms = Cac("PaymentTerms");
  NameId PostalAddress = Cac("PostalAddress");
  NameId Price = Cac("Price");
  NameId ProjectReference = Cac("ProjectReference");
  NameId ReceiptDocumentReference = Cac("ReceiptDocumentReference");
  NameId SellersItemIdentification = Cac("SellersItemIdentification");
  NameId StandardItemIdentification = Cac("StandardItemIdentification");
  NameId TaxCategory = Cac("TaxCategory");
  NameId TaxRepresentativeParty = Cac("TaxRepresentativeParty");
  NameId TaxScheme = Cac("TaxScheme");
  NameId TaxSubtotal = Cac("TaxSubtotal");
  NameId TaxTotal = Cac("TaxTotal");
};

struct AttributeNames {
  NameId currencyID = Unqualified("currencyID");
  NameId filename = Unqualified("filename");
  NameId listID = Unqualified("listID");
  NameId listVersionID = Unqualified("listVersionID");
  NameId mimeCode = Unqualified("mimeCode");
  NameId name = Unqualified("name");
  NameId schemeID = Unqualified("schemeID");
  NameId unitCode = Unqualified("unitCode");
};

struct UblNames {
  NameId Invoice = SharedName(xml::kUblInvoiceNs, "Invoice");
  NameId CreditNote = SharedName(xml::kUblCreditNoteNs, "CreditNote");
  CbcNames cbc;
  CacNames cac;
  AttributeNames attr;
};

// The names, built on first use.
const UblNames& Names();

}  // namespace gw::formats::ubl::internal
