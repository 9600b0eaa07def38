# catch_discover_tests registers each TEST_CASE by name in a CMake list, so
# a ';' in a name splits it: ctest then runs two names that match nothing
# and reports them passed. Run with -DSOURCES=<list> -DSTAMP=<file>.
foreach(source IN LISTS SOURCES)
  # Read whole, not by line: clang-format may put the name on the line after
  # TEST_CASE(.
  file(READ ${source} text)
  string(REGEX MATCH "TEST_CASE\\([ \t\r\n]*\"[^\"]*[;][^\"]*\"" bad_name "${text}")
  if(bad_name)
    string(REPLACE ";" "<;>" bad_name "${bad_name}")
    message(FATAL_ERROR "${source}: a TEST_CASE name contains ';', which ctest would split"
      " into names that run nothing: ${bad_name}")
  endif()
endforeach()
if(STAMP)
  file(TOUCH ${STAMP})
endif()
