# The OpenAPI export: the generator against the model (openapi_document_test), then the document judged by third-party
# tools from the npm registry (tests/openapi_tools.sh; `ctest -L openapi` runs them alone): redocly lint; Prism's
# validation proxy in front of roambi-fake-server with roambi-conformance driven through it; roambi-conformance against
# Prism's mock. The tools are installed by scripts/npm-tools.sh into .cache/npm-tools on first use; without Node.js
# the tool tests are skipped (exit 77) with the reason.
roambi_jobs_add_test(openapi_document_test ${CMAKE_CURRENT_LIST_DIR}/openapi_document_test.cpp)
target_link_libraries(openapi_document_test PRIVATE roambi::jobs_spec)

if(TARGET roambi-fake-server AND TARGET roambi-conformance)
  set(fake_bin $<TARGET_FILE:roambi-fake-server>)
  set(conformance_bin $<TARGET_FILE:roambi-conformance>)
  set(openapi_tests)
  foreach(profile IN ITEMS doc_strict lenient java_client)
    add_test(NAME openapi.lint.${profile}
             COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/openapi_tools.sh lint ${profile} ${fake_bin})
    add_test(NAME openapi.prism_proxy.${profile}
             COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/openapi_tools.sh proxy ${profile} ${fake_bin} ${conformance_bin})
    list(APPEND openapi_tests openapi.lint.${profile} openapi.prism_proxy.${profile})
  endforeach()
  add_test(NAME openapi.prism_mock.lenient
           COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/openapi_tools.sh mock lenient ${fake_bin} ${conformance_bin})
  list(APPEND openapi_tests openapi.prism_mock.lenient)
  # The first test to run installs the npm tools (about 30 s from the registry); the others wait for its lock.
  set_tests_properties(${openapi_tests} PROPERTIES LABELS openapi SKIP_RETURN_CODE 77 TIMEOUT 600)
endif()

# The examples against the installed package (ctest -L package) sit beside the find_package consumer.
include(${CMAKE_CURRENT_LIST_DIR}/package/package.cmake OPTIONAL)
