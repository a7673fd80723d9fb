// The fake's per-request log (access_log.hpp): the same line as ever, written off the request's path, none lost.
#include <atomic>
#include <chrono>
#include <mutex>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <roambi/jobs/fake/access_log.hpp>
#include <roambi/jobs/fake/gtest.hpp>

namespace {

using namespace roambi::jobs;
using namespace roambi::jobs::fake;
using roambi::jobs::fake::testing::FakeServerTest;
using namespace std::chrono_literals;

/// What the log's sink was handed, and in how many batches.
struct Captured {
  std::mutex mutex;
  std::string text;
  int batches = 0;
  std::vector<std::string> lines() {
    std::lock_guard<std::mutex> lock(mutex);
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
  }
  int batch_count() {
    std::lock_guard<std::mutex> lock(mutex);
    return batches;
  }
};

class AccessLogTest : public FakeServerTest {
 protected:
  Options options() const override {
    Options o = FakeServerTest::options();
    o.log_requests = true;
    o.rate_limit_per_minute = 0;  // 800 requests from one token
    o.access_log_sink = [c = captured_](std::string_view batch) {
      std::lock_guard<std::mutex> lock(c->mutex);
      c->text.append(batch);
      ++c->batches;
    };
    return o;
  }
  std::shared_ptr<Captured> captured_ = std::make_shared<Captured>();
};

TEST_F(AccessLogTest, NRequestsThenStopWriteExactlyNLinesInTodaysFormat) {
  constexpr int kN = 300;
  for (int i = 0; i < kN; ++i) ASSERT_TRUE(i % 3 ? poll("no-such-job") : submit()) << i;
  server().stop();
  auto lines = captured_->lines();
  ASSERT_EQ(lines.size(), static_cast<std::size_t>(kN));
  // "METHOD PATH -> STATUS", then " error_code" when the answer is an error.
  EXPECT_EQ(lines[0], "POST " + submit_path("acct-demo") + " -> 202");
  EXPECT_THAT(lines[1], ::testing::MatchesRegex("GET /1/jobs/no-such-job -> 4[0-9][0-9] [a-z_]+"));
  EXPECT_LT(captured_->batch_count(), kN / 2) << "written in batches (one a second, and one at stop()), not a line at a time";
}

TEST_F(AccessLogTest, ConcurrentRequestsEachGetOneWholeLine) {
  constexpr int kThreads = 8, kEach = 100;
  std::vector<std::thread> clients;
  for (int t = 0; t < kThreads; ++t)
    clients.emplace_back([this] {
      auto c = client();
      c.set_keep_alive(true);
      for (int i = 0; i < kEach; ++i) c.Get(status_path("no-such-job"));
    });
  for (auto& t : clients) t.join();
  server().stop();
  auto lines = captured_->lines();
  ASSERT_EQ(lines.size(), static_cast<std::size_t>(kThreads * kEach));
  const std::regex whole("GET /1/jobs/no-such-job -> 4[0-9][0-9] [a-z_]+");
  for (const auto& l : lines) ASSERT_TRUE(std::regex_match(l, whole)) << l;
}

TEST_F(AccessLogTest, WithTheJournalOffRequestsAreStillLogged) {
  server().stop();
  Options o = options();
  o.max_journal = 0;
  FakeServer quiet_journal(o);
  ASSERT_TRUE(quiet_journal.start());
  httplib::Client c("127.0.0.1", quiet_journal.port());
  ASSERT_TRUE(c.Get(status_path("no-such-job")));
  quiet_journal.stop();
  EXPECT_EQ(captured_->lines().size(), 1u);
}

class FlushedAccessLogTest : public AccessLogTest {
 protected:
  Options options() const override {
    Options o = AccessLogTest::options();
    o.access_log_flush = 20ms;
    return o;
  }
};

TEST_F(FlushedAccessLogTest, ALineIsWrittenWithinTheFlushIntervalWhileTheServerRuns) {
  ASSERT_TRUE(poll("no-such-job"));
  for (int i = 0; i < 500 && captured_->lines().empty(); ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(captured_->lines().size(), 1u);
}

class SmallBufferAccessLogTest : public AccessLogTest {
 protected:
  Options options() const override {
    Options o = AccessLogTest::options();
    o.access_log_buffer_bytes = 256;
    o.access_log_flush = std::chrono::hours(1);
    return o;
  }
};

TEST_F(SmallBufferAccessLogTest, AFullBufferIsWrittenWithoutWaitingForTheInterval) {
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(poll("no-such-job"));  // ~45 bytes a line: over 256 bytes
  for (int i = 0; i < 500 && captured_->batch_count() == 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_GE(captured_->batch_count(), 1);
  server().stop();
  EXPECT_EQ(captured_->lines().size(), 20u);
}

TEST(AccessLog, ASinkThatBlocksHoldsRequestsBackInsteadOfDroppingLines) {
  std::mutex gate;
  std::unique_lock<std::mutex> closed(gate);  // the sink waits on this until the test opens it
  std::atomic<std::size_t> bytes{0};
  AccessLog log(
      [&](std::string_view batch) {
        std::lock_guard<std::mutex> wait(gate);
        bytes += batch.size();
      },
      64, std::chrono::milliseconds(1));
  std::atomic<int> appended{0};
  std::thread requests([&] {
    for (int i = 0; i < 100; ++i) {
      log.line("GET", "/1/jobs/x", 400, "invalid_resource");
      ++appended;
    }
  });
  std::this_thread::sleep_for(100ms);
  EXPECT_LT(appended.load(), 100) << "16 buffers of 64 bytes hold about 30 lines, not 100";
  closed.unlock();
  requests.join();
  log.stop();
  EXPECT_EQ(bytes.load(), 100 * std::string("GET /1/jobs/x -> 400 invalid_resource\n").size());
}

}  // namespace
