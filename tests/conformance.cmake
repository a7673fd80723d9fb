# Tests of the conformance suite: against the fake in every profile, the mutation catalogue (one deliberate defect
# at a time, each must be caught), hostile targets (timeouts and caps), config and reports, and the CLI.
foreach(t conformance_fake_test conformance_hostile_test conformance_report_test conformance_twin_test)
  roambi_jobs_add_test(${t} ${CMAKE_CURRENT_LIST_DIR}/${t}.cpp)
  target_link_libraries(${t} PRIVATE roambi::conformance roambi::fake_server)
endforeach()

# The audit: every check's quotes are found in ../shared/spec (beside the checkout, in CI too), docs/checks.md is the
# catalogue's table, and the named decisions and bounded waits behave as documented.
roambi_jobs_add_test(conformance_audit_test ${CMAKE_CURRENT_LIST_DIR}/conformance_audit_test.cpp)
target_link_libraries(conformance_audit_test PRIVATE roambi::conformance roambi::fake_server)
target_compile_definitions(conformance_audit_test PRIVATE ROAMBI_JOBS_SHARED_SPEC_DIR="${PROJECT_SOURCE_DIR}/../shared/spec")

# The mutation catalogue runs as one ctest so that it prints the whole table: defect -> checks that caught it.
add_executable(conformance_mutation_test ${CMAKE_CURRENT_LIST_DIR}/conformance_mutation_test.cpp)
target_link_libraries(conformance_mutation_test PRIVATE roambi::conformance roambi::fake_server GTest::gtest GTest::gtest_main)
target_compile_options(conformance_mutation_test PRIVATE -Wall -Wextra -Werror)
add_test(NAME conformance.MutationCatalogue COMMAND conformance_mutation_test)
set_tests_properties(conformance.MutationCatalogue PROPERTIES TIMEOUT 300 LABELS conformance
                     FAIL_REGULAR_EXPRESSION "NOT CAUGHT")

# The suite through the mutating proxy against the fake on its real clock: one ctest per operator (each a real-time
# run of a few seconds), plus the plain proxy that must pass and the docs listing what cannot be caught.
add_executable(conformance_proxy_test ${CMAKE_CURRENT_LIST_DIR}/conformance_proxy_test.cpp)
target_link_libraries(conformance_proxy_test PRIVATE roambi::conformance roambi::fake_server GTest::gtest GTest::gtest_main)
target_compile_definitions(conformance_proxy_test PRIVATE ROAMBI_JOBS_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
target_compile_options(conformance_proxy_test PRIVATE -Wall -Wextra -Werror)
gtest_discover_tests(conformance_proxy_test DISCOVERY_MODE PRE_TEST DISCOVERY_TIMEOUT 60
                     PROPERTIES TIMEOUT 240 LABELS "conformance;proxy")

if(TARGET roambi-conformance)
  add_test(NAME cli.conformance COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/cli/conformance_cli.sh $<TARGET_FILE:roambi-conformance>)
  set_tests_properties(cli.conformance PROPERTIES TIMEOUT 120 LABELS cli)
endif()
if(TARGET roambi-conformance)
  # A target answering with bytes no server should send: the run ends, exits 1 or 3, and writes valid reports.
  add_test(NAME cli.conformance_hostile
           COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/cli/conformance_hostile.sh $<TARGET_FILE:roambi-conformance>)
  set_tests_properties(cli.conformance_hostile PROPERTIES TIMEOUT 150 LABELS cli SKIP_RETURN_CODE 77)
endif()
if(TARGET roambi-mutating-proxy)
  add_test(NAME cli.mutating_proxy COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/cli/mutating_proxy_cli.sh $<TARGET_FILE:roambi-mutating-proxy>)
  set_tests_properties(cli.mutating_proxy PROPERTIES TIMEOUT 60 LABELS cli)
endif()
if(TARGET roambi-conformance AND TARGET roambi-fake-server)
  add_test(NAME cli.conformance_target
           COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/cli/conformance_target.sh $<TARGET_FILE:roambi-conformance>
                   $<TARGET_FILE:roambi-fake-server>)
  set_tests_properties(cli.conformance_target PROPERTIES TIMEOUT 180 LABELS cli)
endif()
