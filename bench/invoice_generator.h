// The benchmark invoices: an invoice of N lines in our JSON format (docs/formats/json.md), the
// same content for every benchmark (convert_bench, validate_bench). Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>

namespace gw::bench {

// The invoice sizes (number of lines) every benchmark measures.
inline constexpr int kSizes[] = {1, 10, 100, 1000};

struct GeneratedInvoice {
  int lines = 0;
  std::string json;           // our JSON, minimal form: the gateway computes amounts and totals
  int64_t payable_cents = 0;  // the PayableAmount (BT-115) the gateway must arrive at
};

// An invoice of `n` lines (n >= 1) in our JSON format, minimal form (the ERP sends lines; the
// gateway computes line amounts, allowance amounts, VAT breakdown and totals). The content is
// deterministic: the same `n` always gives the same text.
GeneratedInvoice MakeInvoice(int n);

// Removes "--dump_dir=DIR" from the command line (before benchmark::Initialize sees the rest)
// and returns DIR, or "" when absent. Both benchmarks can write their documents there.
std::string TakeDumpDirFlag(int& argc, char** argv);

// An amount in cents as a decimal with 2 digits: 12345 -> "123.45".
std::string Cents(int64_t cents);

}  // namespace gw::bench
