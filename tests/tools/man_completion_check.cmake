# man_completion_check.cmake — the man page (docs/pfsim.1) and the bash completion
# (scripts/completion/pfsim.bash) name exactly the subcommands and options the built pfsim's
# --help lists, so neither can drift from the command.
#
#   cmake -DPFSIM_BIN=... -DMAN_PAGE=... -DCOMPLETION=... -P man_completion_check.cmake
#
# For every subcommand of `pfsim --help`: the man page has a `.SS NAME` subsection whose `.TP`
# items are the options of `pfsim NAME --help` (--help aside), no more and no fewer; the
# completion lists NAME among its commands and its `NAME) options="..."` line holds the same
# options and --help. Every failure is named; the test fails if there is any.

cmake_minimum_required(VERSION 3.25)

foreach(var PFSIM_BIN MAN_PAGE COMPLETION)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "man_completion_check.cmake: -D${var}=... is required")
  endif()
endforeach()

set(problems "")
macro(problem text)
  list(APPEND problems "${text}")
endmacro()

# Names a problem for every name of `wanted` missing from `found` and every name of `found`
# that `wanted` lacks; `where` says which file and list, `source` where `wanted` comes from.
function(compare_names wanted found where source)
  set(found_problems "${problems}")
  foreach(name IN LISTS wanted)
    if(NOT name IN_LIST found)
      list(APPEND found_problems "${where}: ${name} (of ${source}) missing")
    endif()
  endforeach()
  foreach(name IN LISTS found)
    if(NOT name IN_LIST wanted)
      list(APPEND found_problems "${where}: ${name}, which ${source} does not list")
    endif()
  endforeach()
  set(problems "${found_problems}" PARENT_SCOPE)
endfunction()

# Every match of `pattern` in `text`, each without the leading part that matches `prefix`.
function(matches_after text pattern prefix out)
  string(REGEX MATCHALL "${pattern}" found "${text}")
  set(names "")
  foreach(match IN LISTS found)
    string(REGEX REPLACE "^${prefix}" "" name "${match}")
    list(APPEND names "${name}")
  endforeach()
  set(${out} "${names}" PARENT_SCOPE)
endfunction()

function(run_help out)
  execute_process(COMMAND "${PFSIM_BIN}" ${ARGN} --help OUTPUT_VARIABLE text RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "'${PFSIM_BIN} ${ARGN} --help' exited ${rc}")
  endif()
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

run_help(top)
string(FIND "${top}" "\nSubcommands:\n" at)
if(at EQUAL -1)
  message(FATAL_ERROR "pfsim --help lists no 'Subcommands:'")
endif()
string(SUBSTRING "${top}" ${at} -1 listing)
matches_after("${listing}" "\n  [a-z][a-z0-9-]*" "\n  " commands)
list(LENGTH commands count)
if(count EQUAL 0)
  message(FATAL_ERROR "pfsim --help lists no subcommands")
endif()

# The man page with roff's escaped hyphens ("\-") as plain ones.
file(READ "${MAN_PAGE}" man)
string(REPLACE "\\-" "-" man "${man}")
file(READ "${COMPLETION}" completion)

# The completion's command list.
if(NOT completion MATCHES "commands=\"([^\"]*)\"")
  problem("${COMPLETION}: no commands=\"...\" line")
else()
  string(REPLACE " " ";" completion_commands "${CMAKE_MATCH_1}")
  compare_names("${commands}" "${completion_commands}" "${COMPLETION}: commands=\"...\"" "pfsim --help")
endif()

foreach(command IN LISTS commands)
  run_help(help ${command})
  # CLI11 prints an option as "  -h,--help" or "  --json FILE".
  matches_after("${help}" "\n  (-[a-zA-Z],)?--[a-z][a-z0-9-]*" "\n  (-[a-zA-Z],)?" options)

  # The man page: the options of the .TP items of `.SS command`, up to the next .SS or .SH.
  string(FIND "${man}" "\n.SS ${command}\n" start)
  if(start EQUAL -1)
    problem("${MAN_PAGE}: no '.SS ${command}' subsection")
  else()
    math(EXPR start "${start} + 1")
    string(SUBSTRING "${man}" ${start} -1 section)
    string(REGEX REPLACE "^\\.SS [^\n]*\n" "" section "${section}")
    string(REGEX REPLACE "\n\\.S[SH] .*" "" section "${section}")
    matches_after("${section}" "\\.TP\n\\.[BIR]+ --[a-z][a-z0-9-]*" "\\.TP\n\\.[BIR]+ " man_options)
    # --help is described once, under OPTIONS.
    set(options_but_help "${options}")
    list(REMOVE_ITEM options_but_help "--help")
    compare_names("${options_but_help}" "${man_options}" "${MAN_PAGE}: .SS ${command}" "pfsim ${command} --help")
  endif()

  # The completion: the options="..." line of the command's case.
  if(NOT completion MATCHES "\n *${command}\\) options=\"([^\"]*)\"")
    problem("${COMPLETION}: no '${command}) options=\"...\"' line")
  else()
    string(REPLACE " " ";" completion_options "${CMAKE_MATCH_1}")
    compare_names("${options}" "${completion_options}" "${COMPLETION}: ${command}) options=\"...\""
                  "pfsim ${command} --help")
  endif()
endforeach()

if(problems)
  list(JOIN problems "\n  " text)
  message(FATAL_ERROR "the man page or the completion differs from pfsim --help:\n  ${text}")
endif()
list(JOIN commands ", " listed)
message(STATUS "man page and completion cover every option of: ${listed}")
