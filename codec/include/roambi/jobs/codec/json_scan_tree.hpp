// A whole document read with JsonScan into a nlohmann::json tree: not for hot paths, but the form in which the fast
// reader is held to nlohmann::json's parser (tests/codec_json_scan_test.cpp, fuzz/fuzz_json_scan.cpp).
#pragma once

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include <roambi/jobs/codec/json_scan.hpp>

namespace roambi::jobs::codec {

namespace detail {
inline bool scan_value(JsonScan& in, nlohmann::json& out, int depth) {
  if (depth > kMaxScanDepth) return false;
  switch (in.kind()) {
    case '"': {
      std::string s;
      if (!in.string(&s)) return false;
      out = std::move(s);
      return true;
    }
    case '{':
      out = nlohmann::json::object();
      return in.members([&](std::string_view key, bool) {
        nlohmann::json v;
        if (!scan_value(in, v, depth + 1)) return false;
        out[std::string(key)] = std::move(v);  // a key given twice keeps the last value, as nlohmann::json does
        return true;
      });
    case '[': {
      out = nlohmann::json::array();
      in.eat('[');
      if (in.peek(']')) return in.eat(']');
      do {
        nlohmann::json v;
        if (!scan_value(in, v, depth + 1)) return false;
        out.push_back(std::move(v));
      } while (in.peek(',') && in.eat(','));
      return in.eat(']');
    }
    case 't': out = true; return in.literal("true");
    case 'f': out = false; return in.literal("false");
    case 'n': out = nullptr; return in.literal("null");
    default: {
      double d = 0;
      if (!in.number(&d)) return false;
      out = d;
      return true;
    }
  }
}
}  // namespace detail

/// The document as a tree, numbers as doubles; nullopt where JsonScan finds it malformed (or nested deeper than
/// kMaxScanDepth).
inline std::optional<nlohmann::json> scan_tree(std::string_view text) {
  JsonScan in(text);
  nlohmann::json out;
  if (!detail::scan_value(in, out, 0) || !in.at_end() || !in.ok()) return std::nullopt;
  return out;
}

/// Whether two trees hold the same values, numbers compared as doubles (nlohmann keeps integers apart).
inline bool same_json(const nlohmann::json& a, const nlohmann::json& b) {
  if (a.is_number() && b.is_number()) return a.get<double>() == b.get<double>();
  if (a.type() != b.type()) return false;
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (auto it = a.begin(); it != a.end(); ++it) {
      auto other = b.find(it.key());
      if (other == b.end() || !same_json(*it, *other)) return false;
    }
    return true;
  }
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (!same_json(a[i], b[i])) return false;
    return true;
  }
  return a == b;
}

/// The nesting depth of a tree: a document deeper than kMaxScanDepth is one JsonScan refuses and nlohmann reads.
inline int json_depth(const nlohmann::json& j) {
  int d = 0;
  if (j.is_structured())
    for (const auto& e : j) d = std::max(d, json_depth(e));
  return j.is_structured() ? d + 1 : 0;
}

}  // namespace roambi::jobs::codec
