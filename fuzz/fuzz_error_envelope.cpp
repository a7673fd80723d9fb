// Fuzz target: an error answer as a client reads it: parse_error_envelope, then check_error_response against
// every error code in every profile, with the first input line as the HTTP status.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include <roambi/jobs/errors.hpp>

#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace roambi::jobs;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto nl = text.find('\n');
  const std::string status_line(text.substr(0, nl == std::string_view::npos ? 0 : nl));
  const int status = static_cast<int>(std::strtol(status_line.c_str(), nullptr, 10) % 1000);
  const std::string_view body = nl == std::string_view::npos ? text : text.substr(nl + 1);
  auto doc = nlohmann::json::parse(body.begin(), body.end(), nullptr, false);
  if (doc.is_discarded()) return 0;
  auto env = parse_error_envelope(doc);
  if (!env) fuzz::require(!env.violations.empty(), "parse_error_envelope: a rejected body names a violation");
  for (std::size_t c = 0; c < kErrorCodeCount; ++c)
    for (auto it = fuzz::profiles_begin(); it != fuzz::profiles_end(); ++it) {
      const auto code = static_cast<ErrorCode>(c);
      (void)check_error_response(status, doc, code, **it);
      (void)check_error_response(status, doc, code, **it, "title");
    }
  return 0;
}
