# Finds the xxHash header (Debian: libxxhash-dev), which ships only a
# pkg-config file. lsmkv compiles xxHash inline (XXH_INLINE_ALL), so only the
# header is needed. Defines the imported target xxHash::xxhash (headers only).
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(PC_xxHash QUIET libxxhash)
endif()
find_path(xxHash_INCLUDE_DIR NAMES xxhash.h HINTS ${PC_xxHash_INCLUDE_DIRS})
set(xxHash_VERSION ${PC_xxHash_VERSION})

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(xxHash REQUIRED_VARS xxHash_INCLUDE_DIR VERSION_VAR xxHash_VERSION)

if(xxHash_FOUND AND NOT TARGET xxHash::xxhash)
  add_library(xxHash::xxhash INTERFACE IMPORTED)
  set_target_properties(xxHash::xxhash PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${xxHash_INCLUDE_DIR}")
endif()
mark_as_advanced(xxHash_INCLUDE_DIR)
