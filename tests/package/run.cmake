# Installs the build tree into a fresh prefix, then configures, builds and runs tests/package against it.
# cmake -DBUILD_DIR=... -DCONSUMER_DIR=... -DWORK_DIR=... [-DCXX_COMPILER=...] [-DGENERATOR=...] -P run.cmake
foreach(var BUILD_DIR CONSUMER_DIR WORK_DIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "run.cmake: ${var} is not set")
  endif()
endforeach()

set(prefix ${WORK_DIR}/prefix)
set(consumer_build ${WORK_DIR}/build)
file(REMOVE_RECURSE ${WORK_DIR})

function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${out}\n${err}")
  endif()
  message(STATUS "${what}: ok")
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

run("install into ${prefix}" ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})

set(configure_args -S ${CONSUMER_DIR} -B ${consumer_build} -DCMAKE_PREFIX_PATH=${prefix}
    -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DCMAKE_BUILD_TYPE=Release)
if(CXX_COMPILER)
  list(APPEND configure_args -DCMAKE_CXX_COMPILER=${CXX_COMPILER})
endif()
if(GENERATOR)
  list(APPEND configure_args -G ${GENERATOR})
endif()
run("configure the consumer" ${CMAKE_COMMAND} ${configure_args})

# The package must come from the prefix, not from the build tree's export.
file(STRINGS ${consumer_build}/CMakeCache.txt found_dir REGEX "^roambi_jobs_DIR:")
string(FIND "${found_dir}" "${prefix}/" at)
if(NOT at GREATER -1)
  message(FATAL_ERROR "roambi_jobs was not found in ${prefix}: ${found_dir}")
endif()

run("build the consumer" ${CMAKE_COMMAND} --build ${consumer_build} -j 2)
run("run the consumer" ${consumer_build}/roambi_jobs_package_consumer)
if(NOT last_output MATCHES "parsed job 3b6f7815-eaa5-4b")
  message(FATAL_ERROR "the consumer printed: ${last_output}")
endif()
