# Each part of pfsim is one library target whose include root holds only that part's folder
# (a symbolic link in the build tree), so a source can include a header only of a part its
# target links: a forbidden include fails to compile (ARCHITECTURE.md, "Parts and arrows").
#
#   pfsim_include_root(OUT PATH)  the include root of the folder PATH (relative to the
#                                 repository), e.g. "engine/sim": `#include "engine/sim/judge.h"`
#   pfsim_part(TARGET PATH SOURCES...)  a library of part PATH, its root on its PUBLIC include path
function(pfsim_include_root out path)
  set(root "${PROJECT_BINARY_DIR}/include-roots/${path}")
  if(NOT EXISTS "${root}/${path}")
    get_filename_component(parent "${root}/${path}" DIRECTORY)
    file(MAKE_DIRECTORY "${parent}")
    file(CREATE_LINK "${PROJECT_SOURCE_DIR}/${path}" "${root}/${path}" SYMBOLIC)
  endif()
  set(${out} "${root}" PARENT_SCOPE)
endfunction()

function(pfsim_part target path)
  add_library(${target} ${ARGN})
  pfsim_include_root(root "${path}")
  target_include_directories(${target} PUBLIC "${root}")
endfunction()
