// Fuzz target: a multipart Submit Job (validate_submit_multipart) in every profile. The input is
// "<flags byte><publish_options>\x00<source_file>"; flag bit 0 drops publish_options, bit 1 drops source_file, so
// every presence combination (D9: neither, one, both sources) is reached.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <roambi/jobs/submit.hpp>

#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace roambi::jobs;
  if (size == 0) return 0;
  const unsigned flags = data[0];
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  const auto nul = rest.find('\0');
  std::optional<std::string> options, source;
  if (!(flags & 1u)) options = std::string(rest.substr(0, nul));
  if (!(flags & 2u) && nul != std::string_view::npos) source = std::string(rest.substr(nul + 1));
  for (auto it = fuzz::profiles_begin(); it != fuzz::profiles_end(); ++it) {
    auto v = validate_submit_multipart(options, source, **it);
    fuzz::require(v.request.has_value() != v.error.has_value(), "validate_submit_multipart: exactly one of request, error");
    if (v.request) {
      fuzz::require(v.request->mode == SubmitMode::multipart, "a multipart body gives a multipart-mode request");
      fuzz::require(v.request->source_file_uid.has_value() != v.request->source_file.has_value(),
                    "a multipart request has exactly one source");
    }
  }
  return 0;
}
