# creditgate_itu_calling_codes(CSV OUTPUT): writes OUTPUT, the first column of CSV (the ITU-T E.164
# list of assigned country calling codes, header "code,assignment,kind") as C++ list elements
# ("    20,"), for core/calling_codes.cpp to include; that file checks at compile time that every code
# is 1 to 999 and that none is listed twice or starts another.
#
# Generated when CMake configures rather than checked in: the data file stays the one source and the
# list in the plugin cannot drift from it. Editing the CSV re-runs the step (a configure dependency);
# OUTPUT is rewritten only when its content changes, so nothing recompiles otherwise. A malformed row
# stops the configure with its line number.
function(creditgate_itu_calling_codes csv output)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${csv})
  file(READ ${csv} text)
  # One list element per line. Only the first column is kept, so characters that CMake lists treat
  # specially (';' splits, brackets group) are neutralised in the rest of the line first.
  string(REPLACE ";" "," text "${text}")
  string(REPLACE "[" "(" text "${text}")
  string(REPLACE "]" ")" text "${text}")
  string(REPLACE "\r" "" text "${text}")
  string(REGEX REPLACE "\n+$" "" text "${text}")
  string(REPLACE "\n" ";" lines "${text}")
  list(POP_FRONT lines header)
  if(NOT header STREQUAL "code,assignment,kind")
    message(FATAL_ERROR "${csv} line 1: the header must be 'code,assignment,kind'")
  endif()
  set(codes "")
  set(line_number 1)
  foreach(line IN LISTS lines)
    math(EXPR line_number "${line_number} + 1")
    if(NOT line MATCHES "^([1-9][0-9]?[0-9]?),[^,]")
      message(FATAL_ERROR "${csv} line ${line_number}: '${line}' does not start with a code of "
                          "1 to 3 digits (not starting with 0) and its assignment")
    endif()
    string(APPEND codes "    ${CMAKE_MATCH_1},\n")
  endforeach()
  file(CONFIGURE OUTPUT ${output} @ONLY CONTENT
    "// Generated from data/itu_calling_codes_2025.csv by plugin/itu_calling_codes.cmake.\n@codes@")
endfunction()
