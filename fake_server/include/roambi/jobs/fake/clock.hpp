// The fake's clock: real time by default, or manual, where only the test moves it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace roambi::jobs::fake {

enum class ClockMode : unsigned char { real, manual };

/// Milliseconds since the server started, as the fake sees them. advance() works in both modes, so a
/// test can jump over a rate-limit window or a job's duration without sleeping.
class Clock {
 public:
  explicit Clock(ClockMode mode = ClockMode::real) : mode_(mode), start_(std::chrono::steady_clock::now()) {}

  ClockMode mode() const { return mode_; }
  std::int64_t now_ms() const {
    std::int64_t t = offset_ms_.load(std::memory_order_acquire);
    if (mode_ == ClockMode::real)
      t += std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start_).count();
    return t;
  }
  /// Moves the clock forward; a negative amount is ignored (time never runs backwards).
  void advance(std::chrono::milliseconds d) {
    if (d.count() > 0) offset_ms_.fetch_add(d.count(), std::memory_order_acq_rel);
  }
  void advance_seconds(double s) { advance(std::chrono::milliseconds(static_cast<std::int64_t>(s * 1000.0))); }

 private:
  ClockMode mode_;
  std::chrono::steady_clock::time_point start_;
  std::atomic<std::int64_t> offset_ms_{0};
};

}  // namespace roambi::jobs::fake
