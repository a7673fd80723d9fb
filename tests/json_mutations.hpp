// Generated JSON documents and byte-level mutations of them, for differential tests of the fast JSON reader.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace roambi::jobs::testing {

/// A random value up to `depth` deep: strings with escapes and non-ASCII text, numbers of every form, literals.
inline nlohmann::json random_json(std::mt19937& rng, int depth) {
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  static const char* const kStrings[] = {"", "processing", "complete", "error", "a\"b\\c", "tab\there", "\x01" "ctl",
                                         "caf\xc3\xa9", "\xf0\x9f\x98\x80 emoji", "/1/jobs/u-1", "status", "job"};
  static const char* const kKeys[] = {"job", "uid", "status", "progress", "exception", "retry_after", "status_url",
                                      "status_uri", "results", "x"};
  switch (depth <= 0 ? pick(5) : pick(7)) {
    case 0: return nullptr;
    case 1: return pick(2) == 0;
    case 2: {
      switch (pick(4)) {
        case 0: return static_cast<std::int64_t>(rng()) - (1LL << 31);
        case 1: return static_cast<double>(rng()) / 1000.0 - 1e6;
        case 2: return std::uint64_t{18446744073709551615ULL};
        default: return 1e300 * (pick(2) ? 1 : -1);
      }
    }
    case 3:
    case 4: return kStrings[pick(sizeof kStrings / sizeof *kStrings)];
    case 5: {
      nlohmann::json a = nlohmann::json::array();
      for (int i = pick(4); i > 0; --i) a.push_back(random_json(rng, depth - 1));
      return a;
    }
    default: {
      nlohmann::json o = nlohmann::json::object();
      for (int i = pick(5); i > 0; --i) o[kKeys[pick(sizeof kKeys / sizeof *kKeys)]] = random_json(rng, depth - 1);
      return o;
    }
  }
}

/// The text with some letters inside strings written as \u escapes, which a reader must decode (keys included).
inline std::string escape_some(std::mt19937& rng, const std::string& text) {
  std::string out;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string && c == '\\') {
      const std::size_t n = i + 1 < text.size() && text[i + 1] == 'u' ? 5 : 1;  // \uXXXX stays whole
      out.append(text, i, n + 1);
      i += n;
      continue;
    }
    if (c == '"') in_string = !in_string;
    if (in_string && ((c >= 'a' && c <= 'z') || c == '/') && rng() % 6 == 0) {
      char u[8];
      std::snprintf(u, sizeof u, "\\u%04X", static_cast<unsigned>(c));
      out += u;
    } else {
      out += c;
    }
  }
  return out;
}

/// The text mutated once: a byte changed, inserted or removed, a cut, or a piece repeated.
inline std::string mutate(std::mt19937& rng, std::string s) {
  static const char kBytes[] = "{}[]\",:\\/ \t\n0123456789-+.eEtrufalsn\x01\x7f\x80\xc3\xa9\xed\xa0\xf4\x90";
  auto pick = [&](std::size_t n) { return n == 0 ? std::size_t{0} : static_cast<std::size_t>(rng() % n); };
  const std::size_t at = pick(s.size() + 1);
  switch (rng() % 5) {
    case 0: if (at < s.size()) s[at] = kBytes[pick(sizeof kBytes - 1)]; break;
    case 1: s.insert(at, 1, kBytes[pick(sizeof kBytes - 1)]); break;
    case 2: if (at < s.size()) s.erase(at, 1); break;
    case 3: s.resize(at); break;
    default: s.insert(at, s.substr(at, pick(8))); break;
  }
  return s;
}

}  // namespace roambi::jobs::testing
