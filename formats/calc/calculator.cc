// EN16931 totals and VAT breakdown. Rules cited by id: BR-CO-10..17 (totals), BR-DEC-* (at most
// two decimals on amounts), PEPPOL-EN16931-R040/R120 (allowance and line amounts), and the
// per-category rules BR-S/Z/E/AE/IC/G/O/AF/AG-*.
#include "formats/calc/calculator.h"

#include <string>

#include "formats/calc/vat_rules.h"

namespace gw::formats::calc {
namespace {

using model::AllowanceCharge;
using model::Invoice;

const Decimal kHundred = Decimal::FromInt(100);

class Calculator {
 public:
  explicit Calculator(Invoice& inv) : inv_(inv) {}

  Status Run() {
    for (size_t i = 0; i < inv_.lines.size(); ++i) CompleteLine(i);
    CompleteDocumentAllowances();
    BuildVatBreakdown(inv_, findings_);
    CompleteTotals();
    CheckVatCategoryRules(inv_, findings_);
    if (findings_.empty()) return OkStatus();
    size_t n = findings_.size();
    return Error::InvalidInput("the invoice amounts have " + std::to_string(n) +
                                   (n == 1 ? " error" : " errors"),
                               std::move(findings_));
  }

 private:
  void Add(std::string rule, std::string location, std::string message) {
    findings_.push_back(
        Finding{std::move(rule), Finding::Severity::kFatal, std::move(location), std::move(message)});
  }

  // BR-DEC-*: an amount the ERP sent must have at most two decimals.
  void CheckTwoDecimals(const Decimal& d, const std::string& where, const char* rule) {
    if (d.SignificantScale() > 2) {
      Add(rule, where, "amount " + d.ToString() + " has more than 2 decimals");
    }
  }

  // Compares what the ERP sent with what we computed; the value kept is the computed one.
  void Check(const std::optional<Decimal>& given, const Decimal& computed, const std::string& where,
             const char* term, const char* formula) {
    if (!given) return;
    if (Compare(*given, computed) != 0) {
      Add("calc.mismatch", where,
          std::string(term) + " is " + given->ToString() + " but the gateway computes " +
              computed.ToString() + " (" + formula + "); expected " + computed.ToString() +
              ", received " + given->ToString());
    }
  }

  void CheckOverflow(const Decimal& d, const std::string& where) {
    if (d.overflow()) Add("calc.overflow", where, "the amount is too large to compute exactly");
  }

  // Amount of an allowance or charge: given, or base × percentage ÷ 100 (PEPPOL-EN16931-R040).
  void CompleteAllowanceCharge(AllowanceCharge& ac, const std::string& where, bool document) {
    const char* dec_rule = document ? (ac.is_charge ? "BR-DEC-05" : "BR-DEC-01")
                                    : (ac.is_charge ? "BR-DEC-27" : "BR-DEC-24");
    if (ac.base_amount) CheckTwoDecimals(*ac.base_amount, where + "/base_amount", dec_rule);
    if (ac.percentage && ac.base_amount) {
      Decimal computed = (*ac.base_amount * *ac.percentage).DividedBy(kHundred, 2);
      CheckOverflow(computed, where + "/amount");
      if (ac.amount_given) {
        CheckTwoDecimals(ac.amount, where + "/amount", dec_rule);
        Check(ac.amount, computed, where + "/amount",
              ac.is_charge ? "the charge amount" : "the allowance amount",
              "base_amount × percentage ÷ 100");
      }
      ac.amount = computed;
    } else if (ac.amount_given) {
      CheckTwoDecimals(ac.amount, where + "/amount", dec_rule);
      ac.amount = ac.amount.WithScale(2);
    }
    if (ac.amount.is_negative()) {
      Add(ac.is_charge ? "calc.negative" : "calc.negative", where + "/amount",
          std::string("a ") + (ac.is_charge ? "charge" : "allowance") +
              " amount must not be negative (use a charge instead of a negative allowance)");
    }
  }

  void CompleteLine(size_t index) {
    model::Line& line = inv_.lines[index];
    std::string where = "/lines/" + std::to_string(index);
    Decimal adjustments;  // charges − allowances
    size_t n_allow = 0, n_charge = 0;
    for (AllowanceCharge& ac : line.allowances_charges) {
      std::string ac_where = where + (ac.is_charge ? "/charges/" + std::to_string(n_charge++)
                                                   : "/allowances/" + std::to_string(n_allow++));
      CompleteAllowanceCharge(ac, ac_where, false);
      adjustments += ac.is_charge ? ac.amount : -ac.amount;
    }
    // net = quantity × price ÷ base quantity + charges − allowances, rounded once at the end
    // (PEPPOL-EN16931-R120), computed as one exact fraction so the single rounding is correct.
    Decimal base = line.price.base_quantity.value_or(Decimal::FromInt(1));
    Decimal numerator = line.quantity * line.price.net + adjustments * base;
    Decimal computed = base.is_zero() ? Decimal() : numerator.DividedBy(base, 2);
    CheckOverflow(computed, where + "/net_amount");
    if (line.net_amount_given) {
      CheckTwoDecimals(line.net_amount, where + "/net_amount", "BR-DEC-23");
      Check(line.net_amount, computed, where + "/net_amount", "the line net amount",
            "quantity × price ÷ base quantity + charges − allowances");
    }
    line.net_amount = computed;
  }

  void CompleteDocumentAllowances() {
    size_t n_allow = 0, n_charge = 0;
    for (AllowanceCharge& ac : inv_.allowances_charges) {
      std::string where = ac.is_charge ? "/charges/" + std::to_string(n_charge++)
                                       : "/allowances/" + std::to_string(n_allow++);
      CompleteAllowanceCharge(ac, where, true);
    }
  }

  void CompleteTotals() {
    model::Totals& t = inv_.totals;
    const model::DeclaredTotals& d = inv_.declared_totals;
    t.line_net_total = Decimal().WithScale(2);
    for (const auto& line : inv_.lines) t.line_net_total += line.net_amount;
    Decimal allowances = Decimal().WithScale(2), charges = Decimal().WithScale(2);
    bool any_allowance = false, any_charge = false;
    for (const auto& ac : inv_.allowances_charges) {
      (ac.is_charge ? charges : allowances) += ac.amount;
      (ac.is_charge ? any_charge : any_allowance) = true;
    }
    t.allowance_total = any_allowance || d.allowance_total ? std::optional(allowances) : std::nullopt;
    t.charge_total = any_charge || d.charge_total ? std::optional(charges) : std::nullopt;
    t.tax_exclusive = t.line_net_total - allowances + charges;
    t.vat_total = Decimal().WithScale(2);
    for (const auto& b : inv_.vat_breakdown) t.vat_total += b.tax_amount;
    t.tax_inclusive = t.tax_exclusive + t.vat_total;
    if (t.prepaid) CheckTwoDecimals(*t.prepaid, "/totals/prepaid", "BR-DEC-18");
    if (t.rounding) CheckTwoDecimals(*t.rounding, "/totals/rounding", "BR-DEC-19");
    if (t.vat_total_accounting) {
      CheckTwoDecimals(*t.vat_total_accounting, "/totals/vat_total_tax_currency", "BR-DEC-15");
    }
    t.payable = t.tax_inclusive - t.prepaid.value_or(Decimal()) + t.rounding.value_or(Decimal());
    t.payable = t.payable.WithScale(2);
    for (const Decimal* v : {&t.line_net_total, &t.tax_exclusive, &t.tax_inclusive, &t.payable}) {
      CheckOverflow(*v, "/totals");
    }
    Check(d.line_net_total, t.line_net_total, "/totals/line_net_total",
          "the sum of line net amounts (BT-106)", "BR-CO-10: Σ line net amounts");
    Check(d.allowance_total, allowances, "/totals/allowance_total",
          "the sum of allowances (BT-107)", "BR-CO-11: Σ document allowances");
    Check(d.charge_total, charges, "/totals/charge_total", "the sum of charges (BT-108)",
          "BR-CO-12: Σ document charges");
    Check(d.tax_exclusive, t.tax_exclusive, "/totals/tax_exclusive",
          "the total without VAT (BT-109)", "BR-CO-13: BT-106 − BT-107 + BT-108");
    Check(d.vat_total, t.vat_total, "/totals/vat_total", "the total VAT (BT-110)",
          "BR-CO-14: Σ VAT breakdown tax amounts");
    Check(d.tax_inclusive, t.tax_inclusive, "/totals/tax_inclusive",
          "the total with VAT (BT-112)", "BR-CO-15: BT-109 + BT-110");
    Check(d.payable, t.payable, "/totals/payable", "the amount due (BT-115)",
          "BR-CO-16: BT-112 − BT-113 + BT-114");
  }

  Invoice& inv_;
  std::vector<Finding> findings_;
};

}  // namespace

Status Complete(model::Invoice& invoice) { return Calculator(invoice).Run(); }

}  // namespace gw::formats::calc
