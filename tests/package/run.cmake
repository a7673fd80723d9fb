# Installs the build tree into a fresh prefix, then builds and runs a find_package project against it, as a user would.
# cmake -DBUILD_DIR=... -DCONSUMER_DIR=... -DWORK_DIR=... [-DWHAT=consumer|examples] [-DCXX_COMPILER=...]
#       [-DGENERATOR=...] -P run.cmake
#   consumer (default): tests/package (all three targets used), a COMPONENTS request, and the pkg-config file
#   examples:           examples/ (its own CMake project: GoogleTest, Google Benchmark), built and its ctest run
foreach(var BUILD_DIR CONSUMER_DIR WORK_DIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "run.cmake: ${var} is not set")
  endif()
endforeach()
if(NOT WHAT)
  set(WHAT consumer)
endif()

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

function(configure_project source build)
  set(args -S ${source} -B ${build} -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
      -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-O0 ${ARGN})  # a consumer compiles fast; optimisation is not under test
  if(CXX_COMPILER)
    list(APPEND args -DCMAKE_CXX_COMPILER=${CXX_COMPILER})
  endif()
  if(GENERATOR)
    list(APPEND args -G ${GENERATOR})
  endif()
  run("configure ${source}" ${CMAKE_COMMAND} ${args})
  # The package must come from the prefix, not from the build tree's export.
  file(STRINGS ${build}/CMakeCache.txt found_dir REGEX "^roambi_jobs_DIR:")
  string(FIND "${found_dir}" "${prefix}/" at)
  if(NOT at GREATER -1)
    message(FATAL_ERROR "roambi_jobs was not found in ${prefix}: ${found_dir}")
  endif()
endfunction()

if(WHAT STREQUAL "examples")
  configure_project(${CONSUMER_DIR} ${consumer_build})
  run("build the examples" ${CMAKE_COMMAND} --build ${consumer_build} -j 2)
  run("run the examples' tests" ${CMAKE_COMMAND} -E chdir ${consumer_build} ctest --output-on-failure --timeout 300)
  message(STATUS "${last_output}")
  foreach(expected "parse_a_job" "PublisherTest[.]PublishesAReport" "my_conformance_tests" "bench_a_target" "100% tests passed")
    if(NOT last_output MATCHES "${expected}")
      message(FATAL_ERROR "the examples' ctest did not show \"${expected}\":\n${last_output}")
    endif()
  endforeach()
  return()
endif()

# --- consumer: find_package, all three targets ---
configure_project(${CONSUMER_DIR} ${consumer_build})
run("build the consumer" ${CMAKE_COMMAND} --build ${consumer_build} -j 2)
run("run the consumer" ${consumer_build}/roambi_jobs_package_consumer)
if(NOT last_output MATCHES "parsed job 3b6f7815-eaa5-4b" OR NOT last_output MATCHES "status/ against the fake: [1-9][0-9]* pass, exit 0")
  message(FATAL_ERROR "the consumer printed: ${last_output}")
endif()

# --- components: the model alone, and an unknown component refused ---
set(components_dir ${WORK_DIR}/components)
file(WRITE ${components_dir}/CMakeLists.txt "cmake_minimum_required(VERSION 3.25)\nproject(c LANGUAGES CXX)\n"
     "find_package(roambi_jobs 0.1 CONFIG REQUIRED COMPONENTS \${WANT})\n"
     "if(NOT TARGET roambi::jobs_spec)\n  message(FATAL_ERROR \"no roambi::jobs_spec\")\nendif()\n")
configure_project(${components_dir} ${components_dir}/build-spec -DWANT=jobs_spec)
execute_process(COMMAND ${CMAKE_COMMAND} -S ${components_dir} -B ${components_dir}/build-bad -DWANT=teleporter
                        -DCMAKE_PREFIX_PATH=${prefix} RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
if(rc EQUAL 0 OR NOT err MATCHES "teleporter")
  message(FATAL_ERROR "COMPONENTS teleporter was not refused (${rc}): ${err}")
endif()
message(STATUS "an unknown component is refused: ok")

# --- pkg-config: the header-only model from the .pc file alone, at whatever prefix it was installed to ---
find_program(PKG_CONFIG_EXECUTABLE NAMES pkg-config pkgconf REQUIRED)
set(pc_env ${CMAKE_COMMAND} -E env PKG_CONFIG_PATH=${prefix}/share/pkgconfig)
run("pkg-config --modversion roambi_jobs_spec" ${pc_env} ${PKG_CONFIG_EXECUTABLE} --modversion roambi_jobs_spec)
string(STRIP "${last_output}" pc_version)
file(STRINGS ${BUILD_DIR}/roambi_jobsConfigVersion.cmake project_version REGEX "^set\\(PACKAGE_VERSION ")
string(REGEX REPLACE "^set\\(PACKAGE_VERSION \"([^\"]*)\"\\)$" "\\1" project_version "${project_version}")
if(NOT pc_version STREQUAL project_version)
  message(FATAL_ERROR "pkg-config says version ${pc_version}, the project is ${project_version}")
endif()
run("pkg-config --cflags roambi_jobs_spec" ${pc_env} ${PKG_CONFIG_EXECUTABLE} --cflags roambi_jobs_spec)
string(STRIP "${last_output}" pc_cflags)
separate_arguments(pc_cflags UNIX_COMMAND "${pc_cflags}")
set(include_ok FALSE)
foreach(flag IN LISTS pc_cflags)
  if(flag MATCHES "^-I(.*)$")
    get_filename_component(dir "${CMAKE_MATCH_1}" REALPATH)
    get_filename_component(want "${prefix}/include" REALPATH)
    if(dir STREQUAL want)
      set(include_ok TRUE)
    endif()
  endif()
endforeach()
if(NOT include_ok)
  message(FATAL_ERROR "pkg-config --cflags roambi_jobs_spec does not point into ${prefix}/include: ${pc_cflags}")
endif()
if(NOT CXX_COMPILER)
  set(CXX_COMPILER c++)
endif()
run("compile with the pkg-config flags only" ${CXX_COMPILER} -std=c++17 ${pc_cflags}
    ${CMAKE_CURRENT_LIST_DIR}/pkg_config_main.cpp -o ${WORK_DIR}/pkg_config_consumer)
run("run the pkg-config consumer" ${WORK_DIR}/pkg_config_consumer)
if(NOT last_output MATCHES "file_exists is HTTP 400")
  message(FATAL_ERROR "the pkg-config consumer printed: ${last_output}")
endif()
