# find_package(edgeai) entry point: everything is in edgeai.cmake (see there).
include("${CMAKE_CURRENT_LIST_DIR}/edgeai.cmake")
