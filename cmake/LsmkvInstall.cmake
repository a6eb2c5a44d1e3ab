# Installs headers, the library, a CMake package (lsmkvConfig.cmake +
# lsmkvConfigVersion.cmake, targets in namespace lsmkv::) and lsmkv.pc.
include(CMakePackageConfigHelpers)

set(LSMKV_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/lsmkv)

install(DIRECTORY include/lsmkv DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.h")
install(TARGETS lsmkv EXPORT lsmkvTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT lsmkvTargets NAMESPACE lsmkv:: DESTINATION ${LSMKV_CMAKE_DIR})

configure_package_config_file(cmake/lsmkvConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/lsmkvConfig.cmake INSTALL_DESTINATION ${LSMKV_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/lsmkvConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
# FindLZ4.cmake goes along: LZ4 has no CMake package of its own, and a
# static lsmkv's consumers must find it (lsmkvConfig.cmake).
install(FILES
  ${CMAKE_CURRENT_BINARY_DIR}/lsmkvConfig.cmake
  ${CMAKE_CURRENT_BINARY_DIR}/lsmkvConfigVersion.cmake
  cmake/FindLZ4.cmake
  DESTINATION ${LSMKV_CMAKE_DIR})

# What a static archive needs on the consumer's link line; the C++ runtime
# too, for C programs using the C API (a C++ link adds it anyway).
set(LSMKV_PC_LIBS_PRIVATE "-lzstd -llz4 -lpthread -lstdc++ -lm")
configure_file(cmake/lsmkv.pc.in ${CMAKE_CURRENT_BINARY_DIR}/lsmkv.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/lsmkv.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
