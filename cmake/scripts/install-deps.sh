#!/usr/bin/env bash
# Installs the Debian 12 packages lsmkv builds with. Idempotent: packages
# already installed are skipped, and apt-get runs only when something is
# missing. Needs root (or sudo).
#
#   cmake/scripts/install-deps.sh [--bench]   (--bench adds LevelDB/RocksDB)
set -euo pipefail

# The library (codecs: zstd, LZ4), its tests and benchmarks; the HTTP server
# example (cpp-httplib, nlohmann-json) and curl, which its tests drive it
# with; nlohmann-json also parses lsmkv.stats.json in the unit tests, and
# python3 checks the server's /metrics exposition (tests/kvserver).
packages=(cmake g++ make pkg-config libxxhash-dev libzstd-dev liblz4-dev catch2 libbenchmark-dev
          libcpp-httplib-dev nlohmann-json3-dev curl python3)
if [[ "${1:-}" == "--bench" ]]; then
  packages+=(libleveldb-dev librocksdb-dev)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

sudo=""
[[ $(id -u) -ne 0 ]] && sudo="sudo"
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq "${missing[@]}"
