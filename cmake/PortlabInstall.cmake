# cmake --install: the libraries, their headers under include/portlab/<layer>/, the portlab
# command, the shipped scenarios and scripts under share/portlab/, the CMake package
# (find_package(portlab) gives portlab::ports, portlab::transport, ...) and portlab.pc.
# Included at the end of the top-level CMakeLists.txt, once every target exists.

include(CMakePackageConfigHelpers)

set(PORTLAB_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/portlab)
set(PORTLAB_INSTALL_INCLUDEDIR ${CMAKE_INSTALL_INCLUDEDIR}/portlab)

# Installed programs and libraries find portlab's shared libraries next to themselves, so an
# install prefix can be copied anywhere (cp -a /tmp/a /tmp/b).
file(RELATIVE_PATH _portlab_bin_to_lib ${CMAKE_INSTALL_FULL_BINDIR} ${CMAKE_INSTALL_FULL_LIBDIR})

# \param target a library of this project
# \param name its name in the package (portlab::NAME)
# \param ARGN its header folders (models/<layer>, or plots): installed as include/portlab/<layer>
set(PORTLAB_EXPORTED "")
function(portlab_install_library target name)
  add_library(portlab::${name} ALIAS ${target})
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${name} INSTALL_RPATH "$ORIGIN")
  target_compile_features(${target} INTERFACE cxx_std_17)
  # Headers include each other with their layer ("ports/port-types.h"): include/portlab is the
  # one include directory.
  target_include_directories(${target} INTERFACE $<INSTALL_INTERFACE:${PORTLAB_INSTALL_INCLUDEDIR}>)
  foreach(dir ${ARGN})
    get_filename_component(layer ${dir} NAME)
    install(DIRECTORY ${PROJECT_SOURCE_DIR}/${dir}/ DESTINATION ${PORTLAB_INSTALL_INCLUDEDIR}/${layer}
            COMPONENT portlab FILES_MATCHING PATTERN "*.h" PATTERN "readme" EXCLUDE)
  endforeach()
  install(TARGETS ${target} EXPORT portlab-targets COMPONENT portlab
          LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
  set(PORTLAB_EXPORTED ${PORTLAB_EXPORTED} ${name} PARENT_SCOPE)
endfunction()

portlab_install_library(portlab-ports ports models/ports)
portlab_install_library(portlab-nat nat models/nat)
portlab_install_library(portlab-transport transport models/link models/ipv4 models/transport)
portlab_install_library(portlab-apps apps models/apps)
if(PORTLAB_BUILD_SCENARIO)
  portlab_install_library(portlab-util util models/util)
  portlab_install_library(portlab-scenario scenario models/scenario models/script)
endif()
if(PORTLAB_BUILD_CLI)
  # plots' private gnuplot-iostream/Boost dependency is linked by whoever links the static
  # portlab-plots, so it goes into the package as portlab::plot-deps.
  set_target_properties(portlab-plot-deps PROPERTIES EXPORT_NAME plot-deps)
  install(TARGETS portlab-plot-deps EXPORT portlab-targets COMPONENT portlab)
  portlab_install_library(portlab-plots plots plots)
  portlab_install_library(portlab-collect collect models/collect)
  portlab_install_library(portlab-cli cli models/cli)

  set_target_properties(portlab PROPERTIES INSTALL_RPATH "$ORIGIN/${_portlab_bin_to_lib}")
  install(TARGETS portlab RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT portlab)
  # man portlab (made at build time by 'portlab help --man') and bash completion.
  install(FILES ${PROJECT_BINARY_DIR}/portlab.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1
          COMPONENT portlab)
  install(FILES ${CMAKE_CURRENT_LIST_DIR}/portlab-completion.bash
          DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME portlab
          COMPONENT portlab)
endif()
if(PORTLAB_BUILD_SCENARIO)
  # The shipped scenarios, and socket scripts (the recorded Linux answers) as examples of the
  # script grammar: what the scenario layer reads and `portlab run` / `portlab script` run.
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/scenarios/
          DESTINATION ${CMAKE_INSTALL_DATADIR}/portlab/scenarios COMPONENT portlab
          FILES_MATCHING PATTERN "*.ini")
  # The Linux recordings that scenario expectations name ('recorded RECORDING CASE KEY').
  install(FILES ${PROJECT_SOURCE_DIR}/tests/data/linux-6.18-probe.jsonl
          DESTINATION ${CMAKE_INSTALL_DATADIR}/portlab/recordings COMPONENT portlab)
  file(GLOB _portlab_scripts ${PROJECT_SOURCE_DIR}/tests/data/scripts/*.pcs)
  install(FILES ${_portlab_scripts} DESTINATION ${CMAKE_INSTALL_DATADIR}/portlab/scripts
          COMPONENT portlab)
endif()
if(PORTLAB_BUILD_EXAMPLES)
  # The example programs, and out-of-tree/: a user's CMakeLists.txt that builds one of them.
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/examples/
          DESTINATION ${CMAKE_INSTALL_DATADIR}/portlab/examples COMPONENT portlab
          FILES_MATCHING PATTERN "*.cc" PATTERN "out-of-tree/CMakeLists.txt")
endif()

# --- the CMake package -------------------------------------------------------------------------
install(EXPORT portlab-targets NAMESPACE portlab:: DESTINATION ${PORTLAB_INSTALL_CMAKEDIR}
        COMPONENT portlab)
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/portlab-config.cmake.in
                              ${PROJECT_BINARY_DIR}/portlab-config.cmake
                              INSTALL_DESTINATION ${PORTLAB_INSTALL_CMAKEDIR}
                              PATH_VARS CMAKE_INSTALL_DATADIR CMAKE_INSTALL_INCLUDEDIR)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/portlab-config-version.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/portlab-config.cmake
              ${PROJECT_BINARY_DIR}/portlab-config-version.cmake
        DESTINATION ${PORTLAB_INSTALL_CMAKEDIR} COMPONENT portlab)

# --- pkg-config: the transport and the processes (what an ns-3 program links) ------------------
# Debian's ns-3 .pc files emit "-I/usr;" (a CMake list leaked into Cflags), so portlab.pc does
# not Require them: it names ns-3's libraries itself. ${pcfiledir} keeps it relocatable.
file(RELATIVE_PATH _portlab_pc_to_prefix ${CMAKE_INSTALL_FULL_LIBDIR}/pkgconfig
     ${CMAKE_INSTALL_PREFIX})
string(REGEX REPLACE "/$" "" _portlab_pc_to_prefix "${_portlab_pc_to_prefix}")
configure_file(${CMAKE_CURRENT_LIST_DIR}/portlab.pc.in ${PROJECT_BINARY_DIR}/portlab.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/portlab.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig
        COMPONENT portlab)

include(${CMAKE_CURRENT_LIST_DIR}/PortlabPackage.cmake)
