// AccessLog: the fake's line per request, buffered and written by a thread of its own, off the request's path.
#pragma once

#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdio>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace roambi::jobs::fake {

/// One line per request, "METHOD PATH -> STATUS[ error_code]", as nginx's `access_log ... buffer=64k flush=1s`
/// writes them: a request appends its line to a buffer under a short lock and goes on; a writer thread hands the
/// buffer to the sink once `buffer_bytes` are buffered, and at least every `flush_every`. A write per request (to
/// stderr, even /dev/null) on the request's thread made the fake's p99 2.5-4x bare httplib's (bench/README.md).
/// stop() writes every line appended before it: none is lost at a clean stop.
class AccessLog {
 public:
  using Sink = std::function<void(std::string_view)>;

  /// `sink` gets the lines a batch at a time, on the writer thread; null: stderr.
  explicit AccessLog(Sink sink = {}, std::size_t buffer_bytes = 64u << 10,
                     std::chrono::milliseconds flush_every = std::chrono::seconds(1))
      : sink_(sink ? std::move(sink) : Sink(write_to_stderr)),
        buffer_bytes_(buffer_bytes ? buffer_bytes : 1),
        max_pending_(buffer_bytes_ * kMaxPendingBuffers),
        flush_every_(flush_every) {
    pending_.reserve(buffer_bytes_ * 2);
    writing_.reserve(buffer_bytes_ * 2);
    writer_ = std::thread([this] { run(); });
  }
  AccessLog(const AccessLog&) = delete;
  AccessLog& operator=(const AccessLog&) = delete;
  ~AccessLog() { stop(); }

  /// Appends one request's line. Waits only while the writer is kMaxPendingBuffers buffers behind (a sink that
  /// blocks, like a full pipe), so that memory stays bounded and no line is dropped.
  void line(std::string_view method, std::string_view path, int status, std::string_view error) {
    char digits[12];
    const auto status_end = std::to_chars(digits, digits + sizeof digits, status).ptr;
    std::unique_lock<std::mutex> lock(mutex_);
    if (pending_.size() >= max_pending_ && !stopped_)
      drained_.wait(lock, [this] { return pending_.size() < max_pending_ || stopped_; });
    const bool was_below = pending_.size() < buffer_bytes_;
    pending_.append(method).append(1, ' ').append(path).append(" -> ").append(digits, status_end);
    if (!error.empty()) pending_.append(1, ' ').append(error);
    pending_.push_back('\n');
    if (was_below && pending_.size() >= buffer_bytes_) {
      lock.unlock();
      wake_.notify_one();  // once per buffer: the writer sleeps through the lines in between
    }
  }

  /// Writes what is buffered and ends the writer thread; lines appended later stay unwritten. Idempotent.
  void stop() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_one();
    if (writer_.joinable()) writer_.join();
  }

 private:
  static constexpr std::size_t kMaxPendingBuffers = 16;

  static void write_to_stderr(std::string_view lines) {
    std::fwrite(lines.data(), 1, lines.size(), stderr);
    std::fflush(stderr);
  }

  void run() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      wake_.wait_for(lock, flush_every_, [this] { return stopping_ || pending_.size() >= buffer_bytes_; });
      const bool last = stopping_;
      writing_.swap(pending_);  // the emptied buffer, capacity kept, takes the next lines
      lock.unlock();
      drained_.notify_all();
      if (!writing_.empty()) sink_(writing_);
      writing_.clear();
      lock.lock();
      if (last) {
        stopped_ = true;
        drained_.notify_all();
        return;
      }
    }
  }

  Sink sink_;
  const std::size_t buffer_bytes_, max_pending_;
  const std::chrono::milliseconds flush_every_;
  std::mutex mutex_;
  std::condition_variable wake_, drained_;
  std::string pending_, writing_;  // appended to by requests; being written by the writer
  bool stopping_ = false, stopped_ = false;
  std::thread writer_;
};

}  // namespace roambi::jobs::fake
