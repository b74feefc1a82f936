// Reading a 1,000,000-entry recipient registry dump (CSV and JSON, scripts/gen_registry_dump.py,
// written once into the temporary folder) with the streaming reader, and, for comparison, the
// same JSON parsed whole with the project's JSON parser. Counters: entries/s (items_per_second),
// entries, and peak_rss_mb of the process; run one benchmark per process (--benchmark_filter)
// for a peak that belongs to it alone. The directory sync's target: 1M entries in under 30 s
// including storage, so the reader should take well under 5 s.
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "formats/json/json_value.h"
#include "operators/directory/registry_dump.h"

namespace {

constexpr int kEntries = 1'000'000;

std::string SourceDir() {
#ifdef EIGW_SOURCE_DIR
  return EIGW_SOURCE_DIR;
#else
  return std::filesystem::path(__FILE__).parent_path().parent_path().parent_path().string();
#endif
}

// The dump in `format`, generated on first use (seed 1; the same bytes every time).
std::string Dump(const std::string& format) {
  auto path = std::filesystem::temp_directory_path() /
              ("eigw-registry-" + std::to_string(kEntries) + "-seed1." + format);
  if (!std::filesystem::exists(path)) {
    std::string tmp = path.string() + ".part";
    std::string cmd = "python3 " + SourceDir() + "/scripts/gen_registry_dump.py --format " + format +
                      " --entries " + std::to_string(kEntries) + " --seed 1 -o " + tmp;
    if (std::system(cmd.c_str()) != 0) std::abort();
    std::filesystem::rename(tmp, path);
  }
  return path.string();
}

double PeakRssMb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

void ReadDump(benchmark::State& state, const std::string& format) {
  std::string path = Dump(format);
  std::int64_t entries = 0;
  gw::operators::RegistryDumpStats stats;
  for (auto _ : state) {
    std::ifstream in(path, std::ios::binary);
    std::size_t names = 0;
    gw::Status s = gw::operators::ReadRegistryDump(
        in,
        [&](gw::operators::RegistryEntry&& e) {
          names += e.name.size();
          return gw::OkStatus();
        },
        &stats);
    if (!s || stats.entries != static_cast<std::uint64_t>(kEntries) || stats.problem_count != 0) {
      state.SkipWithError("the dump did not read completely");
      return;
    }
    benchmark::DoNotOptimize(names);
    entries += static_cast<std::int64_t>(stats.entries);
  }
  state.SetItemsProcessed(entries);
  state.SetBytesProcessed(static_cast<std::int64_t>(std::filesystem::file_size(path)) * state.iterations());
  state.counters["entries"] = static_cast<double>(stats.entries);
  state.counters["peak_rss_mb"] = PeakRssMb();
}

void BM_RegistryDumpCsv(benchmark::State& state) { ReadDump(state, "csv"); }
void BM_RegistryDumpJson(benchmark::State& state) { ReadDump(state, "json"); }

// The alternative the streaming JSON reader replaces: the whole file in memory, parsed into a tree.
void BM_RegistryDumpJsonWholeDocument(benchmark::State& state) {
  std::string path = Dump("json");
  std::int64_t entries = 0;
  for (auto _ : state) {
    std::ifstream in(path, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    gw::formats::json::ParseLimits limits;
    limits.max_bytes = text.size() + 1;
    auto doc = gw::formats::json::Parse(text, limits);
    if (!doc) {
      state.SkipWithError(doc.error().message().c_str());
      return;
    }
    entries += kEntries;
  }
  state.SetItemsProcessed(entries);
  state.counters["peak_rss_mb"] = PeakRssMb();
}

BENCHMARK(BM_RegistryDumpCsv)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_RegistryDumpJson)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_RegistryDumpJsonWholeDocument)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
