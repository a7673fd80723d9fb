# Tests of the benchmarks: the runner's pure logic (histogram, CO-safe timing, targets), the fake's fast JSON writer
# against nlohmann's dump(), and the binaries as smoke runs. Benchmarks measure; these only prove they still run.
if(TARGET roambi_jobs_bench)
  roambi_jobs_add_test(bench_histogram_test ${CMAKE_CURRENT_LIST_DIR}/bench_histogram_test.cpp)
  target_link_libraries(bench_histogram_test PRIVATE roambi::bench)
  roambi_jobs_add_test(bench_workload_test ${CMAKE_CURRENT_LIST_DIR}/bench_workload_test.cpp)
  target_link_libraries(bench_workload_test PRIVATE roambi::bench)
  roambi_jobs_add_test(bench_fast_json_test ${CMAKE_CURRENT_LIST_DIR}/bench_fast_json_test.cpp)
  target_link_libraries(bench_fast_json_test PRIVATE roambi::fake_server)
endif()
if(TARGET roambi-bench)
  # Google Benchmark 1.7: --benchmark_min_time takes plain seconds.
  add_test(NAME bench.smoke COMMAND roambi-bench --benchmark_min_time=0.01)
  set_tests_properties(bench.smoke PROPERTIES TIMEOUT 300 LABELS bench FAIL_REGULAR_EXPRESSION "ERROR OCCURRED")
endif()
if(TARGET roambi-load)
  add_test(NAME bench.load.embedded
           COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/cli/bench_load.sh $<TARGET_FILE:roambi-load>)
  set_tests_properties(bench.load.embedded PROPERTIES TIMEOUT 120 LABELS "bench;cli")
endif()
# The measurement scripts (compare.sh, mocks.sh, memory.sh, callgrind.sh): they parse, and refuse bad options.
add_test(NAME bench.scripts.usage COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/cli/bench_scripts.sh)
set_tests_properties(bench.scripts.usage PROPERTIES TIMEOUT 60 LABELS "bench;cli")
