// Bytes a target sent, made printable for any report: hostile bytes never reach a terminal, XML or JSON as they came.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>

namespace roambi::jobs::conformance {

/// Bytes a target sent as text any report can carry: valid UTF-8 is kept, a byte that is not UTF-8 becomes
/// \xff, a control character (C0, DEL) or a noncharacter U+FFFE/U+FFFF becomes \u0000. At most `max_bytes` of
/// the input are read, "..." marking the cut. Its output passes through it unchanged, so it may be applied twice.
inline std::string printable(std::string_view bytes, std::size_t max_bytes = std::string_view::npos) {
  static const char* hex = "0123456789abcdef";
  const auto at = [&](std::size_t i) { return static_cast<unsigned char>(bytes[i]); };
  const std::size_t end = std::min(bytes.size(), max_bytes);
  std::string out;
  out.reserve(end + 8);
  for (std::size_t i = 0; i < end;) {
    const unsigned char c = at(i);
    if (c < 0x20 || c == 0x7f) {
      out += "\\u00";
      out += hex[c >> 4];
      out += hex[c & 15];
      ++i;
      continue;
    }
    if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    // RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF (what nlohmann::json::dump accepts).
    std::size_t n = 0;
    unsigned char lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) n = 2;
    else if (c >= 0xe0 && c <= 0xef) n = 3, lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
    else if (c >= 0xf0 && c <= 0xf4) n = 4, lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
    bool ok = n != 0 && i + n <= bytes.size() && at(i + 1) >= lo && at(i + 1) <= hi;
    for (std::size_t k = 2; ok && k < n; ++k) ok = (at(i + k) & 0xc0) == 0x80;
    if (!ok) {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
      ++i;
    } else if (n == 3 && c == 0xef && at(i + 1) == 0xbf && at(i + 2) >= 0xbe) {
      out += at(i + 2) == 0xbe ? "\\ufffe" : "\\uffff";  // not characters in XML 1.0
      i += 3;
    } else {
      out.append(bytes.data() + i, n);
      i += n;
    }
  }
  if (end < bytes.size()) out += "...";
  return out;
}

}  // namespace roambi::jobs::conformance
