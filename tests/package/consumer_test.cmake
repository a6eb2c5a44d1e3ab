# Builds lsmkv (static or shared), installs it into a temporary prefix, then
# builds and runs a consumer through find_package(lsmkv) and through
# pkg-config, the C API test program (tests/c/c_test*.c, compiled as C) through
# pkg-config, and a user's DB subclass (tests/api/mock_db.h) against the
# installed headers. For the shared library, also checks that only the
# public API is exported.
#
#   cmake -DSOURCE_DIR=... -DWORK_DIR=... -DKIND=static|shared -DCXX=... -DCC=... -P consumer_test.cmake
cmake_minimum_required(VERSION 3.22)

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  set(LAST_OUTPUT "${out}" PARENT_SCOPE)
endfunction()

if(KIND STREQUAL "shared")
  set(shared ON)
else()
  set(shared OFF)
endif()
set(prefix ${WORK_DIR}/prefix)
file(REMOVE_RECURSE ${WORK_DIR})

run(${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK_DIR}/lsmkv-build
    -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=${shared}
    -DLSMKV_BUILD_TESTS=OFF -DLSMKV_BUILD_BENCH=OFF -DLSMKV_BUILD_EXAMPLES=OFF
    -DCMAKE_INSTALL_PREFIX=${prefix})
run(${CMAKE_COMMAND} --build ${WORK_DIR}/lsmkv-build -j 2)
run(${CMAKE_COMMAND} --install ${WORK_DIR}/lsmkv-build)

foreach(f include/lsmkv/db.h include/lsmkv/c.h include/lsmkv/version.h lib/cmake/lsmkv/lsmkvConfig.cmake
          lib/cmake/lsmkv/lsmkvConfigVersion.cmake lib/pkgconfig/lsmkv.pc)
  if(NOT EXISTS ${prefix}/${f})
    message(FATAL_ERROR "not installed: ${f}")
  endif()
endforeach()
file(GLOB leaked ${prefix}/include/lsmkv/*xxhash* ${prefix}/include/lsmkv/*zstd*
     ${prefix}/include/lsmkv/*lz4*)
if(leaked)
  message(FATAL_ERROR "third-party headers installed: ${leaked}")
endif()

# 1. find_package
run(${CMAKE_COMMAND} -S ${SOURCE_DIR}/examples/consumer -B ${WORK_DIR}/consumer-build
    -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_PREFIX_PATH=${prefix})
run(${CMAKE_COMMAND} --build ${WORK_DIR}/consumer-build)
run(${WORK_DIR}/consumer-build/consumer ${WORK_DIR}/db1)

# 2. pkg-config
find_program(PKG_CONFIG pkg-config REQUIRED)
set(ENV{PKG_CONFIG_PATH} ${prefix}/lib/pkgconfig)
if(shared)
  run(${PKG_CONFIG} --cflags --libs lsmkv)
else()
  run(${PKG_CONFIG} --static --cflags --libs lsmkv)
endif()
string(STRIP "${LAST_OUTPUT}" pc_flags)
separate_arguments(pc_flags UNIX_COMMAND "${pc_flags}")
run(${CXX} -std=c++17 ${SOURCE_DIR}/examples/consumer/main.cc -o ${WORK_DIR}/consumer-pc
    ${pc_flags} -Wl,-rpath,${prefix}/lib)
run(${WORK_DIR}/consumer-pc ${WORK_DIR}/db2)

# 3. The C API from C, through pkg-config (a static lsmkv brings the C++
#    runtime in through Libs.private).
run(${CC} -std=c99 -pedantic -Wall -Wextra -Werror ${SOURCE_DIR}/tests/c/c_test.c
    ${SOURCE_DIR}/tests/c/c_test_more.c ${SOURCE_DIR}/tests/c/c_test_feed.c
    ${SOURCE_DIR}/tests/c/c_test_support.c
    -o ${WORK_DIR}/c-test ${pc_flags} -Wl,-rpath,${prefix}/lib)
run(${WORK_DIR}/c-test ${WORK_DIR}/c-db)

# 4. A user's DB subclass overriding only the core methods compiles and
#    links against the installed headers and library.
file(WRITE ${WORK_DIR}/mock_main.cc [=[
#include "api/mock_db.h"
int main() {
  mock::MockDB db;
  lsmkv::DB* base = &db;
  if (!base->Put(lsmkv::WriteOptions(), "k", "v").ok()) return 1;
  return base->VerifyChecksums().IsNotSupported() ? 0 : 1;
}
]=])
run(${CXX} -std=c++17 -Wall -Wextra -Werror -I${SOURCE_DIR}/tests ${WORK_DIR}/mock_main.cc
    -o ${WORK_DIR}/mock-db ${pc_flags} -Wl,-rpath,${prefix}/lib)
run(${WORK_DIR}/mock-db)

# 5. Only the public API is exported from the shared library.
if(shared)
  file(GLOB so ${prefix}/lib/liblsmkv.so)
  find_program(NM nm REQUIRED)
  run(${NM} -D -C --defined-only ${so})
  set(symbols "${LAST_OUTPUT}")
  foreach(internal "lsmkv::MemTable" "lsmkv::log::" "lsmkv::DBImpl" "lsmkv::Arena"
                   "lsmkv::crc32c::" "lsmkv::VersionEdit" "XXH")
    string(FIND "${symbols}" "${internal}" pos)
    if(NOT pos EQUAL -1)
      message(FATAL_ERROR "internal symbol exported: ${internal}")
    endif()
  endforeach()
  foreach(public "lsmkv::DB::Open" "lsmkv::DestroyDB" "lsmkv::WriteBatch::Put"
                 "lsmkv::Status::ToString" "lsmkv::Env::Default" "lsmkv::BytewiseComparator"
                 "lsmkv::Version()" "lsmkv::ManagedSnapshot::ManagedSnapshot" "lsmkv_open"
                 "lsmkv_writebatch_iterate" "lsmkv_free")
    string(FIND "${symbols}" "${public}" pos)
    if(pos EQUAL -1)
      message(FATAL_ERROR "public symbol missing: ${public}")
    endif()
  endforeach()
endif()
message(STATUS "package test (${KIND}): ok")
