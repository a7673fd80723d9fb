// The fast JSON reader: walks a document without building it, keeping only the members a caller asks for. The load
// tool reads thousands of job bodies a second and the fake thousands of submit bodies; a tree costs more than the
// HTTP exchange. Strict RFC 8259: what it accepts, nlohmann::json accepts and reads the same
// (tests/codec_json_scan_test.cpp, fuzz/fuzz_json_scan.cpp).
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

// The cursor's small steps are inlined into the readers' loops, so that the cursor lives in registers: left to
// itself GCC 12 calls next_member() out of line, which costs the plain submit reader a fifth more instructions.
#if defined(__GNUC__)
#define ROAMBI_JOBS_SCAN_INLINE [[gnu::always_inline]] inline
#else
#define ROAMBI_JOBS_SCAN_INLINE inline
#endif

namespace roambi::jobs::codec {

/// The bytes a string holds as they are: 0x20 to 0x7f but the quote and the backslash.
inline constexpr std::array<bool, 256> kPlainStringChars = [] {
  std::array<bool, 256> t{};
  for (std::size_t c = 0x20; c < 0x80; ++c) t[c] = c != '"' && c != '\\';
  return t;
}();

/// Nesting deeper than this reads as malformed: skip() recurses.
inline constexpr int kMaxScanDepth = 64;

/// A cursor over one JSON text. Each reader consumes one value at the cursor and returns false on malformed text;
/// after a false the scan stays failed (ok() is false) and the caller gives up.
class JsonScan {
 public:
  JsonScan(const char* p, const char* e) : p_(p), e_(e) {}
  explicit JsonScan(std::string_view s) : JsonScan(s.data(), s.data() + s.size()) {}

  bool ok() const { return !fail_; }
  ROAMBI_JOBS_SCAN_INLINE void ws() {  // the common case, no whitespace, costs one comparison: every JSON whitespace byte is <= ' '
    while (p_ < e_ && static_cast<unsigned char>(*p_) <= ' ' && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r')) ++p_;
  }
  ROAMBI_JOBS_SCAN_INLINE bool peek(char c) {
    ws();
    return p_ < e_ && *p_ == c;
  }
  ROAMBI_JOBS_SCAN_INLINE bool eat(char c) {
    if (!peek(c)) return bad();
    ++p_;
    return true;
  }
  /// What the value at the cursor is: '"', '{', '[', 'n' (null), 't'/'f', '-' or a digit; '\0' at the end.
  ROAMBI_JOBS_SCAN_INLINE char kind() {
    ws();
    return p_ < e_ ? *p_ : '\0';
  }
  static bool is_number_start(char k) { return k == '-' || (k >= '0' && k <= '9'); }
  ROAMBI_JOBS_SCAN_INLINE bool at_end() {
    ws();
    return p_ == e_;
  }

  /// A string without escapes or bytes outside ASCII, as a view into the text; false (and failed) for any other.
  ROAMBI_JOBS_SCAN_INLINE bool plain_string(std::string_view& out) {
    if (p_ < e_ && *p_ == '"')  // at the quote already, as after kind()
      ++p_;
    else if (!eat('"'))
      return false;
    const char *const run = p_, *q = p_, *const e = e_;  // locals: the loop then runs in registers
    while (q < e && kPlainStringChars[static_cast<unsigned char>(*q)]) ++q;
    if (q == e || *q != '"') return bad();
    out = std::string_view(run, static_cast<std::size_t>(q - run));
    p_ = q + 1;
    return true;
  }
  /// A string, decoded into *out when given (escapes resolved, UTF-8 checked as nlohmann::json checks it).
  bool string(std::string* out) {
    if (!eat('"')) return false;
    for (;;) {
      const char* run = p_;  // plain runs are copied whole
      while (p_ < e_ && kPlainStringChars[static_cast<unsigned char>(*p_)]) ++p_;
      if (out && p_ != run) out->append(run, static_cast<std::size_t>(p_ - run));
      if (p_ == e_) return bad();
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        ++p_;
        return true;
      }
      if (c == '\\') {
        if (!escape(out)) return false;
      } else if (c >= 0x80) {
        if (!utf8(out)) return false;
      } else {
        return bad();  // a control character
      }
    }
  }
  /// An object member's key: a view into the text when plain, else decoded into `buf`. `plain` says which.
  ROAMBI_JOBS_SCAN_INLINE bool key(std::string_view& out, bool& plain, std::string& buf) {
    const char* at = p_;
    if (plain_string(out)) {
      plain = true;
      return true;
    }
    p_ = at;
    fail_ = false;
    buf.clear();
    if (!string(&buf)) return false;
    plain = false;
    out = buf;
    return true;
  }
  /// A number (RFC 8259 grammar) within a double's range, its value in *out when given.
  bool number(double* out) {
    ws();
    const char* start = p_;
    if (p_ < e_ && *p_ == '-') ++p_;
    if (p_ < e_ && *p_ == '0') {
      ++p_;
    } else if (!digits()) {
      return bad();
    }
    if (p_ < e_ && *p_ == '.') {
      ++p_;
      if (!digits()) return bad();
    }
    bool exponent = false;
    if (p_ < e_ && (*p_ == 'e' || *p_ == 'E')) {
      exponent = true;
      ++p_;
      if (p_ < e_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (!digits()) return bad();
    }
    // Only an exponent or 300 digits can leave a double's range, which nlohmann::json refuses as an overflow.
    if (!out && !exponent && p_ - start < 300) return true;
    const double v = to_double(start, p_);
    if (v == HUGE_VAL || v == -HUGE_VAL) return bad();
    if (out) *out = v;
    return true;
  }
  ROAMBI_JOBS_SCAN_INLINE bool literal(std::string_view word) {
    ws();
    if (static_cast<std::size_t>(e_ - p_) < word.size() || std::string_view(p_, word.size()) != word) return bad();
    p_ += word.size();
    return true;
  }
  /// Any value, skipped.
  bool skip(int depth = 0) {
    if (depth > kMaxScanDepth) return bad();
    switch (kind()) {
      case '"': return string(nullptr);
      case '{': return members([&](std::string_view, bool) { return skip(depth + 1); });
      case '[': {
        ++p_;
        if (peek(']')) return eat(']');
        do {
          if (!skip(depth + 1)) return false;
        } while (peek(',') && eat(','));
        return eat(']');
      }
      case 't': return literal("true");
      case 'f': return literal("false");
      case 'n': return literal("null");
      default: return number(nullptr);
    }
  }
  /// An object member by member, without a callback: at '{', call next_member() until it returns false, reading each
  /// member's value in between; then ok() says whether the object was well-formed. `first` starts true; a key with
  /// escapes is decoded into `buf` (`plain` false), else it is a view into the text.
  ROAMBI_JOBS_SCAN_INLINE bool next_member(bool& first, std::string_view& name, bool& plain, std::string& buf) {
    if (first) {
      first = false;
      if (!eat('{')) return false;
      if (peek('}')) return !eat('}');
    } else if (peek(',')) {
      ++p_;
    } else {
      eat('}');
      return false;
    }
    ws();
    return key(name, plain, buf) && eat(':');
  }
  /// An object: for each member, on_member(key, key_is_plain) must consume the value; the key stays valid meanwhile.
  template <class OnMember>
  bool members(OnMember&& on_member) {
    std::string_view k;
    std::string decoded;  // a key with escapes, per object: nested objects decode theirs meanwhile
    bool first = true, plain = true;
    while (next_member(first, k, plain, decoded))
      if (!on_member(k, plain)) return fail_ ? false : bad();
    return ok();
  }

 private:
  bool bad() {
    fail_ = true;
    return false;
  }
  bool digits() {
    const char* s = p_;
    while (p_ < e_ && *p_ >= '0' && *p_ <= '9') ++p_;
    return p_ != s;
  }
  static double to_double(const char* b, const char* e) {
    char buf[64];  // strtod needs a terminator; a longer number is rare enough for a copy
    const auto n = static_cast<std::size_t>(e - b);
    if (n < sizeof buf) {
      std::char_traits<char>::copy(buf, b, n);
      buf[n] = '\0';
      return std::strtod(buf, nullptr);
    }
    return std::strtod(std::string(b, e).c_str(), nullptr);
  }
  int hex4() {
    if (e_ - p_ < 4) return -1;
    int v = 0;
    for (int i = 0; i < 4; ++i) {
      const char h = *p_++;
      const int d = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
      if (d < 0) return -1;
      v = v * 16 + d;
    }
    return v;
  }
  static void put_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xc0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xe0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
      out += static_cast<char>(0xf0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    }
  }
  /// At a backslash: one escape; \u pairs surrogates, and a lone surrogate is malformed (as nlohmann::json reads it).
  bool escape(std::string* out) {
    if (++p_ == e_) return bad();
    char c = *p_++;
    switch (c) {
      case '"': case '\\': case '/': break;
      case 'b': c = '\b'; break;
      case 'f': c = '\f'; break;
      case 'n': c = '\n'; break;
      case 'r': c = '\r'; break;
      case 't': c = '\t'; break;
      case 'u': {
        int v = hex4();
        if (v < 0 || (v >= 0xdc00 && v <= 0xdfff)) return bad();
        std::uint32_t cp = static_cast<std::uint32_t>(v);
        if (v >= 0xd800 && v <= 0xdbff) {
          if (e_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return bad();
          p_ += 2;
          const int lo = hex4();
          if (lo < 0xdc00 || lo > 0xdfff) return bad();
          cp = 0x10000 + ((cp - 0xd800) << 10) + static_cast<std::uint32_t>(lo - 0xdc00);
        }
        if (out) put_utf8(*out, cp);
        return true;
      }
      default: return bad();
    }
    if (out) *out += c;
    return true;
  }
  /// At a byte >= 0x80: one UTF-8 sequence as RFC 3629 has it (no overlong forms, no surrogates, up to U+10FFFF).
  bool utf8(std::string* out) {
    const auto at = [&](std::ptrdiff_t i) { return static_cast<unsigned char>(p_[i]); };
    const unsigned char c = at(0);
    std::ptrdiff_t n = 0;
    unsigned char lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) n = 2;
    else if (c >= 0xe0 && c <= 0xef) n = 3, lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
    else if (c >= 0xf0 && c <= 0xf4) n = 4, lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
    if (n == 0 || e_ - p_ < n || at(1) < lo || at(1) > hi) return bad();
    for (std::ptrdiff_t k = 2; k < n; ++k)
      if ((at(k) & 0xc0) != 0x80) return bad();
    if (out) out->append(p_, static_cast<std::size_t>(n));
    p_ += n;
    return true;
  }

  const char* p_;
  const char* e_;
  bool fail_ = false;
};

}  // namespace roambi::jobs::codec
