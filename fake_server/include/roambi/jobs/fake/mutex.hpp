// The lock every request of the fake takes: a mutex whose release wakes all its waiters, not one.
#pragma once

#include <atomic>
#include <climits>
#include <mutex>

#if defined(__linux__)
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace roambi::jobs::fake {

#if defined(__linux__)
/// A mutex for the fake's per-request state (Lockable: std::lock_guard and std::unique_lock take it).
///
/// Why not std::mutex: with a thread per connection on few cores, a holder that loses the CPU mid-section leaves every
/// other request to queue and sleep behind it. glibc's mutex then wakes one sleeper per release; each must be
/// scheduled before the next is woken, while running threads keep taking the lock first, so the queue drains one
/// scheduler delay at a time: submits waited 5-90 ms, p99 27-37 ms against bare httplib's 6-10 (bench/compare.sh).
/// Waking every sleeper at once lets the queue drain in one delay: p99 9-16 ms in the same runs.
/// The cost, a wake-up per sleeper per contended release, is paid only while a queue exists.
/// Drepper's "Futexes Are Tricky" mutex (0 free, 1 held, 2 held and maybe waited for) with FUTEX_WAKE of all.
class WakeAllMutex {
 public:
  WakeAllMutex() = default;
  WakeAllMutex(const WakeAllMutex&) = delete;
  WakeAllMutex& operator=(const WakeAllMutex&) = delete;

  void lock() noexcept {
    int c = 0;
    if (state_.compare_exchange_strong(c, 1, std::memory_order_acquire, std::memory_order_relaxed)) return;
    if (c != 2) c = state_.exchange(2, std::memory_order_acquire);
    while (c != 0) {  // sleep while it is held by someone (a spurious or lost race wake-up just loops)
      futex(FUTEX_WAIT_PRIVATE, 2);
      c = state_.exchange(2, std::memory_order_acquire);
    }
  }
  bool try_lock() noexcept {
    int c = 0;
    return state_.compare_exchange_strong(c, 1, std::memory_order_acquire, std::memory_order_relaxed);
  }
  void unlock() noexcept {
    if (state_.exchange(0, std::memory_order_release) == 2) futex(FUTEX_WAKE_PRIVATE, INT_MAX);
  }

 private:
  void futex(int op, int value) noexcept {
    static_assert(sizeof(std::atomic<int>) == sizeof(int), "the futex word is the atomic's int");
    syscall(SYS_futex, reinterpret_cast<int*>(&state_), op, value, nullptr, nullptr, 0);
  }
  std::atomic<int> state_{0};
};
#else
using WakeAllMutex = std::mutex;  // no futex: the standard mutex, convoys and all
#endif

}  // namespace roambi::jobs::fake
