// Pacing of the suite's requests: each token stays under the documented per-minute rate limit.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <roambi/jobs/rate_window.hpp>

namespace roambi::jobs::conformance {

/// Keeps each token under its per-minute limit, on the target's clock (Config::now_ms), pausing with Config::wait.
/// Counts with the model's RateWindow, the one the fake enforces, at a budget 10% (at least 1) under the limit.
class Pacer {
 public:
  Pacer(int per_minute, std::function<std::int64_t()> now, std::function<void(std::chrono::milliseconds)> wait)
      : window_(std::max(1, per_minute - std::max(1, per_minute / 10))), now_(std::move(now)), wait_(std::move(wait)) {}

  /// The pool token with the most room now.
  std::string pick(const std::vector<std::string>& pool) {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto now = now_();
    std::string best;
    std::size_t best_used = SIZE_MAX;
    for (const auto& t : pool) {
      auto used = window_.used(t, now);
      if (used < best_used) best = t, best_used = used;
    }
    return best;
  }
  /// Waits until token has room, then counts one request. `keep_going` may stop the wait (deadline).
  void acquire(const std::string& token, const std::function<bool()>& keep_going) {
    for (;;) {
      std::int64_t pause = 0;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        const auto now = now_();
        const std::int64_t blocked = blocked_until_[token] - now;
        if (blocked <= 0 && window_.try_acquire(token, now) == 0) return;
        pause = std::max(blocked, window_.until_oldest_leaves(token, now));
        pause = std::max<std::int64_t>(pause, 1) + 5;
      }
      if (!keep_going()) return;
      wait_(std::chrono::milliseconds(pause));
    }
  }
  /// Counts a request that was not paced (the rate-limit checks), so later pacing knows of it.
  void record(const std::string& token) {
    std::lock_guard<std::mutex> lock(mutex_);
    window_.record(token, now_());
  }
  /// After a 503: the token has no room until now + ms.
  void block(const std::string& token, std::int64_t ms) {
    std::lock_guard<std::mutex> lock(mutex_);
    blocked_until_[token] = std::max(blocked_until_[token], now_() + ms);
  }
  int budget() const { return window_.limit(); }

 private:
  RateWindow window_;
  std::function<std::int64_t()> now_;
  std::function<void(std::chrono::milliseconds)> wait_;
  std::mutex mutex_;
  std::map<std::string, std::int64_t> blocked_until_;
};

}  // namespace roambi::jobs::conformance
