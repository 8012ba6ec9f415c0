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
