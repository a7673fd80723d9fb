// The fake's shortcut for the common Submit Job body: read without a tree, answered exactly as the model's full
// path (parse_submit_body, then validate_submit_json) answers it.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

#include <roambi/jobs/decisions.hpp>
#include <roambi/jobs/submit.hpp>
#include <roambi/jobs/codec/json_scan.hpp>

namespace roambi::jobs {

namespace detail {
/// One member of a plain JSON object (see read_plain_object): a string (its text as written), true, false or null.
struct PlainMember {
  std::string_view key, text;
  enum class Kind : unsigned char { string, boolean, null } kind = Kind::null;
  bool flag = false;
};
/// Reads a JSON object whose values are all strings, booleans or nulls, with ASCII text and no escapes, no member
/// named twice and at most out.size() members; returns the count, or -1 for any other text (which nlohmann::json
/// may read differently, or not at all): such text takes the full parse.
template <std::size_t N>
int read_plain_object(std::string_view s, std::array<PlainMember, N>& out) {
  codec::JsonScan in(s);
  std::string unused;  // a key with escapes is not plain: refused before it is used
  std::string_view key;
  bool first = true, plain_key = true;
  std::size_t n = 0;
  while (in.next_member(first, key, plain_key, unused)) {
    if (!plain_key || n == N) return -1;
    for (std::size_t k = 0; k < n; ++k)
      if (out[k].key == key) return -1;  // nlohmann keeps the last: not worth copying
    PlainMember& m = out[n++];
    m.key = key;
    bool read = false;
    switch (in.kind()) {
      case '"': m.kind = PlainMember::Kind::string; read = in.plain_string(m.text); break;
      case 't': m.kind = PlainMember::Kind::boolean; m.flag = true; read = in.literal("true"); break;
      case 'f': m.kind = PlainMember::Kind::boolean; m.flag = false; read = in.literal("false"); break;
      case 'n': m.kind = PlainMember::Kind::null; read = in.literal("null"); break;
      default: break;
    }
    if (!read) return -1;
  }
  return in.ok() && in.at_end() ? static_cast<int>(n) : -1;
}
}  // namespace detail

/// validate_submit_json(parse_submit_body(text, p).doc, p), without a tree, where that yields a valid request
/// from a plain body (a flat object of ASCII strings without escapes, booleans and nulls): the common submit, read
/// at a fraction of the cost, into `out` (empty when passed). false for any other body or outcome, `out` then
/// unspecified: take the full path, which also names every violation. tests/spec_submit_test.cpp and
/// fuzz/fuzz_submit_json.cpp hold the two identical. Spec: "Submit Job: Parameters"; D8, D9.
inline bool read_plain_submit_json(std::string_view text, const Profile& p, SubmitValidation& out) {
  std::array<detail::PlainMember, 8> members;
  const int n = detail::read_plain_object(text, members);
  if (n < 0) return false;
  using Kind = detail::PlainMember::Kind;
  auto find = [&](std::string_view name) -> const detail::PlainMember* {
    for (int k = 0; k < n; ++k)
      if (members[static_cast<std::size_t>(k)].key == name) return &members[static_cast<std::size_t>(k)];
    return nullptr;
  };
  auto text_of = [&](std::string_view name) -> const detail::PlainMember* {  // a non-empty string, else null
    const auto* m = find(name);
    return m && m->kind == Kind::string && !m->text.empty() ? m : nullptr;
  };
  // The names as the model's parameter table spells them, in its (documented) order.
  const std::string_view kTemplate = kSubmitParameters[0].name, kTitle = kSubmitParameters[1].name,
                         kSource = kSubmitParameters[2].name, kFolder = kSubmitParameters[3].name,
                         kOverwrite = kSubmitParameters[4].name, kDirectory = info(Variant::folder_field_directory_uid).name;
  const auto *tpl = text_of(kTemplate), *title = text_of(kTitle), *src = text_of(kSource);
  if (!tpl || !title || !src) return false;
  const detail::PlainMember* folder = nullptr;
  Variant folder_field = Variant::folder_field_folder_uid;
  if (find(kFolder)) {
    folder = text_of(kFolder);
  } else if (find(kDirectory) && p.accepts(Variant::folder_field_directory_uid)) {
    folder_field = Variant::folder_field_directory_uid;
    folder = text_of(kDirectory);
  }
  if (!folder) return false;
  bool overwrite = false;
  std::optional<Variant> overwrite_form;
  if (const auto* o = find(kOverwrite); o && o->kind != Kind::null) {
    if (o->kind == Kind::boolean) {
      overwrite_form = Variant::overwrite_boolean;
      overwrite = o->flag;
    } else if ((o->text == "true" || o->text == "false") && p.accepts(Variant::overwrite_string)) {
      overwrite_form = Variant::overwrite_string;
      overwrite = o->text == "true";
    } else {
      return false;
    }
  }
  out.seen.reserve(2);
  out.seen.push_back(folder_field);  // in the order validate_submit_json sees them
  if (overwrite_form) out.seen.push_back(*overwrite_form);
  SubmitRequest& r = out.request.emplace();
  r.mode = SubmitMode::json;
  r.template_uid.assign(tpl->text);
  r.title.assign(title->text);
  r.source_file_uid.emplace(src->text);
  r.folder_uid.assign(folder->text);
  r.overwrite = overwrite;
  return true;
}
/// The same, as a value: nullopt where the full path must be taken.
inline std::optional<SubmitValidation> read_plain_submit_json(std::string_view text, const Profile& p) {
  SubmitValidation out;
  if (!read_plain_submit_json(text, p, out)) return std::nullopt;
  return out;
}

}  // namespace roambi::jobs
