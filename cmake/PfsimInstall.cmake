# PfsimInstall.cmake — what `cmake --install` puts where, and the Debian package of it.
#
#   bin/pfsim                                        the command (tools/)
#   share/man/man1/pfsim.1                           its manual (docs/pfsim.1)
#   share/bash-completion/completions/pfsim          bash completion (scripts/completion/pfsim.bash)
#   share/doc/pfsim/{README.md,CHANGELOG.md,scenario-format.md,copyright}
#
# `cd build/release && cpack -G DEB` builds pfsim_<version>_<arch>.deb from the same rules,
# with the version of project() and the shared-library dependencies dpkg-shlibdeps finds in
# the binary (libpcap, libtbb, libyaml-cpp and the C++ runtime on Debian 12).

install(TARGETS pfsim RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${PROJECT_SOURCE_DIR}/docs/pfsim.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
# bash-completion loads completions/<command> on first use of <command>.
install(FILES ${PROJECT_SOURCE_DIR}/scripts/completion/pfsim.bash
        DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/bash-completion/completions RENAME pfsim)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/CHANGELOG.md
              ${PROJECT_SOURCE_DIR}/docs/scenario-format.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
# Debian policy 12.5: the licence goes to /usr/share/doc/<package>/copyright.
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE DESTINATION ${CMAKE_INSTALL_DOCDIR} RENAME copyright)

set(CPACK_PACKAGE_NAME pfsim)
set(CPACK_PACKAGE_VENDOR "pfsim")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "packet-filter simulator for cloud load balancers")
set(CPACK_PACKAGE_DESCRIPTION
    "pfsim compiles cloud security groups and network ACLs (AWS, Huawei Cloud, E2E Networks) \
into a multi-field packet classifier, replays captured traffic through load-balancer to target \
paths, and says which listener, health-check and Path MTU Discovery packets would be dropped, \
where and by which rule. It also checks and explains a scenario without a capture, generates \
synthetic captures and benchmarks classifiers on ClassBench sets.")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_STRIP_FILES ON)
# Packages install to /usr (and the man page to /usr/share/man), whatever the build's prefix.
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)

# Debian policy §5.6.2: "The package maintainer's name and email address." The project has no
# public mailing address yet: whoever builds a package for others sets theirs with
# -DPFSIM_PACKAGE_MAINTAINER="Name <address>"; the default says it is unset (RFC 2606 .invalid).
set(PFSIM_PACKAGE_MAINTAINER "pfsim maintainers <unset@pfsim.invalid>"
    CACHE STRING "Maintainer field of the .deb (\"Name <email>\")")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${PFSIM_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
# Depends: from dpkg-shlibdeps on the installed binary, so the package names follow the
# libraries it really links (libpcap0.8, libtbb12, libyaml-cpp0.7, libstdc++6, libc6 on Debian 12).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SUGGESTS bash-completion)

include(CPack)
