# Tests of the spec model (include/roambi/jobs): unit tests, header self-containment, the generated docs,
# the doc examples in fixtures/examples, and the installed package as a find_package consumer sees it.

foreach(component IN ITEMS job errors submit decisions endpoints examples docs target_url rate_window)
  roambi_jobs_add_test(spec_${component}_test ${CMAKE_CURRENT_LIST_DIR}/spec_${component}_test.cpp)
  target_link_libraries(spec_${component}_test PRIVATE roambi::jobs_spec)
endforeach()
target_link_libraries(spec_submit_test PRIVATE roambi::codec)   # the fake's plain reader against the full path

# --- roambi-spec-docs: prints the markdown that docs/decisions.md and docs/errors.md embed ---
add_executable(roambi-spec-docs ${CMAKE_CURRENT_LIST_DIR}/tools/spec_docs.cpp)
target_link_libraries(roambi-spec-docs PRIVATE roambi::jobs_spec)
target_compile_options(roambi-spec-docs PRIVATE -Wall -Wextra -Werror)
add_test(NAME SpecDocsToolPrintsDecisions COMMAND roambi-spec-docs decisions)
set_tests_properties(SpecDocsToolPrintsDecisions PROPERTIES PASS_REGULAR_EXPRESSION "\\| D14 \\| `poll_rate_limit`")
add_test(NAME SpecDocsToolRejectsUnknownTable COMMAND roambi-spec-docs nonsense)
set_tests_properties(SpecDocsToolRejectsUnknownTable PROPERTIES WILL_FAIL TRUE)

# --- header self-containment: one generated translation unit per public header ---
# Each unit includes its header twice (the include guard) and nothing else; the units of one set are linked into
# headers_test, so a header that misses an include fails to compile, and a non-inline definition fails to link.
function(roambi_jobs_spec_header_units out_var set_name base_dir)
  set(units)
  foreach(header IN LISTS ARGN)
    file(RELATIVE_PATH rel ${base_dir} ${header})
    string(MAKE_C_IDENTIFIER ${rel} stem)
    set(unit ${CMAKE_CURRENT_BINARY_DIR}/header_units/${set_name}/${stem}.cpp)
    file(CONFIGURE OUTPUT ${unit} CONTENT "// Generated: ${rel} compiles on its own.\n#include <${rel}>\n#include <${rel}>\n")
    list(APPEND units ${unit})
  endforeach()
  set(${out_var} ${units} PARENT_SCOPE)
endfunction()

roambi_jobs_add_test(headers_test ${CMAKE_CURRENT_LIST_DIR}/headers_test.cpp)
set(ROAMBI_JOBS_CHECKED_HEADERS)

file(GLOB_RECURSE spec_headers CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/include/roambi/jobs/*.hpp)
roambi_jobs_spec_header_units(spec_units spec ${PROJECT_SOURCE_DIR}/include ${spec_headers})
add_library(roambi_jobs_headers_spec OBJECT ${spec_units})
target_link_libraries(roambi_jobs_headers_spec PRIVATE roambi::jobs_spec)
target_compile_options(roambi_jobs_headers_spec PRIVATE -Wall -Wextra -Werror)
target_link_libraries(headers_test PRIVATE roambi_jobs_headers_spec)
list(APPEND ROAMBI_JOBS_CHECKED_HEADERS ${spec_headers})

file(GLOB_RECURSE codec_headers CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/codec/include/roambi/jobs/codec/*.hpp)
roambi_jobs_spec_header_units(codec_units codec ${PROJECT_SOURCE_DIR}/codec/include ${codec_headers})
add_library(roambi_jobs_headers_codec OBJECT ${codec_units})
target_link_libraries(roambi_jobs_headers_codec PRIVATE roambi::codec)
target_compile_options(roambi_jobs_headers_codec PRIVATE -Wall -Wextra -Werror)
target_link_libraries(headers_test PRIVATE roambi_jobs_headers_codec)
list(APPEND ROAMBI_JOBS_CHECKED_HEADERS ${codec_headers})

if(TARGET roambi_jobs_fake_server)
  file(GLOB fake_headers CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/fake_server/include/roambi/jobs/fake/*.hpp)
  if(fake_headers)
    roambi_jobs_spec_header_units(fake_units fake ${PROJECT_SOURCE_DIR}/fake_server/include ${fake_headers})
    add_library(roambi_jobs_headers_fake OBJECT ${fake_units})
    target_link_libraries(roambi_jobs_headers_fake PRIVATE roambi::fake_server)
    target_compile_options(roambi_jobs_headers_fake PRIVATE -Wall -Wextra -Werror)
    target_link_libraries(headers_test PRIVATE roambi_jobs_headers_fake roambi::fake_server)
    list(APPEND ROAMBI_JOBS_CHECKED_HEADERS ${fake_headers})
  endif()
endif()

if(TARGET roambi_jobs_conformance)
  file(GLOB_RECURSE conformance_headers CONFIGURE_DEPENDS
       ${PROJECT_SOURCE_DIR}/conformance/include/roambi/jobs/conformance/*.hpp)
  if(conformance_headers)
    roambi_jobs_spec_header_units(conformance_units conformance ${PROJECT_SOURCE_DIR}/conformance/include
                                  ${conformance_headers})
    add_library(roambi_jobs_headers_conformance OBJECT ${conformance_units})
    target_link_libraries(roambi_jobs_headers_conformance PRIVATE roambi::conformance)
    target_compile_options(roambi_jobs_headers_conformance PRIVATE -Wall -Wextra -Werror)
    target_link_libraries(headers_test PRIVATE roambi_jobs_headers_conformance roambi::conformance)
    list(APPEND ROAMBI_JOBS_CHECKED_HEADERS ${conformance_headers})
  endif()
endif()

# The test compares this list with the headers on disk when it runs, so a header the build missed shows up.
list(TRANSFORM ROAMBI_JOBS_CHECKED_HEADERS REPLACE "^${PROJECT_SOURCE_DIR}/" "")
string(REPLACE ";" "," checked_headers "${ROAMBI_JOBS_CHECKED_HEADERS}")
target_compile_definitions(headers_test PRIVATE ROAMBI_JOBS_CHECKED_HEADERS="${checked_headers}"
  $<$<TARGET_EXISTS:roambi_jobs_fake_server>:ROAMBI_JOBS_CHECK_FAKE_HEADERS>
  $<$<TARGET_EXISTS:roambi_jobs_conformance>:ROAMBI_JOBS_CHECK_CONFORMANCE_HEADERS>)

# A binary that failed to build leaves only a "<binary>_NOT_BUILT" placeholder, which `ctest -R 'Spec|Headers'`
# filters out; these keep it visible, and failing, under a name that filter selects.
foreach(binary IN ITEMS spec_job_test spec_errors_test spec_submit_test spec_decisions_test spec_endpoints_test
                        spec_examples_test spec_docs_test headers_test)
  add_test(NAME SpecBuilt.${binary} COMMAND ${binary} --gtest_list_tests)
endforeach()

# --- the installed package, as a find_package consumer sees it ---
if(ROAMBI_JOBS_INSTALL)
  add_test(NAME package.FindPackageConsumerBuildsAndRuns
           COMMAND ${CMAKE_COMMAND}
                   -DBUILD_DIR=${PROJECT_BINARY_DIR}
                   -DCONSUMER_DIR=${CMAKE_CURRENT_LIST_DIR}/package
                   -DWORK_DIR=${CMAKE_CURRENT_BINARY_DIR}/package_consumer
                   -DCXX_COMPILER=${CMAKE_CXX_COMPILER}
                   -DGENERATOR=${CMAKE_GENERATOR}
                   -P ${CMAKE_CURRENT_LIST_DIR}/package/run.cmake)
  set_tests_properties(package.FindPackageConsumerBuildsAndRuns PROPERTIES LABELS package TIMEOUT 600 RUN_SERIAL TRUE)
endif()
