# cmake -DPROGRAM=... -DNAME=... -DSECTION=... -DMANUAL=... -DSEE_ALSO=... -DDATE=... -DSOURCE=...
#       -DAWK=... -DGZIP=... -DSCRIPT=help-to-roff.awk -DOUTPUT=dir/NAME.SECTION -P make_page.cmake
# Writes OUTPUT (roff) and OUTPUT.gz from `PROGRAM --help`; fails, leaving neither, when the program
# or the generator does.
foreach(var PROGRAM NAME SECTION MANUAL DATE SOURCE AWK GZIP SCRIPT OUTPUT)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "make_page.cmake: -D${var}=... is required")
  endif()
endforeach()
file(REMOVE ${OUTPUT} ${OUTPUT}.gz)

execute_process(COMMAND ${PROGRAM} --help
  OUTPUT_FILE ${OUTPUT}.help RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${PROGRAM} --help failed: ${rc}")
endif()

execute_process(COMMAND ${CMAKE_COMMAND} -E env LC_ALL=C
    ${AWK} -f ${SCRIPT} -v "name=${NAME}" -v "section=${SECTION}" -v "date=${DATE}"
    -v "source=${SOURCE}" -v "manual=${MANUAL}" -v "see_also=${SEE_ALSO}"
  INPUT_FILE ${OUTPUT}.help OUTPUT_FILE ${OUTPUT}.tmp RESULT_VARIABLE rc)
file(REMOVE ${OUTPUT}.help)
if(NOT rc EQUAL 0)
  file(REMOVE ${OUTPUT}.tmp)
  message(FATAL_ERROR "help-to-roff.awk could not read ${NAME} --help (above: where)")
endif()

execute_process(COMMAND ${GZIP} -9n -c ${OUTPUT}.tmp OUTPUT_FILE ${OUTPUT}.gz.tmp
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  file(REMOVE ${OUTPUT}.tmp ${OUTPUT}.gz.tmp)
  message(FATAL_ERROR "gzip failed: ${rc}")
endif()
file(RENAME ${OUTPUT}.tmp ${OUTPUT})
file(RENAME ${OUTPUT}.gz.tmp ${OUTPUT}.gz)
