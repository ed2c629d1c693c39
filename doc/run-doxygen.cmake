# The portlab-doc test: doxygen over the public headers with warnings as errors.
#   cmake -DDOXYGEN=... -DDOXYFILE=... -DOUTPUT=... -P run-doxygen.cmake
cmake_minimum_required(VERSION 3.20)
file(REMOVE_RECURSE "${OUTPUT}/html")
execute_process(COMMAND "${DOXYGEN}" "${DOXYFILE}" RESULT_VARIABLE rc ERROR_VARIABLE warnings)
if(NOT rc EQUAL 0 OR NOT warnings STREQUAL "")
  message("${warnings}")
  message(FATAL_ERROR "doxygen: the public headers' documentation has warnings (above); "
                      "document each entity they name (see doc/Doxyfile.in)")
endif()
message(STATUS "doxygen: no warnings; HTML in ${OUTPUT}/html")
