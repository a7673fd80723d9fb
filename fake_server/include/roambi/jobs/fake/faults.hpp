// Injected faults: the rules a test added, and which one fires on a request of a route.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <random>
#include <vector>

#include <roambi/jobs/endpoints.hpp>
#include <roambi/jobs/fake/behaviour.hpp>

namespace roambi::jobs::fake {

/// The fault rules, each with its counts. Not synchronized but any(): the engine calls the rest with its lock held.
class FaultRules {
 public:
  /// Whether there is a rule, readable without the lock: with none, a request needs not take it.
  bool any() const { return any_.load(std::memory_order_acquire); }
  void add(const Fault& f) {
    rules_.push_back({f, 0, 0});
    any_.store(true, std::memory_order_release);
  }
  void clear() {
    rules_.clear();
    any_.store(false, std::memory_order_release);
  }
  std::vector<Fault> list() const {
    std::vector<Fault> out;
    for (const auto& r : rules_) out.push_back(r.fault);
    return out;
  }
  /// The first rule for this route that fires on this request (its nth, or by its rate drawn from `rng`), if any.
  std::optional<Fault> pick(RouteId route, std::mt19937_64& rng) {
    for (auto& r : rules_) {
      if (r.fault.route && *r.fault.route != route) continue;
      ++r.seen;
      if (r.fired >= r.fault.times) continue;
      const bool fire = r.fault.nth ? r.seen == r.fault.nth
                                    : (r.fault.rate >= 1.0 || std::uniform_real_distribution<double>(0, 1)(rng) < r.fault.rate);
      if (fire) {
        ++r.fired;
        return r.fault;
      }
    }
    return std::nullopt;
  }

 private:
  struct Rule {
    Fault fault;
    std::uint64_t seen = 0, fired = 0;
  };
  std::vector<Rule> rules_;
  std::atomic<bool> any_{false};  // !rules_.empty()
};

}  // namespace roambi::jobs::fake
