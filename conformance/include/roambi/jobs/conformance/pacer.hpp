// Pacing of the suite's requests: each token stays under the documented per-minute rate limit.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <roambi/jobs/endpoints.hpp>

namespace roambi::jobs::conformance {

/// Keeps each token under its per-minute limit, on the target's clock (Config::now_ms), pausing with Config::wait.
class Pacer {
 public:
  Pacer(int per_minute, std::function<std::int64_t()> now, std::function<void(std::chrono::milliseconds)> wait)
      : budget_(std::max(1, per_minute - std::max(1, per_minute / 10))), now_(std::move(now)), wait_(std::move(wait)) {}

  /// The pool token with the most room now.
  std::string pick(const std::vector<std::string>& pool) {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto now = now_();
    std::string best;
    std::size_t best_used = SIZE_MAX;
    for (const auto& t : pool) {
      auto used = used_locked(t, now);
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
        auto& q = sent_[token];
        if (used_locked(token, now) < static_cast<std::size_t>(budget_) && blocked_until_[token] <= now) {
          q.push_back(now);
          return;
        }
        pause = std::max<std::int64_t>(blocked_until_[token] - now,
                                       q.empty() ? 0 : q.front() + kWindowMs - now);
        pause = std::max<std::int64_t>(pause, 1) + 5;
      }
      if (!keep_going()) return;
      wait_(std::chrono::milliseconds(pause));
    }
  }
  /// Counts a request that was not paced (the rate-limit checks), so later pacing knows of it.
  void record(const std::string& token) {
    std::lock_guard<std::mutex> lock(mutex_);
    sent_[token].push_back(now_());
  }
  /// After a 503: the token has no room until now + ms.
  void block(const std::string& token, std::int64_t ms) {
    std::lock_guard<std::mutex> lock(mutex_);
    blocked_until_[token] = std::max(blocked_until_[token], now_() + ms);
  }
  int budget() const { return budget_; }

 private:
  static constexpr std::int64_t kWindowMs = std::int64_t{1000} * kRateLimitWindowSeconds;
  std::size_t used_locked(const std::string& token, std::int64_t now) {
    auto& q = sent_[token];
    while (!q.empty() && q.front() <= now - kWindowMs) q.pop_front();
    return q.size();
  }
  int budget_;
  std::function<std::int64_t()> now_;
  std::function<void(std::chrono::milliseconds)> wait_;
  std::mutex mutex_;
  std::map<std::string, std::deque<std::int64_t>> sent_;
  std::map<std::string, std::int64_t> blocked_until_;
};

}  // namespace roambi::jobs::conformance
