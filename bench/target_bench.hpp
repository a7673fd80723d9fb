// The benchmarks against a target given on the command line (roambi-bench --target URL).
#pragma once

#include <roambi/jobs/bench/target.hpp>

namespace roambi::jobs::bench {
/// Registers BM_TargetSubmit and BM_TargetStatus (1 to 4 threads) against target t as config c names it.
void register_target_benchmarks(const Target& t, const BenchConfig& c);
}  // namespace roambi::jobs::bench
