# lsmkv_set_warnings(target): the warning set every project target builds with.
function(lsmkv_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra)
  if(LSMKV_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(LSMKV_SANITIZE AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # GCC 12's sanitizer instrumentation yields false maybe-uninitialized
    # warnings inside libstdc++ (std::regex, used by Catch2).
    target_compile_options(${target} PRIVATE -Wno-maybe-uninitialized)
  endif()
  if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    target_compile_options(${target} PRIVATE -Wthread-safety)
  endif()
endfunction()
