// One TCP segment per answer (httplib_compat.hpp): this binary defines send() as roambi-fake-server does, and records
// every send of the process (send_recorder.hpp), so the tests see which of the fake's writes went out with MSG_MORE.
#include <sys/socket.h>
#include <sys/types.h>

#include <mutex>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <roambi/jobs/fake/gtest.hpp>

#include "send_recorder.hpp"

namespace {

using namespace roambi::jobs;
using namespace roambi::jobs::fake;
using roambi::jobs::fake::testing::FakeServerTest;
using send_recorder::sends_of_answer;

class OneSegmentTest : public FakeServerTest {
 protected:
  void SetUp() override {
    send_recorder::clear();
    FakeServerTest::SetUp();
  }
};

TEST_F(OneSegmentTest, AnAnswersHeadersAreHeldForItsBodyWhichPushesBoth) {
  auto res = submit();
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  ASSERT_EQ(res->status, 202);
  auto writes = sends_of_answer("HTTP/1.1 202");
  ASSERT_EQ(writes.size(), 2u) << "headers, then the body";
  EXPECT_TRUE(writes[0].more) << "the headers wait for the body";
  EXPECT_FALSE(writes[1].more) << "the body's send pushes both";
  EXPECT_EQ(writes[1].bytes, res->body);
}

TEST_F(OneSegmentTest, ErrorAnswersLeaveInOneSegmentToo) {
  auto res = poll("no-such-job");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 400);
  auto writes = sends_of_answer("HTTP/1.1 400");
  ASSERT_EQ(writes.size(), 2u);
  EXPECT_TRUE(writes[0].more);
  EXPECT_FALSE(writes[1].more);
  EXPECT_EQ(writes[1].bytes, res->body);
}

TEST_F(OneSegmentTest, AnAnswerWithoutABodyIsNeverHeld) {
  // HEAD: the headers are the whole answer; held, they would wait for a send that never comes.
  auto head = client().Head(status_path("no-such-job"));
  ASSERT_TRUE(head) << httplib::to_string(head.error());
  auto writes = sends_of_answer("HTTP/1.1 405");
  ASSERT_EQ(writes.size(), 1u);
  EXPECT_FALSE(writes[0].more);
  // The next answer on a fresh connection still has its headers held for its body: the mark is per answer.
  ASSERT_TRUE(submit());
  auto next = sends_of_answer("HTTP/1.1 202");
  ASSERT_EQ(next.size(), 2u);
  EXPECT_TRUE(next[0].more);
}

class EmptyBodyOneSegmentTest : public OneSegmentTest {
 protected:
  Options options() const override {
    Options o = OneSegmentTest::options();
    o.defects.set(Defect::submit_status_204);
    return o;
  }
};

TEST_F(EmptyBodyOneSegmentTest, A204AnswerLeavesUnheld) {
  auto res = submit();
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  ASSERT_EQ(res->status, 204);
  auto writes = sends_of_answer("HTTP/1.1 204");
  ASSERT_EQ(writes.size(), 1u);
  EXPECT_FALSE(writes[0].more);
}

TEST_F(OneSegmentTest, ManyAnswersOnOneKeepAliveConnectionEachArriveWhole) {
  // Held headers that a body never released would stall this connection's next request until the kernel's timer.
  httplib::Client c = client();
  c.set_keep_alive(true);
  for (int i = 0; i < 50; ++i) {
    auto res = i % 2 ? c.Get(status_path("no-such-job")) : c.Head(status_path("no-such-job"));
    ASSERT_TRUE(res) << i << ": " << httplib::to_string(res.error());
    EXPECT_EQ(res->status, i % 2 ? 400 : 405) << i;
  }
  std::lock_guard<std::mutex> lock(send_recorder::sent_mutex);
  int held = 0, answers = 0;
  for (const auto& w : send_recorder::sent)
    if (w.bytes.rfind("HTTP/1.1 ", 0) == 0) {
      ++answers;
      held += w.more ? 1 : 0;
    }
  EXPECT_EQ(answers, 50);
  EXPECT_EQ(held, 25) << "the GETs' headers, not the HEADs'";
}

}  // namespace
