// The Finvoice 3.0 element and attribute names the reader and the rules ask for, as ids of a
// name table of their own (Finvoice has no namespace and shares no names with UBL), so that a name
// test is one integer comparison. Internal to formats/finvoice. Built once; thread-safe to read.
#pragma once

#include "formats/xml/xml_document.h"

namespace gw::formats::finvoice::internal {

// Elements and attributes (one list: Finvoice names are unqualified, and an attribute and an
// element of the same name share the id).
// clang-format off
#define GW_FINVOICE_NAMES(X) \
  X(Finvoice) X(Version) X(MessageTransmissionDetails) X(MessageSenderDetails) \
  X(FromIdentifier) X(FromIntermediator) X(MessageReceiverDetails) X(ToIdentifier) \
  X(ToIntermediator) X(MessageDetails) X(MessageIdentifier) X(MessageTimeStamp) \
  X(RefToMessageIdentifier) X(SpecificationIdentifier) X(SellerPartyDetails) \
  X(SellerPartyIdentifier) X(SellerOrganisationName) X(SellerOrganisationTradingName) \
  X(SellerOrganisationTaxCode) X(SellerCode) X(SellerPostalAddressDetails) X(SellerStreetName) \
  X(SellerTownName) X(SellerPostCodeIdentifier) X(SellerCountrySubdivision) X(CountryCode) \
  X(CountryName) X(SellerOrganisationUnitNumber) X(SellerContactPersonName) \
  X(SellerCommunicationDetails) X(SellerPhoneNumberIdentifier) X(SellerEmailaddressIdentifier) \
  X(SellerInformationDetails) X(SellerAdditionalLegalInfo) X(SellerAccountDetails) \
  X(SellerAccountID) X(SellerBic) X(SellerAccountName) X(InvoiceSenderPartyDetails) \
  X(InvoiceRecipientPartyDetails) X(BuyerPartyDetails) X(BuyerPartyIdentifier) \
  X(BuyerOrganisationName) X(BuyerOrganisationTradingName) X(BuyerOrganisationTaxCode) \
  X(BuyerCode) X(BuyerPostalAddressDetails) X(BuyerStreetName) X(BuyerTownName) \
  X(BuyerPostCodeIdentifier) X(BuyerCountrySubdivision) X(BuyerOrganisationUnitNumber) \
  X(BuyerContactPersonName) X(BuyerCommunicationDetails) X(BuyerPhoneNumberIdentifier) \
  X(BuyerEmailaddressIdentifier) X(DeliveryPartyDetails) X(DeliveryOrganisationName) \
  X(DeliveryCode) X(DeliveryPostalAddressDetails) X(DeliveryStreetName) X(DeliveryTownName) \
  X(DeliveryPostCodeIdentifier) X(DeliveryCountrySubdivision) X(DeliveryDetails) \
  X(DeliveryDate) X(DeliveryNoteIdentifier) X(LocationIdentifier) X(AnyPartyDetails) \
  X(AnyPartyText) X(AnyPartyCode) X(AnyPartyIdentifier) X(AnyPartyOrganisationName) \
  X(AnyPartyOrganisationTaxCode) X(AnyPartyPostalAddressDetails) X(AnyPartyStreetName) \
  X(AnyPartyTownName) X(AnyPartyPostCodeIdentifier) X(AnyPartyCountrySubdivision) \
  X(InvoiceDetails) X(InvoiceTypeCode) X(InvoiceTypeCodeUN) X(InvoiceTypeText) X(OriginCode) \
  X(InvoicedObjectID) X(InvoiceNumber) X(InvoiceDate) X(OriginalInvoiceNumber) \
  X(OriginalInvoiceDate) X(OriginalInvoiceReference) X(InvoicingPeriodStartDate) \
  X(InvoicingPeriodEndDate) X(BuyersSellerIdentifier) X(SellersBuyerIdentifier) \
  X(OrderIdentifier) X(OrderConfirmationIdentifier) X(AgreementIdentifier) \
  X(BuyerReferenceIdentifier) X(ProjectReferenceIdentifier) X(RowsTotalVatExcludedAmount) \
  X(DiscountsTotalVatExcludedAmount) X(ChargesTotalVatExcludedAmount) \
  X(InvoiceTotalVatExcludedAmount) X(InvoiceTotalVatAmount) X(InvoiceTotalVatAccountingAmount) \
  X(InvoiceTotalVatIncludedAmount) X(InvoiceTotalRoundoffAmount) X(InvoicePaidAmount) \
  X(AccountDimensionText) X(VatPoint) X(VatPointDate) X(VatPointDateCode) \
  X(VatSpecificationDetails) X(VatBaseAmount) X(VatRatePercent) X(VatCode) X(VatRateAmount) \
  X(VatFreeText) X(VatExemptionReasonCode) X(InvoiceFreeText) X(PaymentTermsDetails) \
  X(PaymentTermsFreeText) X(InvoiceDueDate) X(DiscountDetails) X(ChargeDetails) X(FreeText) \
  X(ReasonText) X(ReasonCode) X(Percent) X(Amount) X(BaseAmount) X(VatCategoryCode) \
  X(TenderReference) X(PaymentCardInfo) X(PrimaryAccountNumber) X(CardHolderName) \
  X(DirectDebitInfo) X(MandateReference) X(CreditorIdentifier) X(DebitedAccountID) \
  X(InvoiceRow) X(SubInvoiceRow) X(ArticleIdentifier) X(ArticleGroupIdentifier) X(ArticleName) \
  X(ArticleDescription) X(BuyerArticleIdentifier) X(EanCode) X(RowDefinitionDetails) \
  X(RowDefinitionHeaderText) X(RowDefinitionValue) X(InvoicedQuantity) X(StartDate) X(EndDate) \
  X(UnitPriceAmount) X(UnitPriceDiscountAmount) X(UnitPriceNetAmount) X(UnitPriceBaseQuantity) \
  X(RowOrderPositionIdentifier) X(RowPositionIdentifier) X(RowAccountDimensionText) \
  X(RowFreeText) X(RowDiscountPercent) X(RowDiscountAmount) X(RowDiscountBaseAmount) \
  X(RowDiscountTypeCode) X(RowDiscountTypeText) X(RowProgressiveDiscountDetails) \
  X(RowChargeDetails) X(RowVatRatePercent) X(RowVatCode) X(RowVatAmount) \
  X(RowVatExcludedAmount) X(RowAmount) X(RowDeliveryDetails) X(RowCountryOfOrigin) \
  X(EpiDetails) X(EpiIdentificationDetails) X(EpiDate) X(EpiReference) X(EpiPartyDetails) \
  X(EpiBfiPartyDetails) X(EpiBfiIdentifier) X(EpiBeneficiaryPartyDetails) \
  X(EpiNameAddressDetails) X(EpiAccountID) X(EpiPaymentInstructionDetails) \
  X(EpiRemittanceInfoIdentifier) X(EpiInstructedAmount) X(EpiCharge) X(EpiDateOptionDate) \
  X(EpiPaymentMeansCode) X(EpiPaymentMeansText) X(SchemeID) X(SchemeVersion) X(Format) \
  X(AmountCurrencyIdentifier) X(QuantityUnitCode) X(QuantityUnitCodeUN) \
  X(IdentificationSchemeName) X(CodeListAgencyIdentifier)
// clang-format on

struct Names {
#define GW_FINVOICE_DECLARE(n) xml::NameId n = xml::kNoName;
  GW_FINVOICE_NAMES(GW_FINVOICE_DECLARE)
#undef GW_FINVOICE_DECLARE
};

// The frozen name table with every name above (no namespace); pass it to xml::Document::Parse.
const xml::NameTable& FinvoiceNameTable();
// The ids of the names above in FinvoiceNameTable().
const Names& N();

}  // namespace gw::formats::finvoice::internal
