// A latency histogram in the manner of HdrHistogram: log-bucketed, fixed relative precision, cheap to record, mergeable.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <vector>

#include <nlohmann/json.hpp>

namespace roambi::jobs::bench {

/// Counts of values (nanoseconds, or any non-negative integer) in buckets whose width grows with the value, so
/// every recorded value is known to within 1/kSubBuckets of itself (0.1%) over the whole range, as
/// HdrHistogram's 3 significant digits. Values under kSubBuckets are exact; values over kMaxValue count in the top
/// bucket (max() stays exact). About 136 KiB each; record() is a shift, a count and two compares.
class Histogram {
 public:
  static constexpr int kSubBucketBits = 10;
  static constexpr std::uint64_t kSubBuckets = std::uint64_t{1} << kSubBucketBits;  // 1024
  static constexpr std::uint64_t kHalf = kSubBuckets / 2;
  static constexpr int kMaxBits = 40;                                            // 2^40 ns: 18 minutes
  static constexpr std::uint64_t kMaxValue = (std::uint64_t{1} << kMaxBits) - 1;
  static constexpr std::size_t kBuckets = kSubBuckets + (kMaxBits - kSubBucketBits) * kHalf;

  Histogram() : counts_(kBuckets, 0) {}

  /// The bucket a value falls in.
  static std::size_t index_of(std::uint64_t v) {
    if (v > kMaxValue) v = kMaxValue;
    if (v < kSubBuckets) return static_cast<std::size_t>(v);
    const int msb = 63 - __builtin_clzll(v);
    const int shift = msb - (kSubBucketBits - 1);  // v >> shift lies in [kHalf, kSubBuckets)
    return static_cast<std::size_t>(kSubBuckets + (shift - 1) * kHalf + ((v >> shift) - kHalf));
  }
  /// The smallest and the largest value of a bucket.
  static std::uint64_t lowest_of(std::size_t i) {
    if (i < kSubBuckets) return i;
    const std::size_t shift = (i - kSubBuckets) / kHalf + 1;
    return (kHalf + (i - kSubBuckets) % kHalf) << shift;
  }
  static std::uint64_t highest_of(std::size_t i) {
    if (i < kSubBuckets) return i;
    const std::size_t shift = (i - kSubBuckets) / kHalf + 1;
    return lowest_of(i) + (std::uint64_t{1} << shift) - 1;
  }

  void record(std::uint64_t v, std::uint64_t n = 1) {
    counts_[index_of(v)] += n;
    count_ += n;
    sum_ += static_cast<double>(v) * static_cast<double>(n);
    if (v < min_) min_ = v;
    if (v > max_) max_ = v;
  }
  void record(std::int64_t v) { record(static_cast<std::uint64_t>(v < 0 ? 0 : v)); }

  /// HdrHistogram's recordValueWithExpectedInterval: for a closed-loop measurement that knows the interval it
  /// meant to keep, also records the samples a stall hid (v - interval, v - 2 interval, ... above interval).
  void record_corrected(std::uint64_t v, std::uint64_t expected_interval) {
    record(v);
    if (expected_interval == 0) return;
    for (std::uint64_t missing = v > expected_interval ? v - expected_interval : 0; missing >= expected_interval;
         missing -= expected_interval)
      record(missing);
  }

  void merge(const Histogram& o) {
    for (std::size_t i = 0; i < kBuckets; ++i) counts_[i] += o.counts_[i];
    count_ += o.count_;
    sum_ += o.sum_;
    min_ = std::min(min_, o.min_);
    max_ = std::max(max_, o.max_);
  }
  void clear() {
    std::fill(counts_.begin(), counts_.end(), 0);
    count_ = 0;
    sum_ = 0;
    min_ = UINT64_MAX;
    max_ = 0;
  }

  std::uint64_t count() const { return count_; }
  std::uint64_t min() const { return count_ ? min_ : 0; }
  std::uint64_t max() const { return max_; }
  double mean() const { return count_ ? sum_ / static_cast<double>(count_) : 0.0; }

  /// The value at percentile p (0..100): the highest value of the bucket holding the ceil(p% * count)-th sample,
  /// never above max(). 0 when empty.
  std::uint64_t percentile(double p) const {
    if (count_ == 0) return 0;
    p = std::clamp(p, 0.0, 100.0);
    auto rank = static_cast<std::uint64_t>(std::ceil(p / 100.0 * static_cast<double>(count_)));
    rank = std::clamp<std::uint64_t>(rank, 1, count_);
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < kBuckets; ++i) {
      seen += counts_[i];
      if (seen >= rank) return std::min(highest_of(i), max_);
    }
    return max_;
  }

  /// Non-empty buckets as [[lowest value, count], ...]: enough to merge or re-plot a run later.
  nlohmann::json buckets_json() const {
    nlohmann::json out = nlohmann::json::array();
    for (std::size_t i = 0; i < kBuckets; ++i)
      if (counts_[i]) out.push_back({lowest_of(i), counts_[i]});
    return out;
  }

 private:
  std::vector<std::uint64_t> counts_;
  std::uint64_t count_ = 0;
  double sum_ = 0;
  std::uint64_t min_ = UINT64_MAX;
  std::uint64_t max_ = 0;
};

/// The percentiles every report shows.
inline constexpr double kReportedPercentiles[] = {50, 75, 90, 95, 99, 99.9};

/// Summary in milliseconds of a histogram of nanoseconds: count, min, mean, p50 ... p99.9, max.
inline nlohmann::json summary_ms(const Histogram& h) {
  auto ms = [](double ns) { return std::round(ns / 1e3) / 1e3; };  // microsecond resolution
  nlohmann::json j{{"count", h.count()}, {"min", ms(static_cast<double>(h.min()))}, {"mean", ms(h.mean())}};
  for (double p : kReportedPercentiles) {
    char key[16];
    std::snprintf(key, sizeof key, p == std::floor(p) ? "p%.0f" : "p%.1f", p);
    j[key] = ms(static_cast<double>(h.percentile(p)));
  }
  j["max"] = ms(static_cast<double>(h.max()));
  return j;
}

}  // namespace roambi::jobs::bench
