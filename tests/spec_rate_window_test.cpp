// Tests of rate_window.hpp: the per-token sliding window the fake enforces and a client paces itself with.
#include <cstdint>
#include <string>

#include <gtest/gtest.h>

#include <roambi/jobs/rate_window.hpp>

namespace {

using roambi::jobs::RateWindow;

TEST(SpecRateWindowTest, DefaultsAreTheDocumentedLimitAndWindow) {
  RateWindow w;
  EXPECT_EQ(w.limit(), roambi::jobs::kRateLimitPerMinute);
  EXPECT_EQ(w.window_ms(), 1000 * roambi::jobs::kRateLimitWindowSeconds);
}

TEST(SpecRateWindowTest, CountsUpToTheLimitThenSaysHowLongToWait) {
  RateWindow w(3, 1000);
  EXPECT_EQ(w.try_acquire("t", 0), 0);
  EXPECT_EQ(w.try_acquire("t", 100), 0);
  EXPECT_EQ(w.try_acquire("t", 200), 0);
  EXPECT_EQ(w.try_acquire("t", 300), 700);  // the request at 0 leaves the window at 1000
  EXPECT_EQ(w.used("t", 300), 3u);          // a refused request is not counted
}

TEST(SpecRateWindowTest, ARequestLeavesTheWindowExactlyOneWindowLater) {
  RateWindow w(1, 1000);
  EXPECT_EQ(w.try_acquire("t", 0), 0);
  EXPECT_EQ(w.try_acquire("t", 999), 1);
  EXPECT_EQ(w.try_acquire("t", 1000), 0);
}

TEST(SpecRateWindowTest, EachKeyHasItsOwnWindow) {
  RateWindow w(1, 1000);
  EXPECT_EQ(w.try_acquire("a", 0), 0);
  EXPECT_EQ(w.try_acquire("b", 0), 0);
  EXPECT_GT(w.try_acquire("a", 1), 0);
  EXPECT_EQ(w.used("b", 1), 1u);
  EXPECT_EQ(w.used("c", 1), 0u);
}

TEST(SpecRateWindowTest, NoLimitCountsNothingAndNeverRefuses) {
  RateWindow w(0, 1000);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(w.try_acquire("t", i), 0);
  EXPECT_EQ(w.used("t", 1000), 0u);
}

TEST(SpecRateWindowTest, RecordCountsARequestPastTheLimit) {
  RateWindow w(1, 1000);
  w.record("t", 0);
  w.record("t", 10);
  EXPECT_EQ(w.used("t", 10), 2u);
  EXPECT_EQ(w.try_acquire("t", 20), 980);
}

TEST(SpecRateWindowTest, UntilOldestLeavesIsZeroWhenNothingIsCounted) {
  RateWindow w(5, 1000);
  EXPECT_EQ(w.until_oldest_leaves("t", 0), 0);
  w.record("t", 100);
  EXPECT_EQ(w.until_oldest_leaves("t", 600), 500);
  EXPECT_EQ(w.until_oldest_leaves("t", 1100), 0);  // it left
}

TEST(SpecRateWindowTest, ANewLimitForgetsEveryCount) {
  RateWindow w(1, 1000);
  EXPECT_EQ(w.try_acquire("t", 0), 0);
  w.set_limit(2);
  EXPECT_EQ(w.limit(), 2);
  EXPECT_EQ(w.used("t", 0), 0u);
  EXPECT_EQ(w.try_acquire("t", 0), 0);
  EXPECT_EQ(w.try_acquire("t", 0), 0);
  EXPECT_GT(w.try_acquire("t", 0), 0);
}

TEST(SpecRateWindowTest, ClearKeepsTheLimit) {
  RateWindow w(1, 1000);
  EXPECT_EQ(w.try_acquire("t", 0), 0);
  w.clear();
  EXPECT_EQ(w.limit(), 1);
  EXPECT_EQ(w.try_acquire("t", 0), 0);
}

TEST(SpecRateWindowTest, SecondsToWaitRoundUpAndAreAtLeastOne) {
  EXPECT_EQ(RateWindow::seconds_to_wait(1), 1);
  EXPECT_EQ(RateWindow::seconds_to_wait(1000), 1);
  EXPECT_EQ(RateWindow::seconds_to_wait(1001), 2);
  EXPECT_EQ(RateWindow::seconds_to_wait(0), 1);
  EXPECT_EQ(RateWindow::seconds_to_wait(59999), 60);
}

TEST(SpecRateWindowTest, MemoryIsBoundedByTheLimitUnderTryAcquire) {
  RateWindow w(10, 1000);
  for (int i = 0; i < 10000; ++i) (void)w.try_acquire("t", 500);
  EXPECT_EQ(w.used("t", 500), 10u);
}

}  // namespace
