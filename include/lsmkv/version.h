// The lsmkv release this header belongs to. CMakeLists.txt reads the
// project version from these three lines, so they are the one place a
// release number is changed. Compatibility promises per version:
// docs/compatibility.md.
#ifndef LSMKV_VERSION_H_
#define LSMKV_VERSION_H_

#include "lsmkv/export.h"

#define LSMKV_VERSION_MAJOR 0
#define LSMKV_VERSION_MINOR 1
#define LSMKV_VERSION_PATCH 0

// One number for #if comparisons: LSMKV_VERSION >= LSMKV_MAKE_VERSION(0, 2, 0).
#define LSMKV_MAKE_VERSION(major, minor, patch) ((major) * 10000 + (minor) * 100 + (patch))
#define LSMKV_VERSION \
  LSMKV_MAKE_VERSION(LSMKV_VERSION_MAJOR, LSMKV_VERSION_MINOR, LSMKV_VERSION_PATCH)

#ifdef __cplusplus
namespace lsmkv {

// "MAJOR.MINOR.PATCH" of the library actually linked, which differs from
// the macros above when a program runs against another shared library than
// the one it was compiled with.
LSMKV_EXPORT const char* Version();

}  // namespace lsmkv
#endif

#endif  // LSMKV_VERSION_H_
