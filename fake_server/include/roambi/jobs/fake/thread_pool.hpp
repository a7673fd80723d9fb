// ElasticThreadPool: httplib's task queue for the fake, a thread per connection that grows while all are busy.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <httplib.h>

namespace roambi::jobs::fake::detail {

/// Counters of the connection threads, shared by the pool and the FakeServer that outlives it.
struct PoolCounters {
  std::atomic<std::size_t> threads{0}, busy{0}, peak_threads{0}, queued{0};
};

/// httplib serves a connection on one thread for its whole life, keep-alive waits included, and 0.11.4's fixed
/// ThreadPool queues every connection beyond its size: 64 idle keep-alive clients starved everyone else for 5 s,
/// and a client dripping one byte a second held a thread for as long as it liked. This pool keeps `base` threads
/// ready and starts another whenever a connection arrives and none is idle, up to `max`; threads beyond `base`
/// end after `linger` idle. Measured in tests/reliability_hostile_test.cpp.
class ElasticThreadPool : public httplib::TaskQueue {
 public:
  ElasticThreadPool(std::size_t base, std::size_t max, std::chrono::milliseconds linger,
                    std::shared_ptr<PoolCounters> counters)
      : base_(base ? base : 1), max_(std::max(base_, max)), linger_(linger), counters_(std::move(counters)) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (std::size_t i = 0; i < base_; ++i) spawn();
  }
  ElasticThreadPool(const ElasticThreadPool&) = delete;
  ElasticThreadPool& operator=(const ElasticThreadPool&) = delete;
  ~ElasticThreadPool() override { shutdown(); }

  void enqueue(std::function<void()> fn) override {
    std::vector<std::thread> retired;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      jobs_.push_back(std::move(fn));
      counters_->queued = jobs_.size();
      if (idle_ < jobs_.size() && workers_.size() < max_) spawn();
      retired.swap(retired_);
    }
    cond_.notify_one();
    for (auto& t : retired) t.join();
  }

  /// Runs what is queued, then joins every thread.
  void shutdown() override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      shutdown_ = true;
    }
    cond_.notify_all();
    for (;;) {
      std::vector<std::thread> all;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        for (auto& [id, t] : workers_) all.push_back(std::move(t));
        workers_.clear();
        for (auto& t : retired_) all.push_back(std::move(t));
        retired_.clear();
      }
      if (all.empty()) return;
      for (auto& t : all) t.join();
    }
  }

 private:
  void spawn() {  // mutex_ held
    const std::uint64_t id = next_id_++;
    workers_.emplace(id, std::thread([this, id] { work(id); }));
    counters_->threads = workers_.size();
    if (workers_.size() > counters_->peak_threads) counters_->peak_threads = workers_.size();
  }

  void work(std::uint64_t id) {
    for (;;) {
      std::function<void()> fn;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        ++idle_;
        const bool woken = cond_.wait_for(lock, linger_, [this] { return !jobs_.empty() || shutdown_; });
        --idle_;
        if (shutdown_ && jobs_.empty()) return;  // shutdown() joins this thread
        if (!woken) {
          if (workers_.size() <= base_) continue;
          auto self = workers_.find(id);
          if (self == workers_.end()) return;  // shutdown() took it
          retired_.push_back(std::move(self->second));  // joined by the next enqueue() or shutdown()
          workers_.erase(self);
          counters_->threads = workers_.size();
          return;
        }
        fn = std::move(jobs_.front());
        jobs_.pop_front();
        counters_->queued = jobs_.size();
      }
      ++counters_->busy;
      fn();
      --counters_->busy;
    }
  }

  const std::size_t base_, max_;
  const std::chrono::milliseconds linger_;
  std::shared_ptr<PoolCounters> counters_;
  std::mutex mutex_;
  std::condition_variable cond_;
  std::deque<std::function<void()>> jobs_;
  std::map<std::uint64_t, std::thread> workers_;
  std::vector<std::thread> retired_;
  std::size_t idle_ = 0;
  std::uint64_t next_id_ = 0;
  bool shutdown_ = false;
};
}  // namespace roambi::jobs::fake::detail
