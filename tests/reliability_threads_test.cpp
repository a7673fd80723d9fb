// The fake under many threads at once: the engine in-process (submit, poll, refresh, faults, clock, journal,
// reset from every thread) and the server over loopback (many keep-alive clients, stop and restart under load).
// These are the tests the ThreadSanitizer pass runs (ctest -R '^Reliability'); they also assert the counts.
#include <atomic>
#include <chrono>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <roambi/jobs/fake/admin.hpp>
#include <roambi/jobs/fake/engine.hpp>
#include <roambi/jobs/fake/server.hpp>

#include "reliability_support.hpp"

namespace {

using namespace std::chrono_literals;
using namespace roambi::jobs;
using namespace roambi::jobs::fake;

constexpr int kThreads = 8;

httplib::Request request(std::string method, std::string path, std::string token, std::string body = {},
                         std::string type = "application/json") {
  httplib::Request r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.target = r.path;
  if (!token.empty()) r.set_header("Authorization", "Bearer " + token);
  if (!body.empty()) {
    r.set_header("Content-Type", type);
    r.body = std::move(body);
  }
  return r;
}

std::string submit_body(int thread, int i) {
  return nlohmann::json{{"title", "T" + std::to_string(thread) + "-" + std::to_string(i)},
                        {"template_uid", "tpl-sales"},
                        {"source_file_uid", i % 7 ? "src-sales" : "src-fails"},
                        {"folder_uid", "fld-reports"}}
      .dump();
}

TEST(ReliabilityThreadsTest, EngineKeepsItsCountsUnderManyThreads) {
  Options o;
  o.clock = ClockMode::manual;
  o.rate_limit_per_minute = 0;
  o.max_jobs = 500;  // eviction runs concurrently with polls
  Engine engine(o, demo_tenant());
  constexpr int kPerThread = 1500;
  std::atomic<int> accepted{0}, server_errors{0}, unparsable{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      std::vector<std::string> mine;
      for (int i = 0; i < kPerThread; ++i) {
        httplib::Response res;
        Exchange x;
        if (i % 3 == 0 || mine.empty()) {
          engine.handle(request("POST", submit_path("acct-demo"), "token-demo", submit_body(t, i)), res, x);
          if (res.status / 100 == 2) {
            ++accepted;
            auto job = parse_job(nlohmann::json::parse(res.body, nullptr, false), kLenient);
            if (job) mine.push_back(job->uid); else ++unparsable;
          }
        } else {
          const std::string& uid = mine[static_cast<std::size_t>(i) % mine.size()];
          engine.handle(request("GET", status_path(uid), i % 5 ? "token-demo" : "token-other"), res, x);
          if (res.status == 200 && !parse_job(nlohmann::json::parse(res.body, nullptr, false), kLenient)) ++unparsable;
        }
        if (res.status >= 500) ++server_errors;
        if (i % 50 == 0) engine.clock().advance(1s);
        if (i % 97 == 0) (void)engine.coverage();
      }
    });
  for (auto& th : threads) th.join();
  std::cout << "figure: engine " << kThreads << " threads x " << kPerThread << " requests: accepted " << accepted
            << ", retained " << engine.job_count() << ", evicted " << engine.evicted_jobs() << std::endl;
  EXPECT_EQ(server_errors, 0);
  EXPECT_EQ(unparsable, 0);
  EXPECT_EQ(engine.job_count(), std::min<std::size_t>(o.max_jobs, static_cast<std::size_t>(accepted.load())));
  EXPECT_EQ(engine.job_count() + engine.evicted_jobs(), static_cast<std::size_t>(accepted.load()));
}

TEST(ReliabilityThreadsTest, EngineAndAdminApiSurviveEverythingAtOnce) {
  Options o;
  o.clock = ClockMode::manual;
  o.max_jobs = 200;
  Engine engine(o, demo_tenant());
  Journal journal(100);
  Admin admin(engine, journal);
  std::atomic<int> unexpected{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 600; ++i) {
        httplib::Response res;
        Exchange x;
        switch ((i + t) % 8) {
          case 0: admin.handle(request("POST", "/__admin/faults", "", R"({"kind":"error","error":"file_exists","rate":0.3})"), res); break;
          case 1: admin.handle(request("DELETE", "/__admin/faults", ""), res); break;
          case 2: admin.handle(request("POST", "/__admin/clock/advance", "", R"({"ms": 700})"), res); break;
          case 3: admin.handle(request("GET", "/__admin/journal", ""), res); break;
          case 4: admin.handle(request(i % 40 ? "GET" : "POST", i % 40 ? "/__admin/coverage" : "/__admin/reset", ""), res); break;
          case 5:
            engine.handle(request("POST", token_path(), "",
                                  "grant_type=refresh_token&refresh_token=refresh-demo&client_id=demo-client&client_secret=demo-secret",
                                  "application/x-www-form-urlencoded"),
                          res, x);
            break;
          default: engine.handle(request("POST", submit_path("acct-demo"), "token-demo", submit_body(t, i)), res, x);
        }
        if (res.status >= 500 && !x.fault && res.status != 503) ++unexpected;
        JournalEntry e;
        e.status = res.status;
        e.route = x.route;
        journal.record(std::move(e));
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(unexpected, 0);
  EXPECT_LE(engine.job_count(), o.max_jobs);
}

TEST(ReliabilityThreadsTest, ServerCountsEveryRequestOfManyKeepAliveClients) {
  Options o;
  o.clock = ClockMode::manual;
  o.rate_limit_per_minute = 0;
  FakeServer server(o);
  ASSERT_TRUE(server.start()) << server.error();
  constexpr int kClients = 16, kEach = 150;
  std::atomic<int> ok{0}, failed{0}, accepted{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < kClients; ++t)
    clients.emplace_back([&, t] {
      httplib::Client c("127.0.0.1", server.port());
      c.set_keep_alive(true);
      c.set_read_timeout(5, 0);
      c.set_default_headers({{"Authorization", "Bearer token-demo"}});
      std::string last;
      for (int i = 0; i < kEach; ++i) {
        auto res = i % 2 || last.empty() ? c.Post(submit_path("acct-demo"), submit_body(t, i), "application/json")
                                         : c.Get(status_path(last));
        if (!res || res->status >= 500) {
          ++failed;
          continue;
        }
        ++ok;
        if (res->status / 100 == 2 && res->body.find("\"uid\"") != std::string::npos) {
          auto job = parse_job(nlohmann::json::parse(res->body, nullptr, false), kLenient);
          if (job && (i % 2 || last.empty())) {
            ++accepted;
            last = job->uid;
          }
        }
      }
    });
  for (auto& th : clients) th.join();
  const auto stats = server.connection_stats();
  std::cout << "figure: loopback " << kClients << " clients x " << kEach << ": ok " << ok << ", failed " << failed
            << ", journal " << server.journal().total() << ", peak threads " << stats.peak_threads << std::endl;
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(server.journal().total(), static_cast<std::uint64_t>(kClients * kEach));
  EXPECT_EQ(server.engine().job_count(), static_cast<std::size_t>(accepted.load()));
  server.stop();
}

TEST(ReliabilityThreadsTest, StopUnderLoadIsBoundedAndTheServerRestarts) {
  Options o;
  o.rate_limit_per_minute = 0;  // the engine (and its rate windows) outlives a restart
  FakeServer server(o);
  ASSERT_TRUE(server.start());
  const int port = server.port();
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  for (int t = 0; t < 4; ++t)
    clients.emplace_back([&] {
      while (!stop) {
        httplib::Client c("127.0.0.1", port);
        c.set_connection_timeout(0, 200000);
        c.set_read_timeout(1, 0);
        c.Get("/1/jobs/x", {{"Authorization", "Bearer token-demo"}});
      }
    });
  std::this_thread::sleep_for(300ms);
  const auto t0 = std::chrono::steady_clock::now();
  server.stop();
  const auto took = std::chrono::steady_clock::now() - t0;
  stop = true;
  for (auto& th : clients) th.join();
  EXPECT_LT(took, 2s);
  ASSERT_TRUE(server.start()) << server.error();
  httplib::Client c("127.0.0.1", server.port());
  auto res = c.Get("/1/jobs/x", {{"Authorization", "Bearer token-demo"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  server.stop();
}

}  // namespace
