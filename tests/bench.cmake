# Tests of the benchmarks: the runner's pure logic (histogram, CO-safe timing, targets), and the binaries as smoke
# runs. Benchmarks measure; these only prove they still run.
if(TARGET roambi_jobs_bench)
  roambi_jobs_add_test(bench_histogram_test ${CMAKE_CURRENT_LIST_DIR}/bench_histogram_test.cpp)
  target_link_libraries(bench_histogram_test PRIVATE roambi::bench)
  roambi_jobs_add_test(bench_workload_test ${CMAKE_CURRENT_LIST_DIR}/bench_workload_test.cpp)
  target_link_libraries(bench_workload_test PRIVATE roambi::bench)
  roambi_jobs_add_test(bench_http_response_test ${CMAKE_CURRENT_LIST_DIR}/bench_http_response_test.cpp)
  target_link_libraries(bench_http_response_test PRIVATE roambi::bench)
  roambi_jobs_add_test(bench_artillery_test ${CMAKE_CURRENT_LIST_DIR}/bench_artillery_test.cpp)
  target_link_libraries(bench_artillery_test PRIVATE roambi::bench)
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
if(TARGET roambi-load AND TARGET roambi-fake-server)
  # roambi-load --emit artillery run by Artillery (from npm, pinned; the first run installs it, about 2 minutes) against
  # the fake, compared with roambi-load's own run. `ctest -L artillery`.
  add_test(NAME bench.load.artillery
           COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/cli/artillery_compare.sh $<TARGET_FILE:roambi-load>
                   $<TARGET_FILE:roambi-fake-server>)
  set_tests_properties(bench.load.artillery PROPERTIES TIMEOUT 900 LABELS "artillery;bench;cli" SKIP_RETURN_CODE 77)
endif()
# The measurement scripts (compare.sh, mocks.sh, memory.sh, callgrind.sh): they parse, and refuse bad options.
add_test(NAME bench.scripts.usage COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/cli/bench_scripts.sh)
set_tests_properties(bench.scripts.usage PROPERTIES TIMEOUT 60 LABELS "bench;cli")
