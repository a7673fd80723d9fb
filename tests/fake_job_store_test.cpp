// Tests of fake/job_store.hpp: uids, names, titles in use and published, settling, eviction.
#include <set>
#include <string>

#include <gtest/gtest.h>

#include <roambi/jobs/fake/job_store.hpp>

namespace {

using namespace roambi::jobs;
using namespace roambi::jobs::fake;

class FakeJobStoreTest : public ::testing::Test {
 protected:
  /// A clock-driven job of `title` in fld-a, ending at `ends_ms`, retained under a fresh uid.
  UidKey add(const std::string& title, std::int64_t ends_ms = 1000, bool fails = false) {
    const UidKey key = store_.next_uid();
    JobRecord j = store_.new_record(title);
    j.user = store_.intern("user-a");
    j.folder = store_.intern("fld-a");
    j.exception = store_.intern("1001");
    j.ends_ms = ends_ms;
    j.fails = fails;
    store_.add(key, std::move(j));
    store_.evict_over_bound();
    return key;
  }
  std::uint64_t count(const std::string& behaviour) const {
    for (const auto& c : coverage_.items())
      if (c.behaviour == behaviour) return c.count;
    return 0;
  }
  Coverage coverage_;
  JobStore store_{1, 3, true, coverage_};
};

TEST_F(FakeJobStoreTest, UidsAreUuidV4TextThatReadsBackToTheSameKey) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const UidKey k = store_.next_uid();
    const std::string text = k.text();
    ASSERT_EQ(text.size(), 36u);
    EXPECT_EQ(text[14], '4') << text;
    EXPECT_NE(std::string("89ab").find(text[19]), std::string::npos) << text;
    auto back = UidKey::of(text);
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, k);
    seen.insert(text);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST_F(FakeJobStoreTest, UidsAreTheSameInEveryRunOfASeed) {
  Coverage c;
  JobStore again{1, 3, true, c}, other{2, 3, true, c};
  const UidKey first = store_.next_uid();
  EXPECT_EQ(again.next_uid(), first);
  EXPECT_FALSE(other.next_uid() == first);
}

TEST_F(FakeJobStoreTest, TextThatNoUidCouldBeHasNoKey) {
  EXPECT_FALSE(UidKey::of("sample"));
  EXPECT_FALSE(UidKey::of("00000000-0000-4000-8000-00000000000G"));
  EXPECT_FALSE(UidKey::of("00000000-0000-4000-8000-00000000000A"));  // upper case
  EXPECT_FALSE(UidKey::of("00000000x0000-4000-8000-000000000000"));
  EXPECT_TRUE(UidKey::of("00000000-0000-4000-8000-000000000000"));
}

TEST_F(FakeJobStoreTest, InternStoresEachNameOnce) {
  const auto a = store_.intern("x");
  EXPECT_EQ(store_.intern("x"), a);
  EXPECT_NE(store_.intern("y"), a);
  EXPECT_EQ(store_.name(a), "x");
  EXPECT_FALSE(store_.name_id("z"));
}

TEST_F(FakeJobStoreTest, AJobInFlightTakesItsTitleAndPublishesItsFileWhenItEnds) {
  add("Report", 1000);
  EXPECT_TRUE(store_.title_taken("fld-a", "Report"));
  EXPECT_FALSE(store_.file_exists("fld-a", "Report"));
  store_.settle(999);
  EXPECT_FALSE(store_.file_exists("fld-a", "Report"));
  store_.settle(1000);
  EXPECT_TRUE(store_.file_exists("fld-a", "Report"));
  EXPECT_EQ(count("transition/processing->complete"), 1u);
}

TEST_F(FakeJobStoreTest, AFailedJobFreesItsTitleAndKeepsItsProgress) {
  const UidKey k = add("Doomed", 1000, true);
  store_.finalize(*store_.find(k), 500);
  EXPECT_FALSE(store_.title_taken("fld-a", "Doomed"));
  EXPECT_EQ(store_.find(k)->final_status, JobStatus::error);
  EXPECT_DOUBLE_EQ(store_.find(k)->final_progress(), 0.5);
  EXPECT_EQ(count("transition/processing->error"), 1u);
}

TEST_F(FakeJobStoreTest, ACompleteJobOverATenantFileCountsAsReplacingIt) {
  store_.add_tenant_file("fld-a", "Existing");
  EXPECT_TRUE(store_.file_exists("fld-a", "Existing"));
  add("Existing", 10);
  store_.settle(10);
  EXPECT_EQ(count("submit/overwrite-replaced-a-file"), 1u);
  EXPECT_TRUE(store_.file_exists("fld-a", "Existing"));
}

TEST_F(FakeJobStoreTest, AStoreThatDoesNotPublishLeavesTheTitleFree) {
  Coverage c;
  JobStore store{1, 3, false, c};
  const UidKey k = store.next_uid();
  JobRecord j = store.new_record("T");
  j.folder = store.intern("fld-a");
  j.ends_ms = 1;
  store.add(k, std::move(j));
  store.settle(1);
  EXPECT_TRUE(store.find(k)->has_file());  // it completed, with a file id...
  EXPECT_FALSE(store.title_taken("fld-a", "T"));  // ...that names no file
}

TEST_F(FakeJobStoreTest, TheOldestJobsAreEvictedBeyondTheBoundAndTheirTitlesFreed) {
  const UidKey first = add("A"), second = add("B");
  add("C");
  add("D");
  EXPECT_EQ(store_.size(), 3u);
  EXPECT_EQ(store_.evicted(), 1u);
  EXPECT_EQ(store_.find(first), nullptr);
  EXPECT_NE(store_.find(second), nullptr);
  EXPECT_FALSE(store_.title_taken("fld-a", "A"));
}

TEST_F(FakeJobStoreTest, PublishedFilesAreForgottenOldestFirstBeyondTheBound) {
  for (const char* t : {"A", "B", "C", "D"}) add(t, 10);
  store_.settle(10);  // only B, C and D are retained, and only they end
  EXPECT_FALSE(store_.file_exists("fld-a", "A"));
  for (const char* t : {"E", "F"}) add(t, 20);
  store_.settle(20);
  EXPECT_FALSE(store_.file_exists("fld-a", "B"));
  EXPECT_FALSE(store_.file_exists("fld-a", "C"));
  EXPECT_TRUE(store_.file_exists("fld-a", "D"));
  EXPECT_TRUE(store_.file_exists("fld-a", "F"));
}

TEST_F(FakeJobStoreTest, ARunningJobsProgressRisesWithTheClockAndStopsShortOfOne) {
  JobRecord r;
  r.created_ms = 0;
  r.ends_ms = 1000;
  EXPECT_EQ(r.running_percent(0), 0);
  EXPECT_EQ(r.running_percent(505), 50);
  EXPECT_EQ(r.running_percent(5000), 99);
  r.progression = JobRecord::Progression::polls;
  r.polls_needed = 4;
  r.polls_seen = 1;
  EXPECT_EQ(r.running_percent(5000), 25);
}

TEST_F(FakeJobStoreTest, ClearStartsTheUidsAgainAndForgetsEverything) {
  const UidKey first = add("A");
  store_.clear();
  EXPECT_EQ(store_.size(), 0u);
  EXPECT_FALSE(store_.title_taken("fld-a", "A"));
  EXPECT_EQ(store_.next_uid(), first);
}

}  // namespace
