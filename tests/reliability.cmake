# Reliability and security tests: hostile clients, isolation between users, the engine under many
# threads (the ThreadSanitizer pass: ctest -R Reliability, with reliability/tsan.supp), the conformance runner
# under injected faults.
# The long measurements (fuzzing, load, soak) are scripts in reliability/, not tests.
foreach(t reliability_hostile_test reliability_isolation_test reliability_threads_test)
  roambi_jobs_add_test(${t} ${CMAKE_CURRENT_LIST_DIR}/${t}.cpp)
  target_link_libraries(${t} PRIVATE roambi::fake_server)
endforeach()

if(TARGET roambi-fake-server AND TARGET roambi-conformance)
  add_test(NAME cli.reliability.faults
           COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/cli/reliability_faults.sh
                   $<TARGET_FILE:roambi-fake-server> $<TARGET_FILE:roambi-conformance>)
  set_tests_properties(cli.reliability.faults PROPERTIES TIMEOUT 300 LABELS "cli;reliability" SKIP_RETURN_CODE 77)
endif()

# The drivers of reliability/{load,soak,hostile}.sh against the standalone fake (not a test: a measuring tool).
add_executable(roambi-reliability ${PROJECT_SOURCE_DIR}/reliability/tool.cpp)
target_link_libraries(roambi-reliability PRIVATE roambi::fake_server roambi::cli)
target_compile_options(roambi-reliability PRIVATE -Wall -Wextra -Werror)
