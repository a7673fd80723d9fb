// Helpers shared by the libFuzzer targets: pick a profile from the input, split an input into fields.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <roambi/jobs/decisions.hpp>

namespace roambi::jobs::fuzz {

/// Every profile, so that each input is read the way each documented variant reads it.
inline const Profile* const* profiles_begin() { return kProfiles.data(); }
inline const Profile* const* profiles_end() { return kProfiles.data() + kProfiles.size(); }

/// Splits `text` on every occurrence of `sep`; always at least one field.
inline std::vector<std::string_view> split(std::string_view text, std::string_view sep) {
  std::vector<std::string_view> out;
  for (;;) {
    auto at = text.find(sep);
    if (at == std::string_view::npos) {
      out.push_back(text);
      return out;
    }
    out.push_back(text.substr(0, at));
    text.remove_prefix(at + sep.size());
  }
}

/// A property every input must keep; a breach is a finding, so crash with what broke (libFuzzer saves the input).
inline void require(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "fuzz property broken: %s\n", what);
  std::abort();
}

}  // namespace roambi::jobs::fuzz
