// The fake's request lock (mutex.hpp): exclusion under contention, and every sleeper woken by a release.
#include <atomic>
#include <chrono>
#include <fstream>
#include <future>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <sys/syscall.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <roambi/jobs/fake/mutex.hpp>

namespace {

using roambi::jobs::fake::WakeAllMutex;
using Clock = std::chrono::steady_clock;

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

// ---------- wake-all, seen from the scheduler ----------
// A thread's own view of the kernel: /proc/self/task/<tid>/. A sleeper's voluntary context switches rise only when
// it is woken and sleeps again, so they count the wake-ups a release caused without timing anything.

std::string task_file(pid_t tid, const char* name) {
  std::ifstream in("/proc/self/task/" + std::to_string(tid) + "/" + name);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Asleep in futex(): state S in stat, and, where the kernel shows it, the futex syscall in progress.
bool asleep_in_futex(pid_t tid) {
  const std::string stat = task_file(tid, "stat");
  const auto paren = stat.rfind(')');  // the command name may hold spaces and parentheses
  if (paren == std::string::npos || paren + 2 >= stat.size() || stat[paren + 2] != 'S') return false;
  const std::string sys = task_file(tid, "syscall");
  return sys.empty() || sys.rfind(std::to_string(SYS_futex) + " ", 0) == 0;
}

std::optional<long> voluntary_switches(pid_t tid) {
  std::istringstream status(task_file(tid, "status"));
  const std::string key = "voluntary_ctxt_switches:";
  for (std::string line; std::getline(status, line);)
    if (line.rfind(key, 0) == 0) return std::stol(line.substr(key.size()));
  return std::nullopt;
}

// Polls `done` until it holds or the deadline passes; never sleeps longer than one short poll interval.
template <class Done>
bool poll_until(Done done, Clock::time_point deadline) {
  while (!done()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  return true;
}

struct Wakeups {
  int woken = 0;      // waiters that ran after the one release
  std::string error;  // set when a bounded wait ran out: nothing was measured
};

// The main thread holds the lock while `waiters` threads go to sleep on it, then releases it once. The first waiter
// through keeps the lock, so every other waiter that the release woke finds it held and sleeps again. Counts the
// waiters whose voluntary context switches rose across the release.
template <class Mutex>
Wakeups waiters_woken_by_one_release(int waiters) {
  const auto deadline = Clock::now() + std::chrono::seconds(20);
  Mutex m;
  m.lock();
  std::vector<std::atomic<pid_t>> tids(waiters);
  std::atomic<bool> taken{false};
  std::promise<void> let_go;
  std::shared_future<void> let_go_signal = let_go.get_future().share();
  std::vector<std::thread> threads;
  for (int i = 0; i < waiters; ++i)
    threads.emplace_back([&, i] {
      tids[i].store(static_cast<pid_t>(syscall(SYS_gettid)));
      m.lock();
      if (!taken.exchange(true)) let_go_signal.wait();  // the first through keeps it until the measurement is done
      m.unlock();
    });
  Wakeups out;
  // Whatever happens below, the lock is let go and the threads end: no wait here can hang the test.
  bool main_holds = true;
  auto finish = [&] {
    if (main_holds) m.unlock();
    main_holds = false;
    let_go.set_value();
    for (auto& t : threads) t.join();
  };

  auto all = [&](auto pred) {
    for (auto& t : tids)
      if (!pred(t.load())) return false;
    return true;
  };
  if (!poll_until([&] { return all([](pid_t t) { return t != 0 && asleep_in_futex(t); }); }, deadline)) {
    out.error = "the waiters did not all fall asleep on the held lock within 20 s";
    finish();
    return out;
  }
  std::vector<long> before;
  for (auto& t : tids) before.push_back(voluntary_switches(t.load()).value_or(-1));

  m.unlock();  // the one release
  main_holds = false;
  // Measured once a waiter holds the lock and every waiter is asleep again: a woken one has run and gone back.
  if (!poll_until([&] { return taken.load() && all([](pid_t t) { return asleep_in_futex(t); }); }, deadline)) {
    out.error = "the waiters did not settle after the release within 20 s";
    finish();
    return out;
  }
  for (int i = 0; i < waiters; ++i)
    if (voluntary_switches(tids[i].load()).value_or(-1) > before[i]) ++out.woken;
  finish();
  return out;
}

constexpr int kWaiters = 8;

// The reason the fake does not use std::mutex: one release must wake every sleeper, so the queue drains in one
// scheduler delay rather than one delay per waiter.
TEST(WakeAllMutexTest, OneReleaseWakesEveryWaiter) {
  const Wakeups w = waiters_woken_by_one_release<WakeAllMutex>(kWaiters);
  ASSERT_EQ(w.error, "");
  EXPECT_EQ(w.woken, kWaiters);
}

// The same measurement on std::mutex wakes one waiter per release: the test above fails if the fake's lock is ever
// swapped for the standard one.
TEST(WakeAllMutexTest, StdMutexWakesOneWaiterPerReleaseSoTheMeasurementTellsThemApart) {
  const Wakeups w = waiters_woken_by_one_release<std::mutex>(kWaiters);
  ASSERT_EQ(w.error, "");
  EXPECT_LT(w.woken, kWaiters);
  EXPECT_GE(w.woken, 1);
}

// Every sleeper still gets through in turn once the holder lets go, none left asleep.
TEST(WakeAllMutexTest, EverySleeperGetsTheLockAfterTheHolderLetsGo) {
  WakeAllMutex m;
  m.lock();
  constexpr int kSleepers = 16;
  std::atomic<int> through{0};
  std::vector<std::future<void>> sleepers;
  for (int i = 0; i < kSleepers; ++i)
    sleepers.push_back(std::async(std::launch::async, [&] {
      std::lock_guard<WakeAllMutex> lock(m);
      through.fetch_add(1);
    }));
  EXPECT_EQ(through.load(), 0);
  m.unlock();
  for (auto& s : sleepers) ASSERT_EQ(s.wait_for(std::chrono::seconds(20)), std::future_status::ready);
  EXPECT_EQ(through.load(), kSleepers);
  EXPECT_TRUE(m.try_lock());  // and it is free afterwards
  m.unlock();
}

}  // namespace
