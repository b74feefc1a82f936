// The benchmark invoices (see invoice_generator.h).

#include "bench/invoice_generator.h"

#include <cstdio>
#include <cstring>
#include <string_view>

namespace gw::bench {
namespace {

// KEEP IN SYNC with ITEMS / makeLine in reference/bench.mjs: both sides must build the same
// business content (bench/run compares the payable amounts).

struct ItemSpec {
  const char* name;
  const char* unit;
  int64_t price_milli;  // price in thousandths of EUR
  int rate;             // VAT rate in percent, category S
};

constexpr ItemSpec kItems[] = {
    {"Printer paper A4, 500 sheets", "H87", 7625, 19},
    {"Hotel room (single), Köln", "DAY", 87500, 7},
    {"Consulting – senior engineer", "HUR", 125000, 19},
    {"Espresso beans, fair trade", "KGM", 21990, 7},
    {"Toner cartridge black XL", "H87", 64349, 19},
    {"Rail ticket Berlin–Hamburg", "C62", 49900, 7},
    {"Software licence, annual", "C62", 1199000, 19},
    {"Book \"EN 16931 explained\"", "H87", 39950, 7},
    {"Cleaning & maintenance <on site>", "HUR", 38125, 19},
    {"Organic apples", "KGM", 3499, 7},
    {"USB-C cable 2 m", "H87", 9875, 19},
    {"Newspaper subscription", "MON", 24300, 7},
};
constexpr int kItemCount = sizeof(kItems) / sizeof(kItems[0]);

// Half away from zero for non-negative integers.
int64_t RoundDiv(int64_t num, int64_t den) { return (num + den / 2) / den; }

void AppendFixed(std::string& out, int64_t value, int decimals) {
  int64_t unit = 1;
  for (int i = 0; i < decimals; ++i) unit *= 10;
  if (value < 0) {
    out += '-';
    value = -value;
  }
  out += std::to_string(value / unit);
  if (decimals > 0) {
    std::string frac = std::to_string(value % unit);
    out += '.';
    out.append(decimals - frac.size(), '0');
    out += frac;
  }
}

void AppendJsonString(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

}  // namespace

std::string Cents(int64_t cents) {
  std::string s;
  AppendFixed(s, cents, 2);
  return s;
}

// The payable amount is computed here as the gateway must compute it (line net = gross - allowance,
// VAT per rate on the sum of line nets, rounded half away from zero), so that convert_bench can
// check the gateway's result against it.
GeneratedInvoice MakeInvoice(int n) {
  GeneratedInvoice g;
  g.lines = n;
  std::string& j = g.json;
  j.reserve(1200 + static_cast<size_t>(n) * 330);
  j += R"({
  "number": "INV-2026-000123",
  "issue_date": "2026-03-02",
  "due_date": "2026-04-01",
  "currency": "EUR",
  "buyer_reference": "dept0815",
  "purchase_order_reference": "A7450891",
  "payment_terms": "Payable within 30 days without deduction.",
  "notes": ["Thank you for your order."],
  "seller": {
    "name": "Acme Ltd.",
    "vat_id": "DE202526944",
    "electronic_address": {"id": "DE202526944", "scheme": "9930"},
    "address": {"line1": "42 Milky Way", "city": "Faraway", "postal_code": "12345", "country": "DE"},
    "contact": {"name": "John Doe", "phone": "+49 221 765 43-21", "email": "jdoe@acme.example"}
  },
  "buyer": {
    "name": "Globex Corp.",
    "vat_id": "DE427984273",
    "electronic_address": {"id": "DE427984273", "scheme": "9930"},
    "address": {"line1": "742 Evergreen Terrace", "city": "Springfield", "postal_code": "80085", "country": "DE"}
  },
  "payment": {
    "means_code": "30",
    "remittance_info": "INV-2026-000123",
    "credit_transfer": {"account_id": "DE37080040012345678900", "account_name": "Acme Ltd.", "bank_id": "DRESDEFF370"}
  },
  "lines": [)";
  int64_t taxable_by_rate[2] = {0, 0};  // 19 %, 7 %
  for (int i = 0; i < n; ++i) {
    const ItemSpec& it = kItems[i % kItemCount];
    const bool kgm = std::strcmp(it.unit, "KGM") == 0;
    const int64_t qty_tenths = (1 + (static_cast<int64_t>(i) * 7) % 23) * 10 + (kgm ? 5 : 0);
    const int64_t price_milli = it.price_milli + (i % 5) * 125;
    const int64_t gross_cents = RoundDiv(qty_tenths * price_milli, 100);  // 1e-4 EUR -> cents
    int64_t net_cents = gross_cents;

    j += i == 0 ? "\n    {" : ",\n    {";
    j += "\"id\": \"" + std::to_string(i + 1) + "\", \"quantity\": \"";
    AppendFixed(j, qty_tenths % 10 == 0 ? qty_tenths / 10 : qty_tenths, qty_tenths % 10 == 0 ? 0 : 1);
    j += "\", \"unit\": \"";
    j += it.unit;
    j += "\", \"price\": \"";
    AppendFixed(j, price_milli, 3);
    j += "\", \"vat_category\": \"S\", \"vat_rate\": \"" + std::to_string(it.rate) + "\",";
    if (i % 5 == 0) {
      const int pct = i % 10 == 0 ? 10 : 5;
      net_cents -= RoundDiv(gross_cents * pct, 100);
      j += "\n     \"allowances\": [{\"percentage\": \"" + std::to_string(pct) + "\", \"base_amount\": \"" +
           Cents(gross_cents) + "\", \"reason\": \"Volume discount\", \"reason_code\": \"95\"}],";
    }
    j += "\n     \"item\": {\"name\": ";
    AppendJsonString(j, std::string(it.name) + ", lot " + std::to_string(1000 + i));
    j += "}}";
    taxable_by_rate[it.rate == 19 ? 0 : 1] += net_cents;
  }
  j += "\n  ]\n}\n";
  const int64_t line_net = taxable_by_rate[0] + taxable_by_rate[1];
  const int64_t vat = RoundDiv(taxable_by_rate[0] * 19, 100) + RoundDiv(taxable_by_rate[1] * 7, 100);
  g.payable_cents = line_net + vat;
  return g;
}

std::string TakeDumpDirFlag(int& argc, char** argv) {
  constexpr std::string_view kFlag = "--dump_dir=";
  std::string dump_dir;
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg.starts_with(kFlag)) {
      dump_dir = std::string(arg.substr(kFlag.size()));
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  return dump_dir;
}

}  // namespace gw::bench
