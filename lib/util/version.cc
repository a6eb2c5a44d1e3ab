#include "lsmkv/version.h"

namespace lsmkv {

namespace {
#define LSMKV_STRINGIFY_INNER(x) #x
#define LSMKV_STRINGIFY(x) LSMKV_STRINGIFY_INNER(x)
constexpr char kVersion[] = LSMKV_STRINGIFY(LSMKV_VERSION_MAJOR) "." LSMKV_STRINGIFY(
    LSMKV_VERSION_MINOR) "." LSMKV_STRINGIFY(LSMKV_VERSION_PATCH);
}  // namespace

const char* Version() { return kVersion; }

}  // namespace lsmkv
