// The latency histogram: bucket bounds, fixed relative precision, percentiles, merging, CO correction.
#include <cstdint>
#include <random>

#include <gtest/gtest.h>

#include <roambi/jobs/bench/histogram.hpp>

using roambi::jobs::bench::Histogram;

TEST(BenchHistogramTest, SmallValuesAreExact) {
  Histogram h;
  for (std::uint64_t v = 0; v < 1000; ++v) h.record(v);
  EXPECT_EQ(h.count(), 1000u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.max(), 999u);
  EXPECT_EQ(h.percentile(50), 499u);
  EXPECT_EQ(h.percentile(100), 999u);
  EXPECT_DOUBLE_EQ(h.mean(), 499.5);
}

TEST(BenchHistogramTest, EveryBucketHoldsItsOwnBoundsAndNoOther) {
  for (std::size_t i = 0; i + 1 < Histogram::kBuckets; ++i) {
    ASSERT_EQ(Histogram::index_of(Histogram::lowest_of(i)), i);
    ASSERT_EQ(Histogram::index_of(Histogram::highest_of(i)), i);
    ASSERT_EQ(Histogram::highest_of(i) + 1, Histogram::lowest_of(i + 1));
  }
}

TEST(BenchHistogramTest, RelativePrecisionIsOnePartInFiveHundredOverTheWholeRange) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 100000; ++i) {
    const std::uint64_t v = rng() >> (24 + rng() % 40);
    const std::size_t b = Histogram::index_of(v);
    const auto lo = Histogram::lowest_of(b), hi = Histogram::highest_of(b);
    ASSERT_LE(lo, v);
    ASSERT_GE(hi, v);
    ASSERT_LE(static_cast<double>(hi - lo), static_cast<double>(v) / 500.0 + 1.0) << v;
  }
}

TEST(BenchHistogramTest, PercentilesOfMillisecondsAreWithinPrecision) {
  Histogram h;
  for (int i = 1; i <= 10000; ++i) h.record(static_cast<std::uint64_t>(i) * 1000000);  // 1 ms .. 10 s in ns
  auto near = [](std::uint64_t got, double want) { return std::abs(static_cast<double>(got) - want) <= want / 500.0; };
  EXPECT_TRUE(near(h.percentile(50), 5000e6)) << h.percentile(50);
  EXPECT_TRUE(near(h.percentile(99), 9900e6)) << h.percentile(99);
  EXPECT_TRUE(near(h.percentile(99.9), 9990e6)) << h.percentile(99.9);
  EXPECT_EQ(h.percentile(100), 10000000000u);  // never above max, which is exact
}

TEST(BenchHistogramTest, MergeEqualsRecordingEverythingInOne) {
  Histogram a, b, all;
  for (std::uint64_t v = 1; v < 100000; v += 7) {
    ((v % 2) ? a : b).record(v * 13);
    all.record(v * 13);
  }
  a.merge(b);
  EXPECT_EQ(a.count(), all.count());
  EXPECT_EQ(a.min(), all.min());
  EXPECT_EQ(a.max(), all.max());
  for (double p : {1.0, 50.0, 90.0, 99.0, 99.9}) EXPECT_EQ(a.percentile(p), all.percentile(p)) << p;
}

TEST(BenchHistogramTest, ValuesBeyondTheRangeCountInTheTopBucketAndKeepAnExactMax) {
  Histogram h;
  h.record(UINT64_MAX / 2);
  EXPECT_EQ(h.count(), 1u);
  EXPECT_EQ(h.max(), UINT64_MAX / 2);
  EXPECT_GE(h.percentile(50), Histogram::lowest_of(Histogram::kBuckets - 1));
}

TEST(BenchHistogramTest, CorrectedRecordingAddsTheSamplesAStallHid) {
  Histogram h;
  h.record_corrected(100, 10);  // a 100 ns stall when one sample per 10 ns was meant: 100, 90, ..., 10
  EXPECT_EQ(h.count(), 10u);
  EXPECT_EQ(h.min(), 10u);
  EXPECT_EQ(h.max(), 100u);
  Histogram plain;
  plain.record_corrected(5, 10);
  EXPECT_EQ(plain.count(), 1u);
}

TEST(BenchHistogramTest, SummaryIsInMillisecondsWithEveryReportedPercentile) {
  Histogram h;
  h.record(std::uint64_t{2500000});  // 2.5 ms
  auto j = roambi::jobs::bench::summary_ms(h);
  for (const char* k : {"count", "min", "mean", "p50", "p75", "p90", "p95", "p99", "p99.9", "max"})
    EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_NEAR(j["p50"].get<double>(), 2.5, 0.01);
  EXPECT_EQ(j["max"].get<double>(), 2.5);
}
