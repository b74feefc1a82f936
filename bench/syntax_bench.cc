// Benchmark of the two XML syntaxes side by side: writing a completed invoice as UBL and as CII,
// and reading each back into the model, for the invoices of convert_bench (1, 10, 100, 1,000
// lines). bench/syntax_run prints CII ÷ UBL per size (the target: CII within 2 times UBL).
//
// Before any timing every document is written and read back once, and the two models read must
// carry the same lines and amount due; the program exits 1 otherwise.

#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>
#include <vector>

#include "bench/invoice_generator.h"
#include "formats/calc/calculator.h"
#include "formats/cii/cii_reader.h"
#include "formats/cii/cii_writer.h"
#include "formats/json/json_reader.h"
#include "formats/ubl/ubl_reader.h"
#include "formats/ubl/ubl_writer.h"
#include "gateway/process/allocator.h"

namespace {

struct Fixture {
  int lines = 0;
  gw::model::Invoice completed;
  std::string ubl;
  std::string cii;
};
std::vector<Fixture> g_fixtures;
bool g_failed = false;

const Fixture& FixtureFor(int lines) {
  for (const Fixture& f : g_fixtures) {
    if (f.lines == lines) return f;
  }
  std::abort();
}

void Fail(benchmark::State& state, const char* what, const gw::Error& e) {
  std::fprintf(stderr, "syntax_bench: %s failed: %s\n", what, e.ToString().c_str());
  g_failed = true;
  state.SkipWithError(what);
}

template <bool kCii>
void BM_Write(benchmark::State& state) {
  const Fixture& f = FixtureFor(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto xml = kCii ? gw::formats::cii::WriteInvoice(f.completed) : gw::formats::ubl::WriteInvoice(f.completed);
    if (!xml) {
      Fail(state, "WriteInvoice", xml.error());
      break;
    }
    benchmark::DoNotOptimize(xml->data());
  }
  state.SetItemsProcessed(state.iterations() * f.lines);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>((kCii ? f.cii : f.ubl).size()));
}

template <bool kCii>
void BM_Read(benchmark::State& state) {
  const Fixture& f = FixtureFor(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto invoice = kCii ? gw::formats::cii::ReadInvoice(f.cii) : gw::formats::ubl::ReadInvoice(f.ubl);
    if (!invoice) {
      Fail(state, "ReadInvoice", invoice.error());
      break;
    }
    benchmark::DoNotOptimize(invoice->lines.data());
  }
  state.SetItemsProcessed(state.iterations() * f.lines);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>((kCii ? f.cii : f.ubl).size()));
}

bool Prepare() {
  for (int n : gw::bench::kSizes) {
    Fixture f;
    f.lines = n;
    auto parsed = gw::formats::json::ReadInvoice(gw::bench::MakeInvoice(n).json);
    if (!parsed) return std::fprintf(stderr, "syntax_bench: %s\n", parsed.error().ToString().c_str()), false;
    f.completed = *parsed;
    if (auto st = gw::formats::calc::Complete(f.completed); !st) {
      return std::fprintf(stderr, "syntax_bench: %s\n", st.error().ToString().c_str()), false;
    }
    auto ubl = gw::formats::ubl::WriteInvoice(f.completed);
    auto cii = gw::formats::cii::WriteInvoice(f.completed);
    if (!ubl || !cii) return std::fprintf(stderr, "syntax_bench: a writer failed\n"), false;
    f.ubl = *ubl;
    f.cii = *cii;
    auto from_ubl = gw::formats::ubl::ReadInvoice(f.ubl);
    auto from_cii = gw::formats::cii::ReadInvoice(f.cii);
    if (!from_ubl || !from_cii || from_ubl->lines.size() != static_cast<size_t>(n) ||
        from_cii->lines.size() != static_cast<size_t>(n) || from_ubl->totals.payable != from_cii->totals.payable) {
      std::fprintf(stderr, "syntax_bench: the %d-line invoice does not read back the same from UBL and CII\n", n);
      return false;
    }
    benchmark::AddCustomContext("ubl_bytes_" + std::to_string(n), std::to_string(f.ubl.size()));
    benchmark::AddCustomContext("cii_bytes_" + std::to_string(n), std::to_string(f.cii.size()));
    g_fixtures.push_back(std::move(f));
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  gw::ConfigureAllocatorForThroughput();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  if (!Prepare()) return 1;
  for (int n : gw::bench::kSizes) {
    benchmark::RegisterBenchmark("BM_WriteUbl", BM_Write<false>)->Arg(n)->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark("BM_WriteCii", BM_Write<true>)->Arg(n)->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark("BM_ReadUbl", BM_Read<false>)->Arg(n)->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark("BM_ReadCii", BM_Read<true>)->Arg(n)->Unit(benchmark::kMicrosecond);
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return g_failed ? 1 : 0;
}
