// Finvoice 3.0 payment: the seller's accounts (SellerAccountDetails), PaymentCardInfo (BG-18),
// DirectDebitInfo (BG-19) and the payment order EpiDetails (BG-16, BG-17, BT-83, BT-115), which is
// mandatory: an invoice without a credit transfer account (BT-84) is refused.
#include "formats/core/payment_reference.h"
#include "formats/finvoice/finvoice_document_writer.h"
#include "formats/finvoice/finvoice_values.h"

namespace gw::formats::finvoice::internal {
namespace {

bool Fits(std::string_view s, size_t min_chars, size_t max_chars) {
  size_t n = CharCount(s);
  return n >= min_chars && n <= max_chars;
}

}  // namespace

void DocumentWriter::SellerAccounts() {
  // SellerInformationDetails: BT-33 and the accounts of BG-17. The first account is the payment
  // order's (EpiDetails); every account with a BIC is also listed here, as the Finvoice samples do.
  std::vector<const model::CreditTransfer*> listed;
  std::vector<size_t> listed_index;
  if (inv_.payment) {
    const auto& transfers = inv_.payment->credit_transfers;
    for (size_t i = 0; i < transfers.size(); ++i) {
      const model::CreditTransfer& t = transfers[i];
      const std::string path = "/payment/credit_transfers/" + std::to_string(i);
      const std::string account = WithoutSpaces(t.account_id);
      const bool account_ok = account.size() >= 2 && account.size() <= 35 && IsNameChars(account);
      const bool bic_ok = t.bank_id.size() >= 8 && t.bank_id.size() <= 11 && IsNameChars(t.bank_id);
      if (account_ok && bic_ok) {
        listed.push_back(&t);
        listed_index.push_back(i);
        if (i > 0 && account != t.account_id) {
          Lost(path + "/account_id", "the payment account identifier (BT-84) '" + t.account_id +
                                         "' is written without its spaces: '" + account + "'");
        }
        if (i == 0 && !t.account_name.empty() && !Fits(t.account_name, 1, 70)) {
          Lost(path + "/account_name",
               "the payment account name (BT-85) has more than 70 characters: not written");
        }
        continue;
      }
      if (i == 0) {
        // The payment order holds the account; its name and BIC only within its own limits.
        if (!t.bank_id.empty() && !bic_ok) {
          Lost(path + "/bank_id", "the payment service provider identifier (BT-86) '" + t.bank_id +
                                      "' is not a BIC of 8 to 11 characters: not written");
        }
        if (!t.account_name.empty() && !Fits(t.account_name, 2, 35)) {
          Lost(path + "/account_name",
               "the payment account name (BT-85) '" + FirstChars(t.account_name, 60) +
                   "' does not fit EpiNameAddressDetails (2 to 35 characters) and the account has "
                   "no BIC to list it with its name: not written");
        }
        continue;
      }
      Lost(path, "the further payment account '" + t.account_id +
                     "' (BG-17) can only be listed as SellerAccountDetails, which needs an account "
                     "of 2 to 35 letters and digits and a BIC (BT-86) of 8 to 11: not in the "
                     "Finvoice document");
    }
  }
  if (inv_.seller.legal_info.empty() && listed.empty()) return;
  w_.Start("SellerInformationDetails");
  Text("SellerAdditionalLegalInfo", inv_.seller.legal_info, 0, 512, "/seller/legal_info",
       "seller additional legal information (BT-33)");
  for (size_t k = 0; k < listed.size(); ++k) {
    const model::CreditTransfer& t = *listed[k];
    const std::string account = WithoutSpaces(t.account_id);
    w_.Start("SellerAccountDetails");
    w_.Leaf("SellerAccountID", account, "IdentificationSchemeName",
            LooksLikeIban(account) ? "IBAN" : "BBAN");
    w_.Leaf("SellerBic", t.bank_id, "IdentificationSchemeName", "BIC");
    if (Fits(t.account_name, 1, 70)) {
      w_.Leaf("SellerAccountName", t.account_name);
    } else if (listed_index[k] > 0 && !t.account_name.empty()) {
      Lost("/payment/credit_transfers/" + std::to_string(listed_index[k]) + "/account_name",
           "the payment account name (BT-85) has more than 70 characters: not written");
    }
    w_.End();
  }
  w_.End();
}

void DocumentWriter::PaymentCardAndDirectDebit() {
  if (!inv_.payment) return;
  const model::PaymentInstructions& p = *inv_.payment;
  if (p.card) {
    const std::string path = "/payment/card";
    std::string number = Fit(p.card->account_number, 1, 19, path + "/account_number",
                             "payment card primary account number (BT-87)", Overflow::kDrop);
    if (!number.empty()) {
      w_.Start("PaymentCardInfo");
      w_.Leaf("PrimaryAccountNumber", number);
      Text("CardHolderName", p.card->holder_name, 1, 70, path + "/holder_name",
           "card holder name (BT-88)");
      w_.End();
    } else if (!p.card->holder_name.empty()) {
      Lost(path + "/holder_name",
           "the card holder name (BT-88) without a card number (BT-87): Finvoice needs the number "
           "in PaymentCardInfo; not written");
    }
    if (!p.card->network.empty()) {
      Lost(path + "/network",
           "the card network '" + p.card->network + "' has no place in Finvoice; not written");
    }
  }
  if (p.direct_debit) {
    const model::DirectDebit& d = *p.direct_debit;
    const std::string path = "/payment/direct_debit";
    w_.Start("DirectDebitInfo");
    Text("MandateReference", d.mandate_reference, 1, 35, path + "/mandate_reference",
         "mandate reference identifier (BT-89)", Overflow::kDrop);
    Text("CreditorIdentifier", d.creditor_id, 1, 35, path + "/creditor_id",
         "bank assigned creditor identifier (BT-90)", Overflow::kDrop);
    if (!d.debited_account.empty()) {
      if (IsNameChars(d.debited_account) && d.debited_account.size() <= 34) {
        w_.Leaf("DebitedAccountID", d.debited_account, "IdentificationSchemeName",
                LooksLikeIban(d.debited_account) ? "IBAN" : "BBAN");
      } else {
        Lost(path + "/debited_account", "the debited account identifier (BT-91) '" +
                                            d.debited_account +
                                            "' is not an account number of at most 34 letters and "
                                            "digits without spaces: not written");
      }
    }
    w_.End();
  }
}

void DocumentWriter::Epi() {
  const model::PaymentInstructions* p = inv_.payment ? &*inv_.payment : nullptr;
  const model::CreditTransfer* ct =
      p != nullptr && !p->credit_transfers.empty() ? &p->credit_transfers[0] : nullptr;
  std::string account = ct != nullptr ? WithoutSpaces(ct->account_id) : std::string();
  if (account.empty()) {
    Refuse("finvoice.required", "/payment/credit_transfers",
           "the invoice has no payment account identifier (BT-84, a credit transfer of BG-17): "
           "Finvoice's payment order "
           "(EpiDetails/EpiPartyDetails/EpiBeneficiaryPartyDetails/EpiAccountID) is mandatory on "
           "every invoice; add the seller's IBAN as a credit transfer");
  } else if (!IsNameChars(account) || account.size() > 34) {
    Refuse("finvoice.required", "/payment/credit_transfers/0/account_id",
           "the payment account identifier (BT-84) '" + ct->account_id +
               "' is not an account number of at most 34 letters and digits, which EpiAccountID "
               "requires");
  } else if (account != ct->account_id) {
    Lost("/payment/credit_transfers/0/account_id",
         "the payment account identifier (BT-84) '" + ct->account_id +
             "' is written without its spaces (EpiAccountID takes none): '" + account + "'");
  }
  // BT-83: a Finnish reference or an RF creditor reference is the structured remittance
  // information of the payment order; any other text goes to EpiReference when it can.
  std::string remittance = p != nullptr ? p->remittance_info : std::string();
  std::string structured, scheme, epi_reference;
  if (!remittance.empty()) {
    std::string compact = WithoutSpaces(remittance);
    if (!CheckPaddedFinnishReference(compact) && compact.size() <= 20) {
      structured = compact, scheme = "SPY";
    } else if (!CheckRfReference(compact) && compact.substr(0, 2) == "RF") {
      structured = compact, scheme = "ISO";
    } else if (IsNameChars(remittance) && CharCount(remittance) <= 35) {
      epi_reference = remittance;
    } else {
      Lost("/payment/remittance_info",
           "the remittance information (BT-83) '" + FirstChars(remittance, 60) +
               "' is neither a Finnish reference nor an RF creditor reference, and is not a token "
               "of at most 35 characters without spaces for EpiReference: not written");
    }
    if (!structured.empty() && structured != remittance) {
      Lost("/payment/remittance_info", "the payment reference (BT-83) '" + remittance +
                                           "' is written in its machine form without spaces: '" +
                                           structured + "'");
    }
  }
  w_.Start("EpiDetails");
  w_.Start("EpiIdentificationDetails");
  DateLeaf("EpiDate", inv_.issue_date);
  w_.Start("EpiReference");
  w_.Text(epi_reference);
  w_.End();
  w_.End();
  w_.Start("EpiPartyDetails");
  w_.Start("EpiBfiPartyDetails");
  const bool bic_ok = ct != nullptr && ct->bank_id.size() >= 8 && ct->bank_id.size() <= 11 &&
                      IsNameChars(ct->bank_id);
  if (bic_ok) w_.Leaf("EpiBfiIdentifier", ct->bank_id, "IdentificationSchemeName", "BIC");
  w_.End();
  w_.Start("EpiBeneficiaryPartyDetails");
  if (ct != nullptr) {
    size_t n = CharCount(ct->account_name);
    if (n >= 2 && n <= 35) w_.Leaf("EpiNameAddressDetails", ct->account_name);
  }
  w_.Leaf("EpiAccountID", account, "IdentificationSchemeName",
          LooksLikeIban(account) ? "IBAN" : "BBAN");
  w_.End();
  w_.End();
  w_.Start("EpiPaymentInstructionDetails");
  w_.Leaf("EpiRemittanceInfoIdentifier", structured, "IdentificationSchemeName", scheme);
  std::optional<std::string> instructed = FormatEpiAmount(inv_.totals.payable);
  if (!instructed) {
    Refuse("finvoice.amount", "/totals/payable",
           "the amount due (BT-115) " + inv_.totals.payable.ToString() +
               " needs more than the 2 decimals of EpiInstructedAmount; round it in the source");
  } else {
    w_.Leaf("EpiInstructedAmount", *instructed, "AmountCurrencyIdentifier", inv_.currency);
  }
  w_.Leaf("EpiCharge", "SHA", "ChargeOption", "SHA");  // SEPA: charges shared
  // The payment order needs a date: the due date (BT-9), else the issue date (payable at once).
  DateLeaf("EpiDateOptionDate",
           inv_.due_date ? inv_.due_date : std::optional<Date>(inv_.issue_date));
  if (p != nullptr) {
    Code("EpiPaymentMeansCode", p->means_code, "/payment/means_code",
         "payment means type code (BT-81)");
    Text("EpiPaymentMeansText", p->means_text, 1, 70, "/payment/means_text",
         "payment means text (BT-82)");
  }
  w_.End();
  w_.End();
}

}  // namespace gw::formats::finvoice::internal
