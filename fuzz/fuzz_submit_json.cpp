// Fuzz target: a Submit Job JSON body read (parse_submit_body, U3) and validated (validate_submit_json) in every
// profile, plus the Content-Type classification (D12). Never throws; the answer is a request xor an error; and the
// fake's shortcut (read_plain_submit_json), where it answers, answers exactly as the full path does.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <roambi/jobs/submit.hpp>
#include <roambi/jobs/codec/plain_submit.hpp>

#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace roambi::jobs;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (auto it = fuzz::profiles_begin(); it != fuzz::profiles_end(); ++it) {
    const Profile& p = **it;
    auto body = parse_submit_body(text, p);
    if (auto fast = read_plain_submit_json(text, p)) {
      fuzz::require(!body.doc.is_discarded(), "read_plain_submit_json answered where the full parse failed");
      auto full = validate_submit_json(body.doc, p);
      fuzz::require(full.request.has_value() && fast->request.has_value() && !fast->error,
                    "read_plain_submit_json accepted what the full path refuses");
      const SubmitRequest &a = *fast->request, &b = *full.request;
      fuzz::require(a.template_uid == b.template_uid && a.title == b.title && a.source_file_uid == b.source_file_uid &&
                        a.folder_uid == b.folder_uid && a.overwrite == b.overwrite && a.mode == b.mode,
                    "read_plain_submit_json read a field differently");
      fuzz::require(fast->seen == full.seen && fast->violations.size() == full.violations.size(),
                    "read_plain_submit_json saw other variants or violations");
    }
    if (body.doc.is_discarded()) continue;
    auto v = validate_submit_json(body.doc, p);
    fuzz::require(v.request.has_value() != v.error.has_value(), "validate_submit_json: exactly one of request, error");
    if (v.request) {
      fuzz::require(v.request->mode == SubmitMode::json, "a JSON body gives a JSON-mode request");
      fuzz::require(v.request->source_file_uid.has_value(), "a JSON-mode request names its source");
    }
    // The first line of the input doubles as a Content-Type header.
    (void)classify_content_type(text.substr(0, text.find('\n')), p);
  }
  return 0;
}
