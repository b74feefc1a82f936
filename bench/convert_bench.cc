// Benchmark of the JSON -> UBL conversion (docs/formats/json.md -> Peppol BIS Billing 3.0), single
// thread, for invoices of 1, 10, 100 and 1,000 lines, and of its three steps (read, calculate,
// write) so that we see where the time goes. bench/run compares the whole path with the reference
// generator (bench/reference/bench.mjs, @e-invoice-eu/core) on invoices of the same content.
//
// Before any timing, every generated invoice is converted once and checked (no error, one
// cac:InvoiceLine per line, the PayableAmount we expect); a failure prints the error and the
// program exits 1. An error inside a timed loop also fails the run.
//
// Extra flag besides the --benchmark_* ones:
//   --dump_dir=DIR   write bench-N.json (our input) and bench-N.xml (our output) per size into DIR.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "bench/invoice_generator.h"
#include "formats/calc/calculator.h"
#include "formats/json/json_reader.h"
#include "formats/registry/builtin.h"
#include "formats/registry/format_registry.h"
#include "formats/ubl/ubl_writer.h"
#include "gateway/process/allocator.h"

namespace {

// The invoices: bench/invoice_generator.h (KEEP IN SYNC with reference/bench.mjs, see there).
using gw::bench::Cents;
using gw::bench::GeneratedInvoice;
using gw::bench::kSizes;
using gw::bench::MakeInvoice;

// ---------------------------------------------------------------------------------------------
// Shared state, built once before the benchmarks run.

gw::formats::FormatRegistry& Registry() {
  static gw::formats::FormatRegistry registry;
  return registry;
}

struct Fixture {
  GeneratedInvoice input;
  gw::model::Invoice parsed;     // ReadInvoice's result (input of the calculator benchmark)
  gw::model::Invoice completed;  // after calc::Complete (input of the writer benchmark)
  size_t output_bytes = 0;
};
std::vector<Fixture> g_fixtures;
bool g_failed = false;

const Fixture& FixtureFor(int lines) {
  for (const Fixture& f : g_fixtures) {
    if (f.input.lines == lines) return f;
  }
  std::fprintf(stderr, "convert_bench: no fixture for %d lines\n", lines);
  std::abort();
}

void Fail(benchmark::State& state, const char* step, int lines, const gw::Error& error) {
  std::fprintf(stderr, "convert_bench: %s of the %d-line invoice failed:\n%s\n", step, lines,
               error.ToString().c_str());
  g_failed = true;
  state.SkipWithError(step);
}

void SetCounters(benchmark::State& state, const Fixture& f, size_t bytes_per_iteration) {
  state.SetItemsProcessed(state.iterations() * f.input.lines);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes_per_iteration));
  state.counters["lines"] = f.input.lines;
  state.counters["input_bytes"] = static_cast<double>(f.input.json.size());
  state.counters["output_bytes"] = static_cast<double>(f.output_bytes);
}

// The whole path, as the gateway runs it: JSON text -> UBL text.
void BM_Convert(benchmark::State& state) {
  const Fixture& f = FixtureFor(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto xml = gw::formats::Convert(Registry(), "json", "ubl", f.input.json);
    if (!xml) {
      Fail(state, "Convert", f.input.lines, xml.error());
      break;
    }
    benchmark::DoNotOptimize(xml->data());
  }
  SetCounters(state, f, f.input.json.size());
}

// Step 1: parse and validate the JSON text into the model.
void BM_Read(benchmark::State& state) {
  const Fixture& f = FixtureFor(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto invoice = gw::formats::json::ReadInvoice(f.input.json);
    if (!invoice) {
      Fail(state, "ReadInvoice", f.input.lines, invoice.error());
      break;
    }
    benchmark::DoNotOptimize(invoice->lines.data());
  }
  SetCounters(state, f, f.input.json.size());
}

// Step 2: the calculator. Complete() modifies its invoice, so each iteration gets a fresh copy of
// the parsed invoice; the copies are made in batches with the timer paused, so neither the copy nor
// the pause is measured to any noticeable degree.
void BM_Complete(benchmark::State& state) {
  const Fixture& f = FixtureFor(static_cast<int>(state.range(0)));
  const size_t batch_size = std::max<size_t>(4, 4096 / static_cast<size_t>(f.input.lines));
  std::vector<gw::model::Invoice> batch(batch_size);
  size_t next = batch_size;
  for (auto _ : state) {
    if (next == batch_size) {
      state.PauseTiming();
      for (auto& invoice : batch) invoice = f.parsed;
      next = 0;
      state.ResumeTiming();
    }
    gw::model::Invoice& invoice = batch[next++];
    auto status = gw::formats::calc::Complete(invoice);
    if (!status) {
      Fail(state, "calc::Complete", f.input.lines, status.error());
      break;
    }
    benchmark::DoNotOptimize(invoice.totals);
  }
  SetCounters(state, f, f.input.json.size());
}

// Step 3: serialize the completed invoice as UBL. Bytes/s counts the XML written.
void BM_Write(benchmark::State& state) {
  const Fixture& f = FixtureFor(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto xml = gw::formats::ubl::WriteInvoice(f.completed);
    if (!xml) {
      Fail(state, "WriteInvoice", f.input.lines, xml.error());
      break;
    }
    benchmark::DoNotOptimize(xml->data());
  }
  SetCounters(state, f, f.output_bytes);
}

size_t CountOccurrences(std::string_view text, std::string_view needle) {
  size_t count = 0;
  for (size_t pos = text.find(needle); pos != std::string_view::npos;
       pos = text.find(needle, pos + needle.size())) {
    ++count;
  }
  return count;
}

// Converts every generated invoice once, step by step and as a whole, and checks the result.
// Returns false (after printing why) on any error.
bool PrepareAndCheck(const std::string& dump_dir) {
  for (int n : kSizes) {
    Fixture f;
    f.input = MakeInvoice(n);
    auto report = [&](const char* step, const gw::Error& e) {
      std::fprintf(stderr, "convert_bench: %s of the %d-line invoice failed:\n%s\n", step, n,
                   e.ToString().c_str());
      return false;
    };
    auto whole = gw::formats::Convert(Registry(), "json", "ubl", f.input.json);
    if (!whole) return report("Convert", whole.error());
    auto parsed = gw::formats::json::ReadInvoice(f.input.json);
    if (!parsed) return report("ReadInvoice", parsed.error());
    f.parsed = *parsed;
    f.completed = *parsed;
    auto status = gw::formats::calc::Complete(f.completed);
    if (!status) return report("calc::Complete", status.error());
    auto xml = gw::formats::ubl::WriteInvoice(f.completed);
    if (!xml) return report("WriteInvoice", xml.error());
    if (*xml != *whole) {
      std::fprintf(stderr, "convert_bench: %d lines: Convert and Read+Complete+Write differ\n", n);
      return false;
    }
    const size_t lines = CountOccurrences(*whole, "<cac:InvoiceLine>");
    if (lines != static_cast<size_t>(n)) {
      std::fprintf(stderr, "convert_bench: %d lines: the UBL has %zu cac:InvoiceLine elements\n", n,
                   lines);
      return false;
    }
    const std::string payable = "currencyID=\"EUR\">" + Cents(f.input.payable_cents) + "</cbc:PayableAmount>";
    if (whole->find(payable) == std::string::npos) {
      std::fprintf(stderr, "convert_bench: %d lines: the UBL lacks PayableAmount %s\n", n,
                   Cents(f.input.payable_cents).c_str());
      return false;
    }
    f.output_bytes = whole->size();
    if (!dump_dir.empty()) {
      std::ofstream(dump_dir + "/bench-" + std::to_string(n) + ".json") << f.input.json;
      std::ofstream(dump_dir + "/bench-" + std::to_string(n) + ".xml") << *whole;
    }
    benchmark::AddCustomContext("payable_" + std::to_string(n), Cents(f.input.payable_cents));
    benchmark::AddCustomContext("input_bytes_" + std::to_string(n), std::to_string(f.input.json.size()));
    benchmark::AddCustomContext("output_bytes_" + std::to_string(n), std::to_string(f.output_bytes));
    g_fixtures.push_back(std::move(f));
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  // Same allocator settings as the eigw program, so the figures are those of the product.
  gw::ConfigureAllocatorForThroughput();
  benchmark::Initialize(&argc, argv);
  std::string dump_dir = gw::bench::TakeDumpDirFlag(argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;

  if (auto status = gw::formats::RegisterBuiltinFormats(Registry()); !status) {
    std::fprintf(stderr, "convert_bench: RegisterBuiltinFormats failed: %s\n",
                 status.error().ToString().c_str());
    return 1;
  }
  if (!PrepareAndCheck(dump_dir)) return 1;

  for (int n : kSizes) {
    benchmark::RegisterBenchmark("BM_Convert", BM_Convert)->Arg(n)->Unit(benchmark::kMicrosecond);
  }
  for (int n : kSizes) {
    benchmark::RegisterBenchmark("BM_Read", BM_Read)->Arg(n)->Unit(benchmark::kMicrosecond);
  }
  for (int n : kSizes) {
    benchmark::RegisterBenchmark("BM_Complete", BM_Complete)->Arg(n)->Unit(benchmark::kMicrosecond);
  }
  for (int n : kSizes) {
    benchmark::RegisterBenchmark("BM_Write", BM_Write)->Arg(n)->Unit(benchmark::kMicrosecond);
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  if (g_failed) {
    std::fprintf(stderr, "convert_bench: FAILED: a conversion returned an error (see above)\n");
    return 1;
  }
  return 0;
}
