# taxii_add_test(path/to/foo_test.cpp LIBS lib... LABELS label...)
# One Boost.Test executable per file, registered with CTest under its path-derived name.
function(taxii_add_test src)
  cmake_parse_arguments(T "" "TIMEOUT" "LIBS;LABELS" ${ARGN})
  get_filename_component(name ${src} NAME_WE)
  add_executable(${name} ${src})
  target_link_libraries(${name} PRIVATE ${T_LIBS} Boost::unit_test_framework)
  target_compile_definitions(${name} PRIVATE
    TAXII_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
    TAXII_SHARED_SPEC="${TAXII_SHARED_SPEC}"
    TAXII_BINARY_DIR="${CMAKE_BINARY_DIR}")
  add_test(NAME ${name} COMMAND ${name} --log_level=message --report_level=short)
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  set_tests_properties(${name} PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT})
endfunction()

# taxii_add_postgres_variant(name...): for each Boost.Test test `name` registered in this
# directory, registers `name_pg`: the same executable run against PostgreSQL
# (TAXII_TEST_STORE=postgres; storage/test_store.hpp), with the original's labels plus
# `postgres`, its timeout, environment and RUN_SERIAL. Without TAXII_TEST_POSTGRES_URI the
# variant prints "SKIP ..." and exits 77, which CTest reports as skipped.
# Nothing when TAXII_POSTGRES_VARIANTS is OFF (e.g. to keep a sanitizer build's CI time down).
function(taxii_add_postgres_variant)
  if(NOT TAXII_POSTGRES_VARIANTS)
    return()
  endif()
  foreach(name ${ARGN})
    if(NOT TEST ${name})
      continue()
    endif()
    get_test_property(${name} LABELS labels)
    get_test_property(${name} TIMEOUT timeout)
    get_test_property(${name} RUN_SERIAL serial)
    get_test_property(${name} ENVIRONMENT environment)
    add_test(NAME ${name}_pg COMMAND ${name} --log_level=message --report_level=short)
    set(env TAXII_TEST_STORE=postgres)
    if(environment)
      list(APPEND env ${environment})
    endif()
    if(NOT labels)
      set(labels "")
    endif()
    list(APPEND labels postgres)
    list(REMOVE_DUPLICATES labels)
    set_tests_properties(${name}_pg PROPERTIES LABELS "${labels}" ENVIRONMENT "${env}"
                         SKIP_RETURN_CODE 77)
    if(timeout)
      set_tests_properties(${name}_pg PROPERTIES TIMEOUT ${timeout})
    endif()
    if(serial)
      set_tests_properties(${name}_pg PROPERTIES RUN_SERIAL ${serial})
    endif()
  endforeach()
endfunction()
