// The fake's retained jobs: packed uids, interned names, titles in use and published, settling and eviction.
// Not synchronized: the engine calls it with its lock held ("mutex_ held" below means exactly that).
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <memory_resource>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include <roambi/jobs/job.hpp>
#include <roambi/jobs/fake/coverage.hpp>

namespace roambi::jobs::fake {

inline constexpr char kHexDigits[] = "0123456789abcdef";  // job uids, file ids, refreshed tokens

/// splitmix64's output function: a bijection on 64 bits that scatters neighbouring inputs.
inline std::uint64_t mix64(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/// A job uid (a UUID in 8-4-4-4-12 lowercase hex form) as its 32 digits packed, most significant first, so keys
/// order as the uids' text does.
struct UidKey {
  std::uint64_t hi = 0, lo = 0;
  bool operator==(const UidKey& o) const { return hi == o.hi && lo == o.lo; }
  bool operator<(const UidKey& o) const { return hi != o.hi ? hi < o.hi : lo < o.lo; }

  /// The key of a uid this fake could have made; nullopt for any other text (no such job).
  static std::optional<UidKey> of(std::string_view s) {
    if (s.size() != 36) return std::nullopt;
    UidKey k;
    int digits = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
      const char c = s[i];
      if (i == 8 || i == 13 || i == 18 || i == 23) {
        if (c != '-') return std::nullopt;
        continue;
      }
      unsigned v;
      if (c >= '0' && c <= '9') v = static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f') v = static_cast<unsigned>(c - 'a' + 10);
      else return std::nullopt;
      std::uint64_t& half = digits < 16 ? k.hi : k.lo;
      half = (half << 4) | v;
      ++digits;
    }
    return k;
  }
  std::string text() const {
    char digits[32];  // hi then lo, most significant digit first
    for (unsigned i = 0; i < 16; ++i) {
      digits[i] = kHexDigits[(hi >> (60 - 4 * i)) & 15u];
      digits[16 + i] = kHexDigits[(lo >> (60 - 4 * i)) & 15u];
    }
    std::string uid(36, '-');  // 8-4-4-4-12
    std::memcpy(&uid[0], digits, 8);
    std::memcpy(&uid[9], digits + 8, 4);
    std::memcpy(&uid[14], digits + 12, 4);
    std::memcpy(&uid[19], digits + 16, 4);
    std::memcpy(&uid[24], digits + 20, 12);
    return uid;
  }
};
struct UidHash {
  std::size_t operator()(const UidKey& k) const noexcept {
    return static_cast<std::size_t>(k.lo ^ (k.hi * 0x9e3779b97f4a7c15ull));
  }
};

/// A title in a folder (the key: the folder's name index, 4 bytes, then the title; see JobStore::scratch_key()): the
/// jobs in flight under it, and whether a file of it is published (by a job, or in the fixtures). One entry serves
/// the file_exists check, the reservation of a submitted title and the publication.
struct TitleState {
  int in_flight = 0;
  bool published = false;
};
using Titles = std::pmr::unordered_map<std::pmr::string, TitleState>;
using TitleEntry = Titles::value_type;  // its address stays valid while it is in the map (rehashing moves no node)

/// A retained job, kept small (100,000 of them fit in 64 MiB): user, account, folder and exception as indices into
/// the store's names, each name stored once.
struct JobRecord {
  JobRecord() = default;
  explicit JobRecord(std::pmr::string t) : title(std::move(t)) {}
  std::pmr::string title;  // in the store's pool for a retained job
  std::int64_t created_ms = 0, ends_ms = 0;
  std::uint64_t reads = 0;
  std::uint32_t user = 0, account = 0, folder = 0, exception = 0;
  int polls_needed = 0, polls_seen = 0;
  std::array<char, 12> file_hex{};  // once complete: the published file's uid after "file-"
  TitleEntry* title_entry = nullptr;  // while in flight: its title's entry, which counts it
  enum class Progression : unsigned char { clock, polls, stall } progression = Progression::clock;
  JobStatus final_status = JobStatus::processing;
  bool overwrite = false, fails = false, settled = false;
  std::uint8_t failed_at_percent = 0;  // a failed job's progress stays where it was when it failed

  bool has_file() const { return file_hex[0] != '\0'; }
  std::string_view file_id() const { return {file_hex.data(), file_hex.size()}; }
  double final_progress() const { return final_status == JobStatus::error ? failed_at_percent / 100.0 : 1.0; }
  /// A running job's progress in whole percent, 0..99: rises with the clock or the polls seen, never falls.
  int running_percent(std::int64_t now) const {
    double p = 0.0;
    if (progression == Progression::clock && ends_ms > created_ms)
      p = static_cast<double>(now - created_ms) / static_cast<double>(ends_ms - created_ms);
    else if (progression == Progression::polls && polls_needed > 0)
      p = static_cast<double>(polls_seen) / polls_needed;
    return static_cast<int>(std::min(99.0, std::floor(std::max(0.0, p) * 100.0)));
  }
};

/// The jobs retained (at most max_jobs, the oldest evicted first) and the titles they and the tenant's files use.
class JobStore {
 public:
  /// `seed`: uids and file ids are the same in every run of a seed. `publishes`: a complete job publishes its file.
  JobStore(std::uint64_t seed, std::size_t max_jobs, bool publishes, Coverage& coverage)
      : seed_(seed), max_jobs_(max_jobs), publishes_(publishes), coverage_(coverage) {
    // Buckets for the bound up front (up to 2^17 each, 1 MiB): rehashing a table of tens of thousands of jobs takes
    // milliseconds under the engine lock, which every request waits behind.
    const std::size_t buckets = std::min<std::size_t>(max_jobs, std::size_t{1} << 17);
    jobs_.reserve(buckets);
    titles_.reserve(buckets);
  }

  /// No job, no title, no name; uids and file ids start again from the seed's first.
  void clear() {
    jobs_.clear();
    order_.clear();
    due_.clear();
    titles_.clear();
    published_.clear();
    name_ids_.clear();
    names_.clear();
    evicted_ = 0;
    uids_made_ = files_made_ = 0;
  }
  /// A file the tenant has: published for good (never forgotten as jobs' files are).
  void add_tenant_file(std::string_view folder, std::string_view title) {
    title_entry(intern(folder), title).second.published = true;
  }

  std::size_t size() const { return jobs_.size(); }
  std::uint64_t evicted() const { return evicted_; }

  // ---- names ----
  /// The index of a name, added if new. Names come from the tenant (or a test's script), so they are few.
  std::uint32_t intern(std::string_view s) {
    if (auto id = name_id(s)) return *id;
    names_.emplace_back(s);  // a deque: the views name_ids_ holds stay valid
    const auto id = static_cast<std::uint32_t>(names_.size() - 1);
    name_ids_.emplace(names_.back(), id);
    return id;
  }
  std::optional<std::uint32_t> name_id(std::string_view s) const {
    auto it = name_ids_.find(s);
    if (it == name_ids_.end()) return std::nullopt;
    return it->second;
  }
  const std::string& name(std::uint32_t id) const { return names_[id]; }

  // ---- titles ----
  /// Whether a published file of this title is in the folder (jobs that completed, plus the tenant's files).
  bool file_exists(std::string_view folder, std::string_view title) const {
    const TitleState* t = title_state(folder, title);
    return t && t->published;
  }
  /// Whether the title is in use in the folder: a published file, or a job in flight that will publish one.
  bool title_taken(std::string_view folder, std::string_view title) const {
    const TitleState* t = title_state(folder, title);
    return t && (t->published || t->in_flight > 0);
  }

  // ---- jobs ----
  /// The next job uid, a UUID v4 in form: the n-th uid of a seed is the same in every run (reproducible per seed, in
  /// submit order) and differs from every other of that seed. A few multiplications, not 32 draws of mt19937_64:
  /// this runs under the lock on every submit.
  UidKey next_uid() {
    const std::uint64_t base = mix64(seed_), n = uids_made_++;
    UidKey k{mix64(base + 2 * n), mix64(base + 2 * n + 1)};
    k.hi = (k.hi & ~0xf000ull) | 0x4000ull;                          // digit 13 of the text: version 4
    k.lo = (k.lo & 0x3fffffffffffffffull) | 0x8000000000000000ull;  // digit 17: the variant, 8 to b
    return k;
  }
  /// A new job's record, its title in the store's pool.
  JobRecord new_record(std::string_view title) { return JobRecord(std::pmr::string(title, &state_pool_)); }
  /// Retains the job: it reserves its title and, if the clock drives it, waits for its end. Call evict_over_bound()
  /// once done with the record returned.
  const JobRecord& add(const UidKey& key, JobRecord&& j) {
    j.title_entry = &title_entry(j.folder, j.title);
    ++j.title_entry->second.in_flight;
    if (j.progression == JobRecord::Progression::clock) due_.push_back({j.ends_ms, key});
    order_.push_back(key);
    return jobs_.emplace(key, std::move(j)).first->second;
  }
  /// The retained job of this uid, or null.
  JobRecord* find(const UidKey& k) {
    auto it = jobs_.find(k);
    return it == jobs_.end() ? nullptr : &it->second;
  }
  /// Ends every clock-driven job whose end time is at or before `now`.
  void settle(std::int64_t now) {
    while (!due_.empty() && due_.front().first <= now) {
      const UidKey uid = due_.front().second;
      due_.pop_front();
      JobRecord* r = find(uid);  // null: evicted before it ended
      if (r && !r->settled) finalize(*r, r->ends_ms);
    }
  }
  /// Ends the job at `now` (its end time, or the poll that ends it).
  void finalize(JobRecord& r, std::int64_t now) {
    r.settled = true;
    if (r.fails) {
      r.failed_at_percent = static_cast<std::uint8_t>(r.running_percent(now));
      release(r);
      r.final_status = JobStatus::error;
      coverage_.ended(JobStatus::error);
      return;
    }
    r.final_status = JobStatus::complete;
    coverage_.ended(JobStatus::complete);
    // The published file's id: 12 hex digits, the n-th of a seed the same in every run (as job uids are).
    std::uint64_t bits = mix64(mix64(seed_) ^ 0x66696c65ull /* "file" */ ^ (files_made_++ << 8));
    for (char& c : r.file_hex) {
      c = kHexDigits[bits & 15u];
      bits >>= 4;
    }
    if (!publishes_) return release(r);
    TitleEntry* t = leave_title(r);
    if (!t) return;
    if (t->second.published) {  // it replaced a file of that title
      coverage_.replaced_file();
      return;
    }
    // Files published by jobs are remembered as long as max_jobs jobs are (oldest forgotten first), so that a long
    // run with ever-new titles levels off instead of growing (reliability/soak.sh). The tenant's files stay.
    t->second.published = true;
    published_.push_back(t);
    while (published_.size() > max_jobs_) {
      TitleEntry* old = published_.front();
      published_.pop_front();
      old->second.published = false;
      forget_if_unused(old);
    }
  }
  /// Drops the oldest jobs beyond max_jobs.
  void evict_over_bound() {
    while (jobs_.size() > max_jobs_ && !order_.empty()) {
      auto it = jobs_.find(order_.front());
      order_.pop_front();
      if (it == jobs_.end()) continue;
      if (!it->second.settled) release(it->second);
      jobs_.erase(it);
      ++evicted_;
    }
  }

 private:
  const TitleState* title_state(std::string_view folder, std::string_view title) const {
    auto f = name_id(folder);  // a folder no file or job named has neither
    if (!f) return nullptr;
    auto it = titles_.find(scratch_key(*f, title));
    return it == titles_.end() ? nullptr : &it->second;
  }
  /// The key of a title in a folder, written to key_scratch_, whose buffer is kept: a lookup without an allocation.
  const std::pmr::string& scratch_key(std::uint32_t folder, std::string_view title) const {
    key_scratch_.assign(reinterpret_cast<const char*>(&folder), sizeof folder);
    key_scratch_ += title;
    return key_scratch_;
  }
  /// The entry of a title in a folder, added (no job, no file) if new.
  TitleEntry& title_entry(std::uint32_t folder, std::string_view title) {
    auto it = titles_.find(scratch_key(folder, title));
    if (it == titles_.end()) it = titles_.emplace(key_scratch_, TitleState{}).first;
    return *it;
  }
  /// Drops a title's entry once no job is in flight under it and no file of it is published.
  void forget_if_unused(TitleEntry* t) {
    if (t->second.in_flight == 0 && !t->second.published) titles_.erase(titles_.find(t->first));
  }
  /// The job leaves its title's count of jobs in flight: its entry, or null when it had left already.
  static TitleEntry* leave_title(JobRecord& r) {
    TitleEntry* t = r.title_entry;
    r.title_entry = nullptr;
    if (t) --t->second.in_flight;
    return t;
  }
  /// A job that will not publish leaves its title.
  void release(JobRecord& r) {
    if (TitleEntry* t = leave_title(r)) forget_if_unused(t);
  }

  std::uint64_t seed_;
  std::size_t max_jobs_;
  bool publishes_;
  Coverage& coverage_;
  // Retained jobs and titles live in a pool of their own: tens of thousands of nodes kept among the allocations each
  // request makes and frees made glibc's malloc slower for all of those. Declared before the containers that use
  // it.
  std::pmr::unsynchronized_pool_resource state_pool_;
  std::pmr::unordered_map<UidKey, JobRecord, UidHash> jobs_{&state_pool_};
  std::pmr::deque<UidKey> order_{&state_pool_};  // retained jobs, oldest first
  // Clock-driven jobs by end time, oldest first: every one ends job_duration after its submit, and submits read the
  // clock (which never runs backwards) under the lock, so appending keeps the order. A queue, not a heap: settling a
  // job is a pop at the front instead of a sift through ~log2(n) scattered entries, under the lock.
  std::pmr::deque<std::pair<std::int64_t, UidKey>> due_{&state_pool_};
  std::deque<std::string> names_;  // users, accounts, folders and exceptions of jobs and files, each once: see intern()
  std::unordered_map<std::string_view, std::uint32_t> name_ids_;  // views into names_
  Titles titles_{&state_pool_};  // titles with a job in flight or a published file (whose id lives in the job's results)
  std::pmr::deque<TitleEntry*> published_{&state_pool_};  // the titles jobs published, oldest first (bounded by max_jobs)
  mutable std::pmr::string key_scratch_;  // scratch_key()'s buffer (lookups only: the default resource)
  std::uint64_t evicted_ = 0;
  std::uint64_t uids_made_ = 0;   // next_uid()'s n
  std::uint64_t files_made_ = 0;  // finalize()'s file ids
};

}  // namespace roambi::jobs::fake
