# The examples (examples/, a CMake project of their own) built and run against the installed package, as a user's
# project would be: `ctest -L package`. tests/spec.cmake registers the find_package consumer (tests/package/).
if(ROAMBI_JOBS_INSTALL AND TARGET roambi-fake-server AND TARGET roambi-conformance)
  add_test(NAME package.ExamplesBuildAndRun
           COMMAND ${CMAKE_COMMAND}
                   -DWHAT=examples
                   -DBUILD_DIR=${PROJECT_BINARY_DIR}
                   -DCONSUMER_DIR=${PROJECT_SOURCE_DIR}/examples
                   -DWORK_DIR=${CMAKE_CURRENT_BINARY_DIR}/package_examples
                   -DCXX_COMPILER=${CMAKE_CXX_COMPILER}
                   -DGENERATOR=${CMAKE_GENERATOR}
                   -P ${CMAKE_CURRENT_LIST_DIR}/run.cmake)
  set_tests_properties(package.ExamplesBuildAndRun PROPERTIES LABELS package TIMEOUT 900 RUN_SERIAL TRUE)
endif()
