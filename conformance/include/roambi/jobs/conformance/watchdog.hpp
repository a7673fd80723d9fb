// A deadline thread for blocking requests: when a deadline passes, its callback stops the request.
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <utility>

namespace roambi::jobs::conformance {

/// Calls on_expiry for every armed deadline that passes; one thread, started on first use.
class Watchdog {
 public:
  using Clock = std::chrono::steady_clock;
  ~Watchdog() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  std::uint64_t arm(Clock::time_point deadline, std::function<void()> on_expiry) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!thread_.joinable()) thread_ = std::thread([this] { loop(); });
    const std::uint64_t id = ++next_;
    armed_[id] = {deadline, std::move(on_expiry)};
    cv_.notify_all();
    return id;
  }
  /// Disarms; true when the deadline had already fired.
  bool disarm(std::uint64_t id) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (armed_.erase(id)) return false;
    return fired_.erase(id) != 0;
  }

 private:
  struct Entry {
    Clock::time_point deadline;
    std::function<void()> on_expiry;
  };
  void loop() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stop_) {
      auto next = Clock::time_point::max();
      for (const auto& [id, e] : armed_) next = std::min(next, e.deadline);
      if (next == Clock::time_point::max())
        cv_.wait(lock);
      else
        cv_.wait_until(lock, next);
      const auto now = Clock::now();
      for (auto it = armed_.begin(); it != armed_.end();) {
        if (it->second.deadline <= now) {
          auto fn = std::move(it->second.on_expiry);
          fired_.insert(it->first);
          it = armed_.erase(it);
          lock.unlock();
          fn();  // ClientImpl::stop() shuts the socket down; the blocked read returns
          lock.lock();
        } else {
          ++it;
        }
      }
    }
  }
  std::mutex mutex_;
  std::condition_variable cv_;
  std::map<std::uint64_t, Entry> armed_;
  std::set<std::uint64_t> fired_;
  std::uint64_t next_ = 0;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace roambi::jobs::conformance
