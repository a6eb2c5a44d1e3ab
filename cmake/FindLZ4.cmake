# Finds the LZ4 block codec library (Debian: liblz4-dev), which ships only a
# pkg-config file (liblz4.pc), no CMake package. Defines LZ4_FOUND,
# LZ4_VERSION and the imported target LZ4::lz4 (header lz4.h + the library).
#
# Installed next to lsmkvConfig.cmake too: a static lsmkv links LZ4 into its
# consumers, so the package config finds it again with this module.
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(PC_LZ4 QUIET liblz4)
endif()
find_path(LZ4_INCLUDE_DIR NAMES lz4.h HINTS ${PC_LZ4_INCLUDE_DIRS})
find_library(LZ4_LIBRARY NAMES lz4 HINTS ${PC_LZ4_LIBRARY_DIRS})
set(LZ4_VERSION ${PC_LZ4_VERSION})
if(NOT LZ4_VERSION AND LZ4_INCLUDE_DIR AND EXISTS "${LZ4_INCLUDE_DIR}/lz4.h")
  # Without pkg-config: read the version from the header.
  file(STRINGS "${LZ4_INCLUDE_DIR}/lz4.h" lz4_version_lines
       REGEX "^#define LZ4_VERSION_(MAJOR|MINOR|RELEASE) +[0-9]+")
  foreach(part MAJOR MINOR RELEASE)
    string(REGEX REPLACE ".*LZ4_VERSION_${part} +([0-9]+).*" "\\1" lz4_${part} "${lz4_version_lines}")
  endforeach()
  set(LZ4_VERSION "${lz4_MAJOR}.${lz4_MINOR}.${lz4_RELEASE}")
endif()

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(LZ4 REQUIRED_VARS LZ4_LIBRARY LZ4_INCLUDE_DIR VERSION_VAR LZ4_VERSION)

if(LZ4_FOUND AND NOT TARGET LZ4::lz4)
  add_library(LZ4::lz4 UNKNOWN IMPORTED)
  set_target_properties(LZ4::lz4 PROPERTIES
    IMPORTED_LOCATION "${LZ4_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${LZ4_INCLUDE_DIR}")
endif()
mark_as_advanced(LZ4_INCLUDE_DIR LZ4_LIBRARY)
