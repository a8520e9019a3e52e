# Checks the dependency arrows of ARCHITECTURE.md on the sources: run as
#   cmake -DSOURCE_DIR=<repo> -P tests/dependency_rules.cmake
# The build already refuses a forbidden include (each part's include root holds only the parts
# its target links: cmake/PfsimParts.cmake); this test says which arrow a change broke, checks
# the libraries only one part may include (libpcap: pcap/; zlib: flowlog/; TBB: engine/replay/;
# yaml-cpp: engine/model/), and refuses includes that climb out of a part ("../").
cmake_minimum_required(VERSION 3.25)

# part -> the parts it may include (itself first). A part is a folder; engine's parts are
# named by their path.
set(allowed_net "net")
set(allowed_classifier "classifier;net")
set(allowed_pcap "pcap;net")
set(allowed_flowlog "flowlog;net")
set(allowed_engine/model "engine/model;net")
set(allowed_engine/policy "engine/policy;engine/model;classifier;net")
set(allowed_engine/paths "engine/paths;engine/model;net")
set(allowed_engine/sim "engine/sim;engine/paths;engine/policy;engine/model;classifier;net")
set(allowed_engine/analysis "engine/analysis;engine/sim;engine/paths;engine/policy;engine/model;classifier;net")
set(allowed_engine/replay
    "engine/replay;engine/analysis;engine/sim;engine/paths;engine/policy;engine/model;classifier;pcap;net")
set(allowed_engine/gen "engine/gen;engine/paths;engine/model;pcap;net")
set(allowed_engine/import "engine/import;engine/model;net")
set(allowed_tools "tools;engine/model;engine/policy;engine/paths;engine/sim;engine/analysis;engine/replay;engine/gen;engine/import;classifier;pcap;flowlog;net")
set(parts net classifier pcap flowlog engine/model engine/policy engine/paths engine/sim engine/analysis engine/replay
          engine/gen engine/import tools)

set(violations "")
foreach(part IN LISTS parts)
  file(GLOB_RECURSE sources "${SOURCE_DIR}/${part}/*.h" "${SOURCE_DIR}/${part}/*.cc")
  foreach(source IN LISTS sources)
    file(STRINGS "${source}" includes REGEX "^[ \t]*#[ \t]*include")
    file(RELATIVE_PATH where "${SOURCE_DIR}" "${source}")
    foreach(line IN LISTS includes)
      if(line MATCHES "#[ \t]*include[ \t]*\"(engine/[a-z_]+|[a-z_]+)/")
        set(target_part "${CMAKE_MATCH_1}")
        if(target_part IN_LIST parts AND NOT target_part IN_LIST allowed_${part})
          string(APPEND violations "${where}: ${part}/ may not include ${target_part}/: ${line}\n")
        endif()
      endif()
      if(line MATCHES "\\.\\./")
        string(APPEND violations "${where}: includes name a part's path, never ../: ${line}\n")
      endif()
      if(line MATCHES "<pcap[./]" AND NOT part STREQUAL "pcap")
        string(APPEND violations "${where}: only pcap/ includes libpcap: ${line}\n")
      endif()
      if(line MATCHES "<zlib\\.h>" AND NOT part STREQUAL "flowlog")
        string(APPEND violations "${where}: only flowlog/ includes zlib: ${line}\n")
      endif()
      if(line MATCHES "<(tbb|oneapi)/" AND NOT part STREQUAL "engine/replay")
        string(APPEND violations "${where}: only engine/replay/ includes TBB: ${line}\n")
      endif()
      if(line MATCHES "<yaml-cpp/" AND NOT part STREQUAL "engine/model")
        string(APPEND violations "${where}: only engine/model/ includes yaml-cpp: ${line}\n")
      endif()
    endforeach()
  endforeach()
endforeach()

if(violations)
  message(FATAL_ERROR "dependency rules of ARCHITECTURE.md broken:\n${violations}")
endif()
message(STATUS "dependency rules of ARCHITECTURE.md hold")
