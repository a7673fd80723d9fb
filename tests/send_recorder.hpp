// The process-wide send() roambi-fake-server defines (httplib_compat.hpp), recording every send of the test binary
// first, so that a test sees which writes an answer took and which carried MSG_MORE. Include in one file per binary.
#pragma once

#include <sys/socket.h>
#include <sys/types.h>

#include <mutex>
#include <string>
#include <vector>

#include <roambi/jobs/fake/httplib_compat.hpp>

namespace send_recorder {

struct Sent {
  int fd;
  bool more;  // sent with MSG_MORE
  std::string bytes;
};
inline std::mutex sent_mutex;
inline std::vector<Sent> sent;                     // every send() of this process (test clients' too), in order
inline thread_local int sends_on_this_thread = 0;  // this thread's send() calls so far

inline void clear() {
  std::lock_guard<std::mutex> lock(sent_mutex);
  sent.clear();
}

/// The sends of the answer whose first bytes are `status_line`: its headers' send, then every later send on that
/// connection up to the next answer's headers.
inline std::vector<Sent> sends_of_answer(const std::string& status_line) {
  std::lock_guard<std::mutex> lock(sent_mutex);
  std::vector<Sent> out;
  for (const auto& w : sent) {
    if (out.empty()) {
      if (w.bytes.rfind(status_line, 0) == 0) out.push_back(w);
    } else if (w.fd == out.front().fd) {
      if (w.bytes.rfind("HTTP/1.1 ", 0) == 0) break;
      out.push_back(w);
    }
  }
  return out;
}

}  // namespace send_recorder

// Recorded before the write: a client that has its answer finds every write of it recorded. httplib's prebuilt
// library must call this through the dynamic linker, as it does roambi-fake-server's.
extern "C" ssize_t send(int fd, const void* data, size_t size, int flags) {
  namespace compat = roambi::jobs::fake::httplib_compat;
  {
    std::lock_guard<std::mutex> lock(send_recorder::sent_mutex);
    send_recorder::sent.push_back({fd, compat::body_follows_headers || (flags & MSG_MORE) != 0,
                                   std::string(static_cast<const char*>(data), size)});
  }
  ++send_recorder::sends_on_this_thread;
  return compat::send_one_segment(fd, data, size, flags);
}
