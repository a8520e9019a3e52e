# Checks the dependency arrows of DESIGN.md §1 on the sources: run as
#   cmake -DSOURCE_DIR=<repo> -P tests/dependency_rules.cmake
# Arrows point down only: tools -> engine -> {classifier, pcap} -> net. A part may include its
# own headers and those of the parts below it; only pcap/ includes <pcap.h>; only engine/
# includes TBB. The link lines enforce the same edges for symbols; this catches header-only
# uses, which the linker cannot see.
cmake_minimum_required(VERSION 3.25)

set(allowed_net "net")
set(allowed_classifier "classifier;net")
set(allowed_pcap "pcap;net")
set(allowed_engine "engine;classifier;pcap;net")
set(allowed_tools "tools;engine;classifier;pcap;net")
set(parts net classifier pcap engine tools)

set(violations "")
foreach(part IN LISTS parts)
  file(GLOB_RECURSE sources "${SOURCE_DIR}/${part}/*.h" "${SOURCE_DIR}/${part}/*.cc")
  foreach(source IN LISTS sources)
    file(STRINGS "${source}" includes REGEX "^[ \t]*#[ \t]*include")
    file(RELATIVE_PATH where "${SOURCE_DIR}" "${source}")
    foreach(line IN LISTS includes)
      if(line MATCHES "#[ \t]*include[ \t]*\"([a-z_]+)/")
        set(target_part "${CMAKE_MATCH_1}")
        if(target_part IN_LIST parts AND NOT target_part IN_LIST allowed_${part})
          string(APPEND violations "${where}: ${part}/ may not include ${target_part}/: ${line}\n")
        endif()
      endif()
      if(line MATCHES "<pcap[./]" AND NOT part STREQUAL "pcap")
        string(APPEND violations "${where}: only pcap/ includes libpcap: ${line}\n")
      endif()
      if(line MATCHES "<(tbb|oneapi)/" AND NOT part STREQUAL "engine")
        string(APPEND violations "${where}: only engine/ includes TBB: ${line}\n")
      endif()
    endforeach()
  endforeach()
endforeach()

if(violations)
  message(FATAL_ERROR "dependency rules of DESIGN.md §1 broken:\n${violations}")
endif()
message(STATUS "dependency rules of DESIGN.md §1 hold")
