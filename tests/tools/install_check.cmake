# install_check.cmake — `cmake --install` of the build puts the command, its man page, its bash
# completion and the docs where cmake/PfsimInstall.cmake says, and the installed pfsim runs.
#
#   cmake -DBUILD_DIR=... -DPREFIX=... -DVERSION=... -P install_check.cmake

cmake_minimum_required(VERSION 3.25)

file(REMOVE_RECURSE "${PREFIX}")
execute_process(COMMAND ${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${PREFIX}" OUTPUT_QUIET
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install ${BUILD_DIR} --prefix ${PREFIX} exited ${rc}")
endif()

foreach(file bin/pfsim share/man/man1/pfsim.1 share/bash-completion/completions/pfsim
             share/doc/pfsim/README.md share/doc/pfsim/CHANGELOG.md
             share/doc/pfsim/scenario-format.md share/doc/pfsim/copyright)
  if(NOT EXISTS "${PREFIX}/${file}")
    message(FATAL_ERROR "cmake --install did not write ${file}")
  endif()
endforeach()

execute_process(COMMAND "${PREFIX}/bin/pfsim" --version OUTPUT_VARIABLE printed RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR NOT printed STREQUAL "pfsim ${VERSION}\n")
  message(FATAL_ERROR "installed pfsim --version exited ${rc} and printed '${printed}', not 'pfsim ${VERSION}'")
endif()
file(REMOVE_RECURSE "${PREFIX}")
