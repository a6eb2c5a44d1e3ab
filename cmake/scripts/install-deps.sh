#!/usr/bin/env bash
# Installs the packages lsmkv builds with, on Debian 12 (bookworm) and
# Ubuntu 22.04 (jammy) / 24.04 (noble). Idempotent: packages already
# installed are skipped, and apt-get runs only when something is missing.
# Needs root (or sudo).
#
#   cmake/scripts/install-deps.sh [--bench] [--plot]
#     --bench: LevelDB and RocksDB, which the benchmark compares against
#     --plot:  python3-matplotlib, for bench/plot.py's charts
#
# Elsewhere (no apt-get) it prints what to install and exits 0; CMake then
# says what it could not find. What lsmkv needs, by part:
#   library:        a C++17 compiler (GCC >= 9 or Clang >= 10), CMake >= 3.22,
#                   pkg-config, xxHash (headers), zstd
#   tests:          Catch2 2.x (not 3.x), curl; a C compiler for the C API test
#   micro benchmarks: Google Benchmark
#   HTTP server:    cpp-httplib, nlohmann-json
#   cluster mode:   etcd (the server's leader election; the cluster tests and
#                   examples/cluster/run-local.sh start one), python3 (its tests)
#   Python module:  pybind11 >= 2.6, the Python 3 headers (>= 3.8)
#   bench --engine=leveldb/rocksdb: LevelDB, RocksDB; bench/plot.py: matplotlib
set -euo pipefail

bench=0
plot=0
for arg in "$@"; do
  case "$arg" in
    --bench) bench=1 ;;
    --plot) plot=1 ;;
    *) echo "usage: cmake/scripts/install-deps.sh [--bench] [--plot]" >&2; exit 2 ;;
  esac
done

# The same package names on Debian 12, Ubuntu 22.04 and Ubuntu 24.04.
# The library (codecs: zstd, LZ4), tests and micro benchmarks; the HTTP server example
# (cpp-httplib, nlohmann-json) and curl, which its tests drive it with; the
# Python module (pybind11, the Python headers; python3-dev, not only
# python3, because the module is compiled against Python.h).
packages=(cmake g++ gcc make pkg-config libxxhash-dev libzstd-dev liblz4-dev libbenchmark-dev
          libcpp-httplib-dev nlohmann-json3-dev curl pybind11-dev python3-dev etcd-server)
# etcd-server: the server's cluster mode elects and fences its leader through
# etcd (docs/cluster.md); tests/cluster and examples/cluster/run-local.sh
# start one.
# python3 (with python3-dev) also checks the server's /metrics exposition
# (tests/kvserver) and runs the Python module's tests.
[[ $bench -eq 1 ]] && packages+=(libleveldb-dev librocksdb-dev)
[[ $plot -eq 1 ]] && packages+=(python3-matplotlib)

if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
  cat >&2 <<'MSG'
install-deps.sh: no apt-get here, so nothing was installed. Install these with
your system's package manager (names vary), then configure with CMake:
  C++17 compiler (GCC >= 9 or Clang >= 10), C compiler, CMake >= 3.22, pkg-config,
  xxHash, zstd, LZ4, Catch2 2.x (tests; 3.x is not supported), Google Benchmark,
  cpp-httplib, nlohmann-json, curl, pybind11, Python 3 headers, etcd (cluster mode)
  (--bench: LevelDB, RocksDB; --plot: matplotlib)
Without Catch2 2.x configure with -DLSMKV_BUILD_TESTS=OFF; without
cpp-httplib/nlohmann-json the HTTP server is skipped.
MSG
  exit 0
fi

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
missing=()
for p in "${packages[@]}"; do
  installed "$p" || missing+=("$p")
done
# Catch2: Debian 12 and Ubuntu 22.04 package 2.x as "catch2"; Ubuntu 24.04
# packages 3.x under the same name, which the tests cannot use. Decided
# after apt-get update, from the version apt would install.
catch2_advice() {
  echo "install-deps.sh: Catch2 $1 here; the tests need Catch2 2.x." >&2
  echo "  Install Catch2 2.x from source (its v2.x branch, cmake --install), or configure with" >&2
  echo "  -DLSMKV_BUILD_TESTS=OFF to build the library, tools, C API and Python module only." >&2
}
need_catch2=0
if installed catch2; then
  installed_catch2="$(dpkg-query -W -f='${Version}' catch2)"
  [[ "$installed_catch2" == 2.* ]] || catch2_advice "$installed_catch2 is installed"
else
  need_catch2=1
fi
[[ ${#missing[@]} -eq 0 && $need_catch2 -eq 0 ]] && exit 0

sudo=""
[[ $(id -u) -ne 0 ]] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
if [[ $need_catch2 -eq 1 ]]; then
  catch2_version="$(apt-cache policy catch2 | sed -n 's/^ *Candidate: //p')"
  if [[ "$catch2_version" == 2.* ]]; then
    missing+=(catch2)
  else
    catch2_advice "'${catch2_version:-none}' is what apt offers"
  fi
fi
[[ ${#missing[@]} -eq 0 ]] && exit 0
echo "installing: ${missing[*]}"
$sudo apt-get install -y -qq "${missing[@]}"
