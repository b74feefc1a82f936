#include "formats/calc/vat_rules.h"

#include <map>
#include <string>

namespace gw::formats::calc {
namespace {

const Decimal kHundred = Decimal::FromInt(100);

bool Taxed(std::string_view c) { return c == "S" || c == "L" || c == "M"; }
bool ZeroRated(std::string_view c) {
  return c == "Z" || c == "E" || c == "AE" || c == "K" || c == "G";
}

// EN16931 rule prefix of a category: BR-S, BR-AE, BR-IC (K), BR-AF (L), BR-AG (M), ...
std::string RulePrefix(std::string_view c) {
  if (c == "K") return "BR-IC";
  if (c == "L") return "BR-AF";
  if (c == "M") return "BR-AG";
  return "BR-" + std::string(c);
}

std::string RateText(const std::optional<Decimal>& rate) {
  return rate ? rate->Normalized().ToString() + " %" : "no rate";
}

bool SameRate(const std::optional<Decimal>& a, const std::optional<Decimal>& b) {
  if (a.has_value() != b.has_value()) return false;
  return !a || *a == *b;
}

struct Group {
  model::VatBreakdown b;
  std::string where;  // first line or allowance/charge with this category and rate
  int items = 0;      // how many amounts were added (bounds per-line rounding of given VAT)
};

class Builder {
 public:
  Builder(model::Invoice& inv, std::vector<Finding>& findings) : inv_(inv), findings_(findings) {}

  void Run() {
    for (size_t i = 0; i < inv_.lines.size(); ++i) {
      auto& line = inv_.lines[i];
      std::string where = "/lines/" + std::to_string(i);
      NormalizeRate(line.vat, where);
      Add(line.vat, line.net_amount, line.exemption_reason, line.exemption_reason_code, where);
    }
    size_t n_allow = 0, n_charge = 0;
    for (auto& ac : inv_.allowances_charges) {
      std::string where = ac.is_charge ? "/charges/" + std::to_string(n_charge++)
                                       : "/allowances/" + std::to_string(n_allow++);
      NormalizeRate(ac.vat, where);
      Add(ac.vat, ac.is_charge ? ac.amount : -ac.amount, ac.exemption_reason,
          ac.exemption_reason_code, where);
    }
    for (Group& g : groups_) {
      const std::string& c = g.b.category.code;
      g.b.tax_amount = Taxed(c) && g.b.category.rate
                           ? (g.b.taxable_amount * *g.b.category.rate).DividedBy(kHundred, 2)
                           : Decimal().WithScale(2);
      g.b.taxable_amount = g.b.taxable_amount.WithScale(2);
    }
    if (inv_.vat_breakdown_given) MergeGiven();
    for (Group& g : groups_) CheckExemption(g);
    inv_.vat_breakdown.clear();
    for (Group& g : groups_) inv_.vat_breakdown.push_back(std::move(g.b));
  }

 private:
  void Finding_(std::string rule, std::string where, std::string message) {
    findings_.push_back(
        Finding{std::move(rule), Finding::Severity::kFatal, std::move(where), std::move(message)});
  }

  // Zero-rated categories default to rate 0; rate rules BR-x-05 (lines) / -06 / -07.
  void NormalizeRate(model::VatCategory& vat, const std::string& where) {
    const std::string& c = vat.code;
    if (c.empty()) return;
    std::string prefix = RulePrefix(c);
    if (ZeroRated(c)) {
      if (!vat.rate) vat.rate = Decimal();
      if (!vat.rate->is_zero()) {
        Finding_(prefix + "-05", where + "/vat_rate",
                 "VAT category " + c + " must have rate 0, found " + vat.rate->ToString());
      }
    } else if (c == "O") {
      if (vat.rate) {
        Finding_("BR-O-05", where + "/vat_rate",
                 "VAT category O (not subject to VAT) must not have a VAT rate; remove 'vat_rate'");
        vat.rate.reset();
      }
    } else if (!vat.rate) {
      Finding_(prefix + "-05", where + "/vat_rate",
               "missing required field 'vat_rate' for VAT category " + c);
    } else if (c == "S" ? !(*vat.rate > Decimal()) : vat.rate->is_negative()) {
      Finding_(prefix + "-05", where + "/vat_rate",
               "VAT category " + c + " needs a rate " + (c == "S" ? "above 0" : "of 0 or more") +
                   ", found " + vat.rate->ToString());
    }
  }

  void Add(const model::VatCategory& vat, const Decimal& amount, const std::string& reason,
           const std::string& code, const std::string& where) {
    if (vat.code.empty()) return;
    Group* g = nullptr;
    for (Group& candidate : groups_) {
      if (candidate.b.category.code == vat.code && SameRate(candidate.b.category.rate, vat.rate)) {
        g = &candidate;
        break;
      }
    }
    if (g == nullptr) {
      groups_.emplace_back();
      g = &groups_.back();
      g->b.category = vat;
      g->where = where;
    }
    g->b.taxable_amount += amount;
    ++g->items;
    TakeReason(g->b.exemption_reason, reason, where + "/exemption_reason", *g);
    TakeReason(g->b.exemption_reason_code, code, where + "/exemption_reason_code", *g);
  }

  void TakeReason(std::string& slot, const std::string& value, const std::string& where,
                  const Group& g) {
    if (value.empty()) return;
    if (slot.empty()) {
      slot = value;
    } else if (slot != value) {
      Finding_("calc.exemption", where,
               "VAT category " + g.b.category.code + " has two different exemption reasons ('" +
                   slot + "' and '" + value + "'); one VAT breakdown holds one reason");
    }
  }

  void MergeGiven() {
    std::vector<bool> matched(groups_.size(), false);
    for (size_t i = 0; i < inv_.vat_breakdown.size(); ++i) {
      const model::VatBreakdown& given = inv_.vat_breakdown[i];
      std::string where = "/vat_breakdown/" + std::to_string(i);
      std::optional<Decimal> rate = given.category.rate;
      if (!rate && ZeroRated(given.category.code)) rate = Decimal();
      size_t k = 0;
      while (k < groups_.size() && !(groups_[k].b.category.code == given.category.code &&
                                     SameRate(groups_[k].b.category.rate, rate))) {
        ++k;
      }
      if (k == groups_.size()) {
        Finding_("calc.mismatch", where,
                 "no line or document allowance/charge has VAT category " + given.category.code +
                     " with " + RateText(rate) + "; remove this VAT breakdown entry");
        continue;
      }
      matched[k] = true;
      Group& g = groups_[k];
      if (given.taxable_amount != g.b.taxable_amount) {
        Finding_("calc.mismatch", where + "/taxable_amount",
                 "the taxable amount of VAT category " + g.b.category.code + " " +
                     RateText(g.b.category.rate) + " is " + given.taxable_amount.ToString() +
                     " but the gateway computes " + g.b.taxable_amount.ToString() +
                     " (BR-CO-18: Σ line net amounts + charges − allowances); expected " +
                     g.b.taxable_amount.ToString() + ", received " +
                     given.taxable_amount.ToString());
      }
      // The ERP's VAT amount may differ by its per-line rounding: at most half a cent per
      // amount added, and never beyond the 1-unit tolerance of BR-CO-17. It is then kept.
      Decimal bound = Decimal::FromParts(5, 3) * Decimal::FromInt(g.items);
      if (bound < Decimal::FromParts(1, 2)) bound = Decimal::FromParts(1, 2);
      if (Decimal::FromInt(1) < bound) bound = Decimal::FromInt(1);
      Decimal diff = (given.tax_amount - g.b.tax_amount).Abs();
      if (given.tax_amount.SignificantScale() > 2) {
        Finding_("BR-DEC-20", where + "/tax_amount",
                 "amount " + given.tax_amount.ToString() + " has more than 2 decimals");
      } else if (diff > bound) {
        Finding_("calc.mismatch", where + "/tax_amount",
                 "the VAT amount of category " + g.b.category.code + " " +
                     RateText(g.b.category.rate) + " is " + given.tax_amount.ToString() +
                     " but the gateway computes " + g.b.tax_amount.ToString() +
                     " (BR-CO-17: taxable amount × rate ÷ 100); expected " +
                     g.b.tax_amount.ToString() + ", received " + given.tax_amount.ToString());
      } else {
        g.b.tax_amount = given.tax_amount.WithScale(2);
      }
      if (g.b.exemption_reason.empty()) g.b.exemption_reason = given.exemption_reason;
      if (g.b.exemption_reason_code.empty()) g.b.exemption_reason_code = given.exemption_reason_code;
    }
    for (size_t k = 0; k < groups_.size(); ++k) {
      if (matched[k]) continue;
      const Group& g = groups_[k];
      Finding_("calc.mismatch", "/vat_breakdown",
               "the VAT breakdown has no entry for category " + g.b.category.code + " " +
                   RateText(g.b.category.rate) + "; expected taxable amount " +
                   g.b.taxable_amount.ToString() + " and VAT " + g.b.tax_amount.ToString());
    }
  }

  void CheckExemption(Group& g) {
    const std::string& c = g.b.category.code;
    bool has_reason = !g.b.exemption_reason.empty() || !g.b.exemption_reason_code.empty();
    if (Taxed(c) || c == "Z") {
      if (has_reason) {
        Finding_(RulePrefix(c) + "-10", g.where + "/exemption_reason",
                 "VAT category " + c + " must not have an exemption reason; remove it");
      }
      return;
    }
    if (!has_reason) {
      const char* code = DefaultExemptionCode(c);
      if (*code != '\0') {
        g.b.exemption_reason_code = code;
      } else {
        Finding_(RulePrefix(c) + "-10", g.where + "/exemption_reason",
                 "VAT category " + c +
                     " (exempt) needs an 'exemption_reason' text or an 'exemption_reason_code' "
                     "(VATEX, e.g. VATEX-EU-132)");
      }
    }
  }

  model::Invoice& inv_;
  std::vector<Finding>& findings_;
  std::vector<Group> groups_;
};

}  // namespace

const char* DefaultExemptionCode(std::string_view category) {
  if (category == "AE") return "VATEX-EU-AE";
  if (category == "K") return "VATEX-EU-IC";
  if (category == "G") return "VATEX-EU-G";
  if (category == "O") return "VATEX-EU-O";
  return "";
}

void BuildVatBreakdown(model::Invoice& invoice, std::vector<Finding>& findings) {
  Builder(invoice, findings).Run();
}

void CheckVatCategoryRules(const model::Invoice& inv, std::vector<Finding>& findings) {
  // First place each category is used, in document order.
  std::map<std::string, std::string> first_use;
  for (size_t i = 0; i < inv.lines.size(); ++i) {
    first_use.emplace(inv.lines[i].vat.code, "/lines/" + std::to_string(i) + "/vat_category");
  }
  size_t n_allow = 0, n_charge = 0;
  for (const auto& ac : inv.allowances_charges) {
    std::string where = ac.is_charge ? "/charges/" + std::to_string(n_charge++)
                                     : "/allowances/" + std::to_string(n_allow++);
    first_use.emplace(ac.vat.code, where + "/vat_category");
  }
  first_use.erase("");
  auto add = [&](std::string rule, std::string where, std::string message) {
    findings.push_back(
        Finding{std::move(rule), Finding::Severity::kFatal, std::move(where), std::move(message)});
  };
  bool seller_vat = !inv.seller.vat_id.empty();
  bool rep_vat = inv.tax_representative && !inv.tax_representative->vat_id.empty();
  bool seller_tax_reg = !inv.seller.tax_registration_id.empty();
  bool buyer_vat = !inv.buyer.vat_id.empty();
  for (const auto& [c, where] : first_use) {
    std::string rule = RulePrefix(c) + "-02";
    if (c == "O") {
      if (seller_vat || rep_vat || buyer_vat) {
        add("BR-O-02", where,
            "VAT category O (not subject to VAT) excludes the seller, tax representative and buyer "
            "VAT identifiers; remove them or use another category");
      }
      if (first_use.size() > 1) {
        add("BR-O-11", where,
            "an invoice with VAT category O must not contain other VAT categories");
      }
      continue;
    }
    bool seller_ok = (c == "K" || c == "G") ? (seller_vat || rep_vat)
                                            : (seller_vat || rep_vat || seller_tax_reg);
    if (!seller_ok) {
      add(rule, "/seller/vat_id",
          "VAT category " + c + " (used at " + where + ") needs the seller's 'vat_id'" +
              (c == "K" || c == "G" ? "" : " or 'tax_registration_id'") +
              " or a tax representative's 'vat_id'");
    }
    if (c == "AE" && !buyer_vat && inv.buyer.legal_registration_id.empty()) {
      add(rule, "/buyer/vat_id",
          "reverse charge (AE, used at " + where +
              ") needs the buyer's 'vat_id' or 'legal_registration_id'");
    }
    if (c == "K") {
      if (!buyer_vat) {
        add(rule, "/buyer/vat_id",
            "intra-community supply (K, used at " + where + ") needs the buyer's 'vat_id'");
      }
      if (!(inv.delivery && inv.delivery->date) && inv.invoice_period.empty()) {
        add("BR-IC-11", "/delivery/date",
            "intra-community supply (K) needs the delivery 'date' or an 'invoice_period'");
      }
      if (!inv.delivery || inv.delivery->address.country.empty()) {
        add("BR-IC-12", "/delivery/address/country",
            "intra-community supply (K) needs the delivery address 'country'");
      }
    }
  }
}

}  // namespace gw::formats::calc
