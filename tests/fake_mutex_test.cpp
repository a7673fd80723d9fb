// The fake's request lock (mutex.hpp): exclusion under contention, and every sleeper woken by a release.
#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <roambi/jobs/fake/mutex.hpp>

namespace {

using roambi::jobs::fake::WakeAllMutex;

TEST(WakeAllMutexTest, OnlyOneHolderAtATimeUnderContention) {
  WakeAllMutex m;
  long counter = 0;  // plain on purpose: only the lock orders the increments
  std::atomic<int> inside{0}, overlaps{0};
  constexpr int kThreads = 8, kRounds = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < kRounds; ++i) {
        std::lock_guard<WakeAllMutex> lock(m);
        if (inside.fetch_add(1) != 0) overlaps.fetch_add(1);
        ++counter;
        inside.fetch_sub(1);
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(counter, long{kThreads} * kRounds);
  EXPECT_EQ(overlaps.load(), 0);
}

TEST(WakeAllMutexTest, TryLockFailsWhileHeldAndSucceedsOnceReleased) {
  WakeAllMutex m;
  m.lock();
  EXPECT_FALSE(std::async(std::launch::async, [&] { return m.try_lock(); }).get());
  m.unlock();
  EXPECT_TRUE(m.try_lock());
  m.unlock();
}

// Sixteen threads asleep on a held lock: one release must let every one of them through in turn, none left asleep.
TEST(WakeAllMutexTest, EverySleeperGetsTheLockAfterOneRelease) {
  WakeAllMutex m;
  m.lock();
  constexpr int kSleepers = 16;
  std::atomic<int> waiting{0}, through{0};
  std::vector<std::future<void>> sleepers;
  for (int i = 0; i < kSleepers; ++i)
    sleepers.push_back(std::async(std::launch::async, [&] {
      waiting.fetch_add(1);
      std::lock_guard<WakeAllMutex> lock(m);
      through.fetch_add(1);
    }));
  while (waiting.load() < kSleepers) std::this_thread::yield();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // real threads: let them reach the futex and sleep
  EXPECT_EQ(through.load(), 0);
  m.unlock();
  for (auto& s : sleepers) ASSERT_EQ(s.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_EQ(through.load(), kSleepers);
  EXPECT_TRUE(m.try_lock());  // and it is free afterwards
  m.unlock();
}

}  // namespace
