// Benchmark of the native validation of UBL invoices (formats/validation/validator.h: parse into
// our DOM, then the official EN16931 and Peppol BIS Billing 3.0 rules, chosen by
// cbc:CustomizationID), single thread, for invoices of 1, 10, 100 and 1,000 lines.
// bench/validate_run compares it with the official Schematron oracle
// (../shared/conformance/validate) in a warm JVM.
//
// The documents are the gateway's own UBL for the invoices of convert_bench
// (bench/invoice_generator.h, converted with gw::formats::Convert "json" -> "ubl"). Before any
// timing, every document is parsed and validated once; the program exits 1, printing the
// findings, if one has a fatal finding or does not parse. An error inside a timed loop also fails
// the run.
//
// Extra flag besides the --benchmark_* ones:
//   --dump_dir=DIR   write validate-N.xml (the documents validated) per size into DIR, so that the
//                    oracle validates the very same bytes.

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "bench/invoice_generator.h"
#include "formats/registry/builtin.h"
#include "formats/registry/format_registry.h"
#include "formats/validation/validator.h"
#include "formats/xml/xml_document.h"
#include "gateway/process/allocator.h"

namespace {

namespace validation = gw::formats::validation;
namespace xml = gw::formats::xml;

struct Fixture {
  int lines = 0;
  std::string ubl;  // the document validated
};
std::vector<Fixture> g_fixtures;
bool g_failed = false;

const Fixture& FixtureFor(int lines) {
  for (const Fixture& f : g_fixtures) {
    if (f.lines == lines) return f;
  }
  std::fprintf(stderr, "validate_bench: no fixture for %d lines\n", lines);
  std::abort();
}

void SetCounters(benchmark::State& state, const Fixture& f) {
  state.SetItemsProcessed(state.iterations() * f.lines);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(f.ubl.size()));
  state.counters["lines"] = f.lines;
  state.counters["bytes"] = static_cast<double>(f.ubl.size());
}

void Fail(benchmark::State& state, const char* step, int lines, const std::string& why) {
  std::fprintf(stderr, "validate_bench: %s of the %d-line invoice failed:\n%s\n", step, lines,
               why.c_str());
  g_failed = true;
  state.SkipWithError(step);
}

// The whole validation as the gateway runs it: UBL text -> report (parse, EN16931, Peppol).
void BM_Validate(benchmark::State& state) {
  const Fixture& f = FixtureFor(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto report = validation::Validate(f.ubl);
    if (!report) {
      Fail(state, "Validate", f.lines, report.error().ToString());
      break;
    }
    if (!report->valid()) {
      Fail(state, "Validate", f.lines, "the report has a fatal finding");
      break;
    }
    benchmark::DoNotOptimize(report->findings.data());
  }
  SetCounters(state, f);
}

// The parse alone: UBL text -> xml::Document (the text reader; libxml2 SAX2 for what it declines).
void BM_Parse(benchmark::State& state) {
  const Fixture& f = FixtureFor(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto doc = xml::Document::Parse(f.ubl);
    if (!doc) {
      Fail(state, "Document::Parse", f.lines, doc.error().ToString());
      break;
    }
    benchmark::DoNotOptimize(doc->size());
  }
  SetCounters(state, f);
}

std::string Describe(const validation::Report& report) {
  std::string s = "syntax \"" + report.syntax + "\", rule sets:";
  for (const std::string& r : report.rules) s += " " + r;
  for (const gw::Finding& finding : report.findings) {
    s += "\n  ";
    s += finding.severity == gw::Finding::Severity::kFatal ? "fatal   " : "warning ";
    s += finding.rule + " at " + finding.location + ": " + finding.message;
  }
  return s;
}

// Builds the documents, validates each once and checks the report. Returns false (after printing
// why) on any error or fatal finding.
bool PrepareAndCheck(const gw::formats::FormatRegistry& registry, const std::string& dump_dir) {
  for (int n : gw::bench::kSizes) {
    const gw::bench::GeneratedInvoice invoice = gw::bench::MakeInvoice(n);
    auto ubl = gw::formats::Convert(registry, "json", "ubl", invoice.json);
    if (!ubl) {
      std::fprintf(stderr, "validate_bench: converting the %d-line invoice to UBL failed:\n%s\n", n,
                   ubl.error().ToString().c_str());
      return false;
    }
    auto report = validation::Validate(*ubl);
    if (!report) {
      std::fprintf(stderr, "validate_bench: validating the %d-line invoice failed:\n%s\n", n,
                   report.error().ToString().c_str());
      return false;
    }
    // Both rule sets must have run (the Peppol one is chosen by cbc:CustomizationID), else we would
    // time less than the oracle does.
    bool en16931 = false, peppol = false;
    for (const std::string& r : report->rules) {
      en16931 |= r.starts_with("en16931-ubl@");
      peppol |= r.starts_with("peppol-bis3@");
    }
    if (!report->valid() || !en16931 || !peppol) {
      std::fprintf(stderr,
                   "validate_bench: the %d-line invoice is not valid under EN16931 + Peppol:\n%s\n",
                   n, Describe(*report).c_str());
      return false;
    }
    auto doc = xml::Document::Parse(*ubl);
    if (!doc) {
      std::fprintf(stderr, "validate_bench: parsing the %d-line invoice failed:\n%s\n", n,
                   doc.error().ToString().c_str());
      return false;
    }
    const std::string suffix = "_" + std::to_string(n);
    std::string rules;
    for (const std::string& r : report->rules) rules += (rules.empty() ? "" : ",") + r;
    benchmark::AddCustomContext("bytes" + suffix, std::to_string(ubl->size()));
    benchmark::AddCustomContext("nodes" + suffix, std::to_string(doc->size()));
    benchmark::AddCustomContext("findings" + suffix, std::to_string(report->findings.size()));
    benchmark::AddCustomContext("rules" + suffix, rules);
    if (!dump_dir.empty()) {
      const std::string path = dump_dir + "/validate-" + std::to_string(n) + ".xml";
      std::ofstream out(path, std::ios::binary);
      out << *ubl;
      if (!out.flush()) {
        std::fprintf(stderr, "validate_bench: cannot write %s\n", path.c_str());
        return false;
      }
    }
    g_fixtures.push_back(Fixture{n, std::move(*ubl)});
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

  gw::formats::FormatRegistry registry;
  if (auto status = gw::formats::RegisterBuiltinFormats(registry); !status) {
    std::fprintf(stderr, "validate_bench: RegisterBuiltinFormats failed: %s\n",
                 status.error().ToString().c_str());
    return 1;
  }
  if (!PrepareAndCheck(registry, dump_dir)) return 1;

  for (int n : gw::bench::kSizes) {
    benchmark::RegisterBenchmark("BM_Validate", BM_Validate)->Arg(n)->Unit(benchmark::kMicrosecond);
  }
  for (int n : gw::bench::kSizes) {
    benchmark::RegisterBenchmark("BM_Parse", BM_Parse)->Arg(n)->Unit(benchmark::kMicrosecond);
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  if (g_failed) {
    std::fprintf(stderr, "validate_bench: FAILED: a validation returned an error (see above)\n");
    return 1;
  }
  return 0;
}
