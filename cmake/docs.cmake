# The API reference, from the public headers (include/hwocr), with Doxygen:
#   cmake --build build --target docs   ->  build/docs/html/index.html
# docs/Doxyfile holds the settings; this adds the paths of this build.
# Any warning fails the target (WARN_AS_ERROR).
find_package(Doxygen QUIET)
if(DOXYGEN_FOUND)
  set(HWOCR_DOCS_DIR ${PROJECT_BINARY_DIR}/docs)
  file(WRITE ${HWOCR_DOCS_DIR}/Doxyfile.build
    "@INCLUDE = ${PROJECT_SOURCE_DIR}/docs/Doxyfile\n"
    "PROJECT_NUMBER = ${PROJECT_VERSION}\n"
    "OUTPUT_DIRECTORY = ${HWOCR_DOCS_DIR}\n"
    )
  add_custom_target(docs
    COMMAND ${DOXYGEN_EXECUTABLE} ${HWOCR_DOCS_DIR}/Doxyfile.build
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
    COMMENT "API reference: ${HWOCR_DOCS_DIR}/html/index.html"
    VERBATIM)
elseif(HWOCR_TOP_LEVEL)
  message(STATUS "hwocr: Doxygen not found: no target docs (Debian: apt-get install doxygen)")
endif()
