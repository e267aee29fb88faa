# Writes ${PROJECT_BINARY_DIR}/hwocr.pc from cmake/hwocr.pc.in.
#
# The prefix is ${pcfiledir} and the way up from ${CMAKE_INSTALL_LIBDIR}/pkgconfig,
# so the file stays right wherever the tree is installed (--prefix at install
# time, DESTDIR, a moved tree, the Debian package's /usr).
#
# Public: nlohmann_json (<hwocr/json.h> includes <nlohmann/json_fwd.hpp>).
# A shared libhwocr carries its own dependencies, so the file names no more.
# A static libhwocr needs, with --static: libcrypto (OpenSSL), libcurl and the
# thread library. libcurl is named in Libs.private as -lcurl, not in
# Requires.private: `pkg-config --static libcurl` lists libcurl's own private
# dependencies (nghttp2, ssh2, ldap, ...), whose -dev packages Debian's
# libcurl4-openssl-dev does not bring, so linking would fail; libhwocr.a is
# linked against the shared libcurl, as find_package(hwocr) links it.
set(_hwocr_pc_dir "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(HWOCR_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
  set(HWOCR_PC_LIBDIR "${CMAKE_INSTALL_LIBDIR}")
else()
  file(RELATIVE_PATH _hwocr_pc_up "/hwocr-prefix/${_hwocr_pc_dir}" "/hwocr-prefix")
  string(REGEX REPLACE "/$" "" _hwocr_pc_up "${_hwocr_pc_up}")
  set(HWOCR_PC_PREFIX "\${pcfiledir}/${_hwocr_pc_up}")
  set(HWOCR_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
endif()
if(IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(HWOCR_PC_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}")
else()
  set(HWOCR_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
if(BUILD_SHARED_LIBS)
  set(HWOCR_PC_KIND shared)
  set(HWOCR_PC_STATIC_FLAG "")
  set(HWOCR_PC_PRIVATE "")
else()
  set(HWOCR_PC_KIND static)
  set(HWOCR_PC_STATIC_FLAG " --static")
  set(HWOCR_PC_PRIVATE "Requires.private: libcrypto\nLibs.private: -lcurl -pthread\n")
endif()
configure_file(${CMAKE_CURRENT_LIST_DIR}/hwocr.pc.in ${PROJECT_BINARY_DIR}/hwocr.pc @ONLY)
unset(_hwocr_pc_dir)
unset(_hwocr_pc_up)
