// Benchmarks of the spec model's hot operations: a job to and from the wire, a submit body validated, an error envelope.
#include <string>

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include <roambi/jobs/spec.hpp>

namespace {

using namespace roambi::jobs;

Job sample_job() {
  Job j;
  j.uid = "3b6f7815-eaa5-4bd2-9a4c-0c1e2f3a4b5c";
  j.progress = 0.42;
  j.status = JobStatus::processing;
  j.retry_after = kDefaultRetryAfterSeconds;
  j.status_url = status_path(j.uid);
  return j;
}

void BM_JobToJson(benchmark::State& state) {
  const Job job = sample_job();
  for (auto _ : state) {
    std::string body = to_json(job, kLenient).dump();
    benchmark::DoNotOptimize(body);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_JobToJson);

void BM_JobParse(benchmark::State& state) {
  const std::string body = to_json(sample_job(), kLenient).dump();
  for (auto _ : state) {
    auto parsed = parse_job(nlohmann::json::parse(body), kLenient);
    benchmark::DoNotOptimize(parsed);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_JobParse);

void BM_SubmitValidate(benchmark::State& state) {
  const std::string body =
      R"({"title":"Quarterly sales","template_uid":"tpl-sales","source_file_uid":"src-sales","folder_uid":"fld-reports","overwrite":true})";
  for (auto _ : state) {
    auto v = validate_submit_json(parse_submit_body(body, kLenient).doc, kLenient);
    benchmark::DoNotOptimize(v);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SubmitValidate);

void BM_SubmitValidateMissingTitle(benchmark::State& state) {
  const std::string body = R"({"template_uid":"tpl-sales","source_file_uid":"src-sales","folder_uid":"fld-reports"})";
  for (auto _ : state) {
    auto v = validate_submit_json(parse_submit_body(body, kLenient).doc, kLenient);
    benchmark::DoNotOptimize(v);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SubmitValidateMissingTitle);

void BM_ErrorEnvelope(benchmark::State& state) {
  for (auto _ : state) {
    std::string body = to_json(ApiError::about(ErrorCode::invalid_resource, "job_uid", "job x does not exist")).dump();
    benchmark::DoNotOptimize(body);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ErrorEnvelope);

void BM_ErrorEnvelopeParse(benchmark::State& state) {
  const std::string body = to_json(ApiError::about(ErrorCode::invalid_resource, "job_uid", "job x does not exist")).dump();
  for (auto _ : state) {
    auto e = parse_error_envelope(nlohmann::json::parse(body));
    benchmark::DoNotOptimize(e);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ErrorEnvelopeParse);

}  // namespace
