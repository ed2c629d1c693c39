# cpack -G DEB (in the build directory): portlab_<version>_amd64.deb, everything
# `cmake --install` installs, under /usr.
#
# Depends are the Debian 12 runtime packages of the shared libraries portlab's binaries link
# (dpkg -S on each: libns3-*.so.37 is libns3.37; CPACK_DEBIAN_PACKAGE_SHLIBDEPS=ON, i.e.
# dpkg-shlibdeps, gives the same list),
# and gnuplot for the figures `portlab run` writes. The headers and the CMake package need the
# -dev packages only to compile against portlab: Suggests.

set(CPACK_PACKAGE_NAME portlab)
set(CPACK_PACKAGE_VENDOR portlab)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Linux TCP/UDP port semantics for ns-3")
set(CPACK_PACKAGE_DESCRIPTION "portlab simulates hosts that follow Linux's port rules \
(bind, listen, connect, TIME_WAIT, SO_REUSEADDR, SO_REUSEPORT, ephemeral ports) at packet \
level in ns-3. It ships the portlab command, its scenarios, the libraries (a drop-in Linux \
TCP/UDP stack for ns-3 programs), their headers, a CMake package and portlab.pc.")
set(CPACK_PACKAGE_CONTACT "portlab maintainers <portlab@invalid>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_GENERATOR DEB)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # portlab_0.1.0_amd64.deb
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_LICENSE GPL-2.0-only)

# (libportlab-apps.so needs libsqlite3.so.0 itself: ns-3's stats target links it with
# --no-as-needed.)
set(_portlab_depends "libns3.37 (>= 3.37)" "libsqlite3-0 (>= 3.5.9)" "libc6 (>= 2.34)"
    "libstdc++6 (>= 11)" "libgcc-s1 (>= 4.2)")
if(PORTLAB_BUILD_CLI)
  list(APPEND _portlab_depends "libboost-program-options1.74.0 (>= 1.74.0+ds1)"
       "libboost-iostreams1.74.0 (>= 1.74.0+ds1)" "libboost-filesystem1.74.0 (>= 1.74.0+ds1)"
       "gnuplot-nox | gnuplot")
endif()
string(JOIN ", " CPACK_DEBIAN_PACKAGE_DEPENDS ${_portlab_depends})
# To compile against portlab (find_package(portlab), portlab.pc): ns-3's headers and CMake
# package (libns3-dev, and ns3, whose helper programs that package insists on) and the headers
# of what the installed targets use.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "libns3-dev, ns3, libgsl-dev, nlohmann-json3-dev, \
libboost-program-options-dev, libboost-iostreams-dev, libboost-filesystem-dev, \
libgnuplot-iostream-dev, parallel")

include(CPack)
