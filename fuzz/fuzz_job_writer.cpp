// Fuzz target: the fake's direct job writer against the model. A Job built from the input, in every profile:
// whenever append_json answers it writes exactly to_json(job, p).dump(), and it answers whenever the job's text is
// ASCII (declining is only for text dump() would check as UTF-8).
// Input: byte 0 the status, bytes 1-8 progress (a double as stored), 9-12 retry_after, byte 13 whether there is an
// exception; then uid, exception, status_url and the results' JSON text, separated by NUL bytes.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include <roambi/jobs/fake/job_writer.hpp>
#include <roambi/jobs/job.hpp>

#include "fuzz_support.hpp"

namespace {

bool ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace roambi::jobs;
  constexpr std::size_t kHead = 14;
  if (size < kHead) return 0;
  Job job;
  job.status = static_cast<JobStatus>(data[0] % kJobStatusNames.size());
  std::memcpy(&job.progress, data + 1, sizeof(double));
  std::int32_t retry_after = 0;
  std::memcpy(&retry_after, data + 9, sizeof retry_after);
  job.retry_after = retry_after;
  const bool has_exception = data[13] & 1;
  const auto parts = fuzz::split(std::string_view(reinterpret_cast<const char*>(data) + kHead, size - kHead),
                                 std::string_view("\0", 1));
  auto part = [&](std::size_t i) { return i < parts.size() ? std::string(parts[i]) : std::string(); };
  job.uid = part(0);
  if (has_exception) job.exception = part(1);
  job.status_url = part(2);
  const std::string results_text = part(3);
  if (!results_text.empty() && results_text.size() <= 4096) {  // bounded nesting: dump() recurses
    auto results = nlohmann::json::parse(results_text, nullptr, false);
    if (!results.is_discarded()) job.results = std::move(results);
  }
  const bool all_ascii = ascii(job.uid) && ascii(job.exception.value_or("")) && ascii(job.status_url) &&
                         (job.results.is_null() || ascii(job.results.dump(-1, ' ', false)));
  for (auto it = fuzz::profiles_begin(); it != fuzz::profiles_end(); ++it) {
    const Profile& p = **it;
    std::string fast;
    const bool answered = append_json(fast, job, p);
    if (all_ascii) fuzz::require(answered, "append_json answers a job whose text is ASCII");
    if (!answered) continue;
    fuzz::require(fast == to_json(job, p).dump(), "append_json writes to_json(job, p).dump() byte for byte");
    // The fake's form: the results as text it wrote itself.
    std::string results;
    if (!job.results.is_null()) fuzz::require(detail::append_json_value(results, job.results), "results written");
    std::string from_text;
    fuzz::require(append_json(from_text, job, p, results) && from_text == fast,
                  "append_json with the results' text writes the same bytes");
  }
  return 0;
}
