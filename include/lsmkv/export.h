// Symbol visibility for the public API. The library is compiled with hidden
// visibility; only declarations marked LSMKV_EXPORT are visible from a shared
// build. Static builds need no marking.
#ifndef LSMKV_EXPORT_H_
#define LSMKV_EXPORT_H_

#if defined(LSMKV_SHARED_LIBRARY) && defined(LSMKV_COMPILE_LIBRARY)
#define LSMKV_EXPORT [[gnu::visibility("default")]]
#else
#define LSMKV_EXPORT
#endif

#endif  // LSMKV_EXPORT_H_
