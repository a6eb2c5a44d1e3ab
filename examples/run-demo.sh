#!/usr/bin/env bash
# The README's first command: installs what is needed, builds the demo and
# runs it on a database directory (default ./lsmkv-demo-db). Run it twice:
# the second run finds the first run's data.
#
#   bash examples/run-demo.sh [DB_DIR]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
db="${1:-lsmkv-demo-db}"
build="${LSMKV_BUILD_DIR:-$root/build}"

"$root/cmake/scripts/install-deps.sh"
# Configured once; later builds re-run CMake by themselves when needed.
[[ -f "$build/CMakeCache.txt" ]] || cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" --target lsmkv_demo -j "$(nproc)"
"$build/examples/lsmkv_demo" "$db"
