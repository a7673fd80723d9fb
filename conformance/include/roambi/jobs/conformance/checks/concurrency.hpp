// Concurrency: parallel submits of one new title with overwrite false let exactly one in; the rest get file_exists.
#pragma once

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <roambi/jobs/spec.hpp>
#include <roambi/jobs/judge.hpp>
#include <roambi/jobs/conformance/check.hpp>
#include <roambi/jobs/conformance/checks/submit.hpp>
#include <roambi/jobs/conformance/context.hpp>

namespace roambi::jobs::conformance {

inline constexpr std::string_view kClauseOneTitle =
    "Submit Job: file_exists when overwrite is false and a file of the title exists: one title, one file";

// Spec: Submit Job file_exists, under concurrency: the title check and the reservation are one step.
inline CheckResult concurrency_one_title_one_file(Context& c) {
  if (auto s = c.need({{&c.cfg.template_uid, "ids.template"}, {&c.cfg.source_uid, "ids.source"}, {&c.cfg.folder_uid, "ids.folder"}}))
    return *s;
  const int n = std::max(2, std::min(c.cfg.concurrency, c.http.pacer().budget()));
  const auto body = to_json(c.request(c.title("race"), false));
  // Pacing must not spread the submits over time (the first job could even end meanwhile): take the room for
  // all of them first, then let them go together.
  RequestOptions together;
  together.auth = Auth::raw;
  together.authorization = std::string(kBearerPrefix) + c.http.reserve_pool(n);
  together.pace = false;
  std::vector<HttpResult> answers(static_cast<std::size_t>(n));
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i)
    threads.emplace_back([&, i] {
      ready.fetch_add(1);
      while (!go.load()) std::this_thread::yield();
      answers[static_cast<std::size_t>(i)] = c.submit(body, together);
    });
  while (ready.load() < n) std::this_thread::yield();
  go.store(true);
  for (auto& t : threads) t.join();
  int accepted = 0;
  for (const auto& a : answers) {
    if (auto u = unusable(a)) return *u;
    if (a.success()) ++accepted;
  }
  if (accepted != 1)
    return CheckResult::fail(std::to_string(n) + " parallel submits of one new title without overwrite let " +
                                 std::to_string(accepted) + " in (expected exactly 1)",
                             std::string(kClauseOneTitle));
  for (const auto& a : answers) {
    if (a.success()) continue;
    auto res = expect_error(c, a, ErrorCode::file_exists);
    if (res.status != Status::pass) {
      res.message = "a parallel submit that lost the race: " + res.message;
      return res;
    }
  }
  return CheckResult::pass("1 of " + std::to_string(n) + " parallel submits accepted, " + std::to_string(n - 1) + " got " +
                           std::string(wire_name(ErrorCode::file_exists)));
}

inline void add_concurrency_checks(std::vector<Check>& out) {
  // While the racing jobs run, no file of the title exists yet, so the file_exists sentence does not forbid letting
  // several in: advice for a client that relies on one title, one file.
  add(out, {"concurrency/one-title-one-file", std::string(section::kConcurrency), std::string(kClauseOneTitle),
            concurrency_one_title_one_file, Feature::concurrency})
      .rests_on({sentence::kFileExists}, "advice only: parallel submits of one new title without overwrite let more or fewer than one in")
      .as(Basis::advice);
}

}  // namespace roambi::jobs::conformance
