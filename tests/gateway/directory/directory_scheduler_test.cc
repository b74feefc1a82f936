// The directory's schedule with an injected clock: every source every 900 s (+ jitter), a failed
// sync backs off and keeps the last known data and cursor, a forced refresh runs at once, and two
// schedulers (two gateway processes) never sync the same source at the same time.
#include "gateway/directory/directory_scheduler.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

namespace gw::gateway {
namespace {

class DirectorySchedulerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("eigw-sched-" + storage::NewId(""));
    std::filesystem::create_directories(dir_);
    app_.store = std::move(*storage::OpenStore({"sqlite", (dir_ / "eigw.db").string(), "", 4}));
    ASSERT_TRUE(app_.store->Migrate());
  }
  void TearDown() override {
    app_.store.reset();
    std::filesystem::remove_all(dir_);
  }
  // A source that records its calls and answers with cursor "c<n>" or fails while `failing`.
  DirectoryScheduler::Source Counting(const std::string& name, std::vector<std::string>& cursors, bool& failing) {
    return {name, [&cursors, &failing](const std::string& cursor, int64_t) -> Result<SyncOutcome> {
              cursors.push_back(cursor);
              if (failing) return Error::Unavailable("partner down");
              SyncOutcome o;
              o.cursor = "c" + std::to_string(cursors.size());
              o.counts.added = 1;
              return o;
            }};
  }
  std::filesystem::path dir_;
  App app_;
};

TEST_F(DirectorySchedulerTest, EverySourceEvery900SecondsWithJitter) {
  DirectorySchedule schedule;  // 900 s, jitter 60 s
  DirectoryScheduler s(app_, schedule, "p1");
  std::vector<std::string> cursors;
  bool failing = false;
  s.AddSource(Counting("gw-b", cursors, failing));
  const int64_t t0 = 1'000'000'000;
  EXPECT_EQ(s.RunDue(t0), 1);  // a new source is due at once
  EXPECT_EQ(s.RunDue(t0 + 1000), 0);
  EXPECT_EQ(s.RunDue(t0 + 899'000), 0);  // not before 900 s
  // Due between 900 and 960 s: exactly one run in that window, with the cursor of the last.
  int runs = 0;
  for (int64_t t = t0 + 900'000; t <= t0 + 960'000; t += 1000) runs += s.RunDue(t);
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(cursors, (std::vector<std::string>{"", "c1"}));
  auto sources = app_.store->ListSources();
  ASSERT_EQ(sources->size(), 1u);
  EXPECT_EQ((*sources)[0].cursor, "c2");
  EXPECT_GE((*sources)[0].next_run_ms, (*sources)[0].last_finished_ms + 900'000);
}

TEST_F(DirectorySchedulerTest, AFailedSyncBacksOffAndKeepsTheCursor) {
  DirectorySchedule schedule;
  schedule.jitter_ms = 0;
  DirectoryScheduler s(app_, schedule, "p1");
  std::vector<std::string> cursors;
  bool failing = false;
  s.AddSource(Counting("gw-b", cursors, failing));
  const int64_t t0 = 1'000'000'000;
  ASSERT_EQ(s.RunDue(t0), 1);
  failing = true;
  ASSERT_EQ(s.RunDue(t0 + 900'000), 1);
  auto after = (*app_.store->ListSources())[0];
  EXPECT_EQ(after.cursor, "c1");  // kept
  EXPECT_EQ(after.failures, 1);
  EXPECT_EQ(after.last_error, "partner down");
  // Backoff 30 s (its upper half, jittered), then doubled; never the whole interval.
  EXPECT_GE(after.next_run_ms, t0 + 900'000 + 15'000);
  EXPECT_LE(after.next_run_ms, t0 + 900'000 + 30'000);
  EXPECT_EQ(s.RunDue(after.next_run_ms - 1), 0);
  ASSERT_EQ(s.RunDue(t0 + 930'000), 1);
  const int64_t second = (*app_.store->ListSources())[0].next_run_ms;
  EXPECT_GE(second, t0 + 930'000 + 30'000);
  EXPECT_LE(second, t0 + 930'000 + 60'000);
  failing = false;
  ASSERT_EQ(s.RunDue(t0 + 990'000), 1);
  after = (*app_.store->ListSources())[0];
  EXPECT_EQ(after.failures, 0);
  EXPECT_EQ(after.cursor, "c4");
  EXPECT_EQ(cursors, (std::vector<std::string>{"", "c1", "c1", "c1"}));
  // A manual refresh runs it now, whatever the schedule says.
  EXPECT_EQ(s.RunDue(t0 + 991'000, "gw-b", /*force=*/true), 1);
}

TEST_F(DirectorySchedulerTest, TwoProcessesNeverSyncOneSourceAtOnce) {
  DirectorySchedule schedule;
  DirectoryScheduler p1(app_, schedule, "p1"), p2(app_, schedule, "p2");
  std::vector<std::string> cursors;
  bool failing = false;
  // p1's sync checks, while it runs, that p2 cannot take the same source.
  int p2_ran = -1;
  p1.AddSource({"gw-b", [&](const std::string&, int64_t now) -> Result<SyncOutcome> {
                  p2_ran = p2.RunDue(now, "gw-b", /*force=*/true);
                  return SyncOutcome{};
                }});
  p2.AddSource(Counting("gw-b", cursors, failing));
  EXPECT_EQ(p1.RunDue(1000), 1);
  EXPECT_EQ(p2_ran, 0);
  EXPECT_TRUE(cursors.empty());
  // Released after the run: p2 can take it.
  EXPECT_EQ(p2.RunDue(2000, "gw-b", true), 1);
}

TEST_F(DirectorySchedulerTest, ALongSyncKeepsItsLeaseAndAShutdownStopsItWithoutAFailure) {
  DirectorySchedule schedule;
  schedule.lease_ms = 60;  // renewed every 20 ms while the sync runs
  DirectoryScheduler p1(app_, schedule, "p1"), p2(app_, schedule, "p2");
  std::vector<std::string> cursors;
  bool failing = false;
  int p2_ran = -1;
  p1.AddSource({"gw-b", [&](const std::string&, int64_t) -> Result<SyncOutcome> {
                  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // 5 leases long
                  p2_ran = p2.RunDue(NowMs(), "gw-b", /*force=*/true);
                  return SyncOutcome{};
                }});
  p2.AddSource(Counting("gw-b", cursors, failing));
  EXPECT_EQ(p1.RunDue(NowMs()), 1);
  EXPECT_EQ(p2_ran, 0);  // still p1's
  EXPECT_EQ(p2.last_busy(), 1);
  EXPECT_EQ(p1.last_failed(), 0);

  // A shutdown during a sync: the source is freed, due again, and no failure is counted.
  DirectoryScheduler p3(app_, DirectorySchedule{}, "p3");
  int runs = 0;
  p3.AddSource({"fi", [&](const std::string&, int64_t) -> Result<SyncOutcome> {
                  if (++runs > 1) return SyncOutcome{};
                  app_.stopping = true;
                  return Error::Unavailable("the sync of fi was stopped: the gateway is shutting down");
                }});
  const int64_t t = NowMs();
  EXPECT_EQ(p3.RunDue(t), 0);  // not a completed run
  EXPECT_EQ(p3.last_failed(), 0);
  app_.stopping = false;
  auto listed = app_.store->ListSources();
  ASSERT_TRUE(listed);
  for (const auto& source : *listed) {
    if (source.name != "fi") continue;
    EXPECT_EQ(source.failures, 0);
    EXPECT_EQ(source.errors, 0);
    EXPECT_LE(source.next_run_ms, t);
    EXPECT_EQ(source.last_success_ms, 0);
  }
  EXPECT_EQ(p2.RunDue(NowMs(), "fi"), 0);  // p2 has no "fi"; p3 runs it again at once:
  EXPECT_EQ(p3.RunDue(NowMs()), 1);
}

}  // namespace
}  // namespace gw::gateway
