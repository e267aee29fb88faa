# CPack: `cpack -G DEB` in a build directory makes hwocr_<version>_<arch>.deb.
# Meant for a shared build (-DBUILD_SHARED_LIBS=ON): the package then holds
# libhwocr.so.*, the headers, the CMake package and hwocr.pc, the tools
# (hwocr-emulator, hwocr) and the demo, installed under /usr. Every install
# component goes into the one package.
set(CPACK_PACKAGE_NAME hwocr)
set(CPACK_PACKAGE_VENDOR "hwocr")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_DESCRIPTION
  "hwocr is a C++17 client for Huawei Cloud OCR: all 52 OCR APIs as typed calls with typed results, \
AK/SK request signing or an IAM token, retries, and no secrets in logs. The package holds the library, \
its headers, CMake package and pkg-config file, hwocr-emulator (an offline emulator of the service) \
and the ID-card demo (hwocr-idcard-demo).")
set(CPACK_RESOURCE_FILE_LICENSE "${PROJECT_SOURCE_DIR}/LICENSE")
set(CPACK_PACKAGE_CONTACT "hwocr maintainers <maintainers@users.noreply.r-seed-180b36e4.example>"
    CACHE STRING "Maintainer of the Debian package (name <email>)")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # hwocr_0.1.0_amd64.deb
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${CPACK_PACKAGE_CONTACT}")
set(CPACK_DEBIAN_PACKAGE_SECTION libs)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://support.huaweicloud.com/intl/en-us/ocr/")
# The run-time dependencies from the binaries themselves when dpkg-shlibdeps
# (package dpkg-dev) is there, else Debian 12's names written out.
find_program(HWOCR_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(HWOCR_DPKG_SHLIBDEPS)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "libc6, libstdc++6, libgcc-s1, libcurl4, libssl3, libcpp-httplib0.11")
endif()
# Building against it (headers, find_package, pkg-config) needs these too.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "nlohmann-json3-dev, libcurl4-openssl-dev, libssl-dev")

set(CPACK_GENERATOR TGZ)  # cpack with no -G; the Debian package is -G DEB
set(CPACK_SOURCE_GENERATOR TGZ)
set(CPACK_SOURCE_IGNORE_FILES "/\\\\.git/" "/build[^/]*/" "/_install[^/]*/")
include(CPack)
