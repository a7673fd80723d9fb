# Sanitizer builds: ROAMBI_JOBS_SANITIZE=address,undefined | thread applies to every target of the project.
# Included from the top CMakeLists.txt before any target is declared, so add_compile_options reaches them all.
# cpp-httplib comes prebuilt (Debian's .so, not instrumented): ASan and UBSan still check every line of ours,
# including httplib's header-only parts we compile (ThreadPool, Request, Response); see reliability/README.md for
# what that means under ThreadSanitizer.
set(ROAMBI_JOBS_SANITIZE "" CACHE STRING
    "Sanitizers for every target: empty, address,undefined (ASan+UBSan) or thread (TSan)")
set_property(CACHE ROAMBI_JOBS_SANITIZE PROPERTY STRINGS "" "address,undefined" "address" "undefined" "thread")

if(ROAMBI_JOBS_SANITIZE)
  string(REPLACE "," ";" _roambi_sanitizers "${ROAMBI_JOBS_SANITIZE}")
  foreach(s IN LISTS _roambi_sanitizers)
    if(NOT s MATCHES "^(address|undefined|thread)$")
      message(FATAL_ERROR "ROAMBI_JOBS_SANITIZE: unknown sanitizer \"${s}\" (address, undefined or thread)")
    endif()
  endforeach()
  if("thread" IN_LIST _roambi_sanitizers AND "address" IN_LIST _roambi_sanitizers)
    message(FATAL_ERROR "ROAMBI_JOBS_SANITIZE: thread cannot be combined with address")
  endif()
  set(_roambi_flags -fsanitize=${ROAMBI_JOBS_SANITIZE} -fno-omit-frame-pointer -g)
  if("undefined" IN_LIST _roambi_sanitizers)
    # A UBSan report is a failure, not a line in a log nobody reads: abort on the first one.
    list(APPEND _roambi_flags -fno-sanitize-recover=all)
  endif()
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # GCC 12's flow analysis sees ASan's instrumentation and reports std::regex and std::function members as "maybe
    # uninitialized" (readme_test failed to build on it under -Werror); the plain build keeps the warning.
    list(APPEND _roambi_flags -Wno-maybe-uninitialized)
  endif()
  add_compile_options(${_roambi_flags})
  add_link_options(-fsanitize=${ROAMBI_JOBS_SANITIZE})
  message(STATUS "roambi_jobs: sanitizers ${ROAMBI_JOBS_SANITIZE}")
endif()
