# catch_discover_tests registers each TEST_CASE by name in a CMake list, so
# a ';' in a name splits it: ctest then runs two names that match nothing
# and reports them passed. Run with -DSOURCES=<list> -DSTAMP=<file>.
foreach(source IN LISTS SOURCES)
  # Read whole, not by line: clang-format may put the name on the line after
  # TEST_CASE( or split it into adjacent literals. Marking every ';' first
  # keeps CMake's lists from splitting what is matched.
  file(READ ${source} text)
  string(REPLACE ";" "<semicolon>" text "${text}")
  string(REGEX MATCHALL "TEST_CASE\\([ \t\r\n]*\"[^\"]*\"([ \t\r\n]*\"[^\"]*\")*" names "${text}")
  foreach(name IN LISTS names)
    if(name MATCHES "<semicolon>")
      message(FATAL_ERROR "${source}: a TEST_CASE name contains ';', which ctest would split"
        " into names that run nothing: ${name}")
    endif()
  endforeach()
endforeach()
if(STAMP)
  file(TOUCH ${STAMP})
endif()
