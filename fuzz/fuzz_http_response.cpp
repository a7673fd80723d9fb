// Fuzz target: the load tool's HTTP response reader (bench/http_response.hpp) on any bytes a target may send, small
// caps from the first byte. Never crashes; a response stays within the caps; and bytes fed one at a time are read
// exactly as the same bytes fed at once (framing does not depend on how recv() splits them).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <roambi/jobs/bench/http_response.hpp>

#include "fuzz_support.hpp"

namespace {

struct Outcome {
  bool ok;
  int status;
  std::string body, error;
  std::size_t consumed;
  bool close_after;
  bool operator==(const Outcome& o) const {
    return ok == o.ok && status == o.status && body == o.body && error == o.error && consumed == o.consumed &&
           close_after == o.close_after;
  }
};

/// Every response in `wire`, read in pieces of `step` bytes, until one fails or the bytes run out.
std::vector<Outcome> read_all(std::string_view wire, std::size_t step, const roambi::jobs::bench::ResponseLimits& limits) {
  std::vector<Outcome> out;
  std::string buf;
  std::size_t at = 0;
  for (int n = 0; n < 64; ++n) {
    roambi::jobs::bench::HttpResponse res;
    auto fill = [&] {
      if (at >= wire.size()) {
        res.transport_error = "closed";
        return false;
      }
      buf.append(wire.substr(at, step));
      at += step;
      return true;
    };
    std::size_t consumed = 0;
    bool close_after = false;
    const bool ok = roambi::jobs::bench::read_response(buf, fill, res, consumed, close_after, limits);
    if (ok) {
      roambi::jobs::fuzz::require(consumed <= buf.size(), "consumed more than was received");
      roambi::jobs::fuzz::require(res.body.size() <= limits.max_body_bytes, "a body over the cap");
      roambi::jobs::fuzz::require(res.status >= 100 && res.status <= 999, "a status outside 100..999");
      buf.erase(0, consumed);
    } else {
      roambi::jobs::fuzz::require(res.status == 0 && !res.transport_error.empty(), "a failure without its reason");
    }
    out.push_back({ok, res.status, res.body, res.transport_error, consumed, close_after});
    if (!ok || close_after || (buf.empty() && at >= wire.size())) break;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  roambi::jobs::bench::ResponseLimits limits;
  if (data[0] & 1) limits = {128, 64};  // small caps, so that inputs reach them
  const std::string_view wire(reinterpret_cast<const char*>(data) + 1, size - 1);
  const auto whole = read_all(wire, wire.size() + 1, limits);
  const auto bytewise = read_all(wire, 1, limits);
  const auto odd = read_all(wire, 1 + (data[0] >> 1), limits);
  roambi::jobs::fuzz::require(whole == bytewise && whole == odd, "the outcome depends on how the bytes were split");
  return 0;
}
