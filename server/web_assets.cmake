# SPDX-License-Identifier: MIT
# Included from server/CMakeLists.txt after tbscope_server_core exists.
#
# The dashboard's files, embedded into the binary (see embed_assets.cmake)
# so a deployed server does not depend on the source tree: our own web/
# files, the one Chart.js file the pages load, and templates/.  Each web/
# file is embedded in gzip and brotli as well (tbscope_precompress, built
# here and run at build time), so that serving it compressed costs nothing.
set(TBSCOPE_WEB_DIR ${PROJECT_SOURCE_DIR}/web)
set(TBSCOPE_CHARTJS ${TBSCOPE_WEB_DIR}/node_modules/chart.js/dist/chart.umd.js)
if(NOT EXISTS ${TBSCOPE_CHARTJS})
  message(FATAL_ERROR
    "${TBSCOPE_CHARTJS} is missing: run deploy/setup.sh "
    "(or 'npm ci' in web/) to install the pinned Chart.js.")
endif()
file(GLOB TBSCOPE_WEB_FILES CONFIGURE_DEPENDS
  ${TBSCOPE_WEB_DIR}/*.js ${TBSCOPE_WEB_DIR}/*.css ${TBSCOPE_WEB_DIR}/*.svg)
file(GLOB TBSCOPE_TEMPLATES CONFIGURE_DEPENDS
  ${PROJECT_SOURCE_DIR}/templates/*.html ${PROJECT_SOURCE_DIR}/templates/*.txt)

add_executable(tbscope_precompress precompress.c encoding.c)
target_link_libraries(tbscope_precompress PRIVATE tbscope_analysis
  PkgConfig::ZLIB PkgConfig::BROTLIENC tbscope_warnings)

set(manifest "")
set(precompressed "")
set(packed ${CMAKE_CURRENT_BINARY_DIR}/web_packed)
foreach(f ${TBSCOPE_WEB_FILES} ${TBSCOPE_CHARTJS})
  get_filename_component(name ${f} NAME)
  add_custom_command(
    OUTPUT ${packed}/${name}.gz ${packed}/${name}.br
    COMMAND ${CMAKE_COMMAND} -E make_directory ${packed}
    COMMAND tbscope_precompress ${f} ${packed}/${name}.gz ${packed}/${name}.br
    DEPENDS tbscope_precompress ${f}
    VERBATIM)
  list(APPEND precompressed ${packed}/${name}.gz ${packed}/${name}.br)
  string(APPEND manifest "${name}|${f}|${packed}/${name}.gz|${packed}/${name}.br\n")
endforeach()
foreach(f ${TBSCOPE_TEMPLATES})
  get_filename_component(name ${f} NAME)
  string(APPEND manifest "templates/${name}|${f}||\n")
endforeach()
file(CONFIGURE OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/web_assets.manifest
  CONTENT "${manifest}")
add_custom_command(
  OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/web_assets.c
  COMMAND ${CMAKE_COMMAND}
          -DMANIFEST=${CMAKE_CURRENT_BINARY_DIR}/web_assets.manifest
          -DOUT=${CMAKE_CURRENT_BINARY_DIR}/web_assets.c
          -P ${CMAKE_CURRENT_SOURCE_DIR}/embed_assets.cmake
  DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/embed_assets.cmake
          ${CMAKE_CURRENT_BINARY_DIR}/web_assets.manifest
          ${TBSCOPE_WEB_FILES} ${TBSCOPE_CHARTJS} ${TBSCOPE_TEMPLATES}
          ${precompressed}
  COMMENT "Embedding web/ and templates/"
  VERBATIM)
target_sources(tbscope_server_core PRIVATE
  ${CMAKE_CURRENT_BINARY_DIR}/web_assets.c)
