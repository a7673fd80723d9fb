# Tests of the fake server: the library over loopback, its job writer against dump(), and the roambi-fake-server binary.
foreach(t fake_server_test fake_control_test fake_java_client_test fake_mutex_test fake_one_segment_test
        fake_progress_test fake_variants_test fake_job_writer_test fake_access_log_test httplib_compat_test
        fake_job_store_test fake_coverage_test fake_defect_hook_test fake_token_refresh_test)
  roambi_jobs_add_test(${t} ${t}.cpp)
  target_link_libraries(${t} PRIVATE roambi::fake_server)
endforeach()
# The README's embedding example, built and run as a test so it cannot rot.
roambi_jobs_add_test(readme_fake_example_test ${PROJECT_SOURCE_DIR}/examples/fake_in_gtest/fake_in_gtest_test.cpp)
target_link_libraries(readme_fake_example_test PRIVATE roambi::fake_server)

if(TARGET roambi-fake-server)
  set(fake_bin $<TARGET_FILE:roambi-fake-server>)
  add_test(NAME cli.fake.curl_examples
           COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/cli/fake_curl_examples.sh ${fake_bin})
  add_test(NAME cli.fake.usage COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/cli/fake_usage.sh ${fake_bin})
  set_tests_properties(cli.fake.curl_examples cli.fake.usage PROPERTIES TIMEOUT 60 LABELS cli SKIP_RETURN_CODE 77)
endif()
