// One TCP segment per answer: the headers of an answer with a body are sent with MSG_MORE, so they leave with it.
#pragma once

#include <sys/socket.h>
#include <sys/types.h>

#include <cstddef>

namespace roambi::jobs::fake::detail {

/// cpp-httplib 0.11.4 (prebuilt, so not changeable at compile time) writes an answer in two send() calls: the status
/// line and headers, then the body. With TCP_NODELAY on, as it must be (issue #6), each call leaves as its own
/// segment, and a client waiting for the answer is woken by the headers, finds no body, sleeps and is woken again:
/// on a loaded core those wake-ups cost more than the fake's own work on a request (bench/README.md, "One segment per
/// answer, and retained state out of malloc's way"). The fake marks, per thread, an answer whose body follows its headers (FakeServer's post-routing handler,
/// once the answer is final); send_one_segment() gives that next send, the headers, MSG_MORE: the kernel holds them
/// until the body's send, which pushes both as one segment. The bytes on the wire are the same; only their segments
/// differ. The logger clears the mark once the answer is out, so a write that never happened leaves nothing behind.
///
/// httplib calls send() through the dynamic linker, so this takes effect in an executable that defines send() as a
/// call of send_one_segment() (roambi-fake-server does, in main.cpp). A process that does not (a test binary that
/// embeds FakeServer) sends exactly as httplib does: the mark is set and cleared, and nothing reads it.
inline thread_local bool body_follows_headers = false;

/// send(2) for the executable's own definition of send(): MSG_MORE on the headers of an answer whose body follows.
inline ssize_t send_one_segment(int fd, const void* data, std::size_t size, int flags) noexcept {
  if (body_follows_headers) {
    body_follows_headers = false;  // the headers' send, and only it
    flags |= MSG_MORE;
  }
  return ::sendto(fd, data, size, flags, nullptr, 0);
}

}  // namespace roambi::jobs::fake::detail
