// Symbol visibility for the public API, usable from C and C++. The library
// is compiled with hidden visibility; only declarations marked LSMKV_EXPORT
// are visible from a shared build. Static builds need no marking.
//
// Override hook: a project that embeds lsmkv differently (e.g. compiles the
// sources into its own shared library and wants them exported, or wants no
// attribute at all) defines LSMKV_EXPORT itself before including any lsmkv
// header, or on the compiler command line (-DLSMKV_EXPORT=...).
#ifndef LSMKV_EXPORT_H_
#define LSMKV_EXPORT_H_

#ifndef LSMKV_EXPORT
#if defined(LSMKV_SHARED_LIBRARY) && defined(LSMKV_COMPILE_LIBRARY)
#ifdef __cplusplus
// The standard attribute syntax, so it may follow [[nodiscard]] in
// `class [[nodiscard]] LSMKV_EXPORT Status`.
#define LSMKV_EXPORT [[gnu::visibility("default")]]
#else
#define LSMKV_EXPORT __attribute__((visibility("default")))
#endif
#else
#define LSMKV_EXPORT
#endif
#endif  // LSMKV_EXPORT

#endif  // LSMKV_EXPORT_H_
