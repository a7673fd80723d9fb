// Fuzz target: the fast JSON reader (codec/json_scan.hpp) held to nlohmann::json: what it accepts, nlohmann accepts
// and reads the same; what nlohmann reads within the depth limit (and without its liberties below), it accepts. And the load tool's job reader
// (bench/job_seen.hpp) answers as its tree form does.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include <roambi/jobs/bench/job_seen.hpp>
#include <roambi/jobs/codec/json_scan_tree.hpp>

#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace roambi::jobs;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto full = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  const auto fast = codec::scan_tree(text);
  // nlohmann::json's two liberties, which the scan does not take: a NUL byte ends its input, a UTF-8 BOM is skipped.
  const bool liberty = text.find('\0') != std::string_view::npos || text.rfind("\xef\xbb\xbf", 0) == 0;
  const bool shallow = !liberty && !full.is_discarded() && codec::json_depth(full) <= codec::kMaxScanDepth;
  if (fast) {
    fuzz::require(!full.is_discarded(), "the scan accepted what nlohmann::json refuses");
    fuzz::require(codec::same_json(*fast, full), "the scan read a value differently from nlohmann::json");
  } else {
    fuzz::require(!shallow, "the scan refused what nlohmann::json reads");
  }
  if ((full.is_discarded() && !liberty) || shallow)
    fuzz::require(bench::read_job(text) == bench::read_job_tree(full), "read_job differs from read_job_tree");
  return 0;
}
