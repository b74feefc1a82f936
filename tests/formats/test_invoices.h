// Small ERP JSON invoices for unit tests, built as text so each test states what it varies.
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace gw::testing {

// The whole content of a file ("" when it cannot be read).
inline std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// A valid minimal invoice (EE seller, LV buyer, S 22 %) whose `lines` array is `lines_json`,
// with `extra` (e.g. `"totals": {...},`) inserted before "lines".
inline std::string InvoiceJson(const std::string& lines_json, const std::string& extra = "") {
  return R"({
  "number": "T-1", "issue_date": "2026-11-02", "currency": "EUR", "buyer_reference": "R1",
  "seller": {"name": "Seller OÜ", "vat_id": "EE102345678",
             "electronic_address": {"id": "12345678", "scheme": "0191"},
             "address": {"city": "Tallinn", "country": "EE"}},
  "buyer": {"name": "Buyer SIA", "vat_id": "LV40003000001",
            "electronic_address": {"id": "LV40003000001", "scheme": "9939"},
            "address": {"city": "Riga", "country": "LV"}},
  )" + extra + R"(
  "lines": )" + lines_json + "}";
}

inline std::string Line(const std::string& quantity, const std::string& price,
                        const std::string& rest = R"("vat_category": "S", "vat_rate": "22")") {
  return R"({"quantity": )" + quantity + R"(, "unit": "C62", "price": )" + price + ", " + rest +
         R"(, "item": {"name": "Thing"}})";
}

}  // namespace gw::testing
