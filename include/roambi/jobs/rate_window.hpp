// The per-token rate window: how many requests a token made in the last window, and whether one more fits.
// Pure logic on caller-supplied times (milliseconds), no HTTP and no lock: the fake enforces the limit with it and a
// client paces itself with it. Spec: Syntax "Rate limiting".
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>

#include <roambi/jobs/endpoints.hpp>

namespace roambi::jobs {

/// The rate limit's window in milliseconds. Spec: Syntax "Rate limiting".
inline constexpr std::int64_t kRateLimitWindowMs = std::int64_t{1000} * kRateLimitWindowSeconds;

/// A sliding window per key (an access token): a request counts from its time until one window later. Not
/// synchronized: its owner holds its own lock. Memory grows with the requests counted, not with the limit.
class RateWindow {
 public:
  /// `limit` requests per window and key; 0 or less: no limit (try_acquire always counts).
  explicit RateWindow(int limit = kRateLimitPerMinute, std::int64_t window_ms = kRateLimitWindowMs)
      : limit_(limit), window_ms_(window_ms) {}

  int limit() const { return limit_; }
  std::int64_t window_ms() const { return window_ms_; }
  /// A new limit; every key's count starts again from nothing.
  void set_limit(int limit) {
    limit_ = limit;
    clear();
  }
  void clear() { sent_.clear(); }

  /// The requests of `key` still in the window that ends at `now`.
  std::size_t used(const std::string& key, std::int64_t now) { return pruned(sent_[key], now).size(); }

  /// Counts one request of `key` at `now` if it fits under the limit: 0 when counted, else the milliseconds until it
  /// would fit (at least 1). Times must not run backwards per key.
  std::int64_t try_acquire(const std::string& key, std::int64_t now) {
    if (limit_ <= 0) return 0;
    auto& q = pruned(sent_[key], now);
    if (q.size() < static_cast<std::size_t>(limit_)) {
      q.push_back(now);
      return 0;
    }
    const std::int64_t wait = q.front() + window_ms_ - now;
    return wait > 0 ? wait : 1;
  }
  /// Counts one request of `key` at `now` whatever the limit (one sent without asking, so later answers know of it).
  void record(const std::string& key, std::int64_t now) { pruned(sent_[key], now).push_back(now); }
  /// The milliseconds until the oldest counted request of `key` leaves the window; 0 when none is counted.
  std::int64_t until_oldest_leaves(const std::string& key, std::int64_t now) {
    auto& q = pruned(sent_[key], now);
    return q.empty() ? 0 : q.front() + window_ms_ - now;
  }

  /// Whole seconds to announce for a wait of `ms` (a Retry-After value): rounded up, at least 1.
  static int seconds_to_wait(std::int64_t ms) {
    const std::int64_t s = (ms + 999) / 1000;
    return s < 1 ? 1 : static_cast<int>(s);
  }

 private:
  std::deque<std::int64_t>& pruned(std::deque<std::int64_t>& q, std::int64_t now) const {
    while (!q.empty() && q.front() <= now - window_ms_) q.pop_front();
    return q;
  }

  int limit_;
  std::int64_t window_ms_;
  std::unordered_map<std::string, std::deque<std::int64_t>> sent_;  // times counted per key, oldest first
};

}  // namespace roambi::jobs
