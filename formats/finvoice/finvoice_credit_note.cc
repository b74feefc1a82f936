#include "formats/finvoice/finvoice_credit_note.h"

namespace gw::formats::finvoice::internal {
namespace {

void Negate(Decimal& d) { d = -d; }
void Negate(std::optional<Decimal>& d) {
  if (d) *d = -*d;
}

void Negate(model::AllowanceCharge& ac) {
  Negate(ac.amount);
  Negate(ac.base_amount);
}

}  // namespace

void NegateAmounts(model::Invoice& inv) {
  for (model::Line& line : inv.lines) {
    Negate(line.quantity);
    Negate(line.net_amount);
    for (model::AllowanceCharge& ac : line.allowances_charges) Negate(ac);
  }
  for (model::AllowanceCharge& ac : inv.allowances_charges) Negate(ac);
  for (model::VatBreakdown& b : inv.vat_breakdown) {
    Negate(b.taxable_amount);
    Negate(b.tax_amount);
  }
  model::Totals& t = inv.totals;
  Negate(t.line_net_total);
  Negate(t.allowance_total);
  Negate(t.charge_total);
  Negate(t.tax_exclusive);
  Negate(t.vat_total);
  Negate(t.vat_total_accounting);
  Negate(t.tax_inclusive);
  Negate(t.prepaid);
  Negate(t.rounding);
  Negate(t.payable);
  model::DeclaredTotals& d = inv.declared_totals;
  Negate(d.line_net_total);
  Negate(d.allowance_total);
  Negate(d.charge_total);
  Negate(d.tax_exclusive);
  Negate(d.vat_total);
  Negate(d.tax_inclusive);
  Negate(d.payable);
}

}  // namespace gw::formats::finvoice::internal
