#!/usr/bin/env bash
# Configures and builds into build/<name> (default build/release).
# Usage: build.sh [release|asan]
set -euo pipefail
cd "$(dirname "$0")/../.."
kind=${1:-release}
case "$kind" in
  release) flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DOW_SANITIZE=OFF) ;;
  asan) flags=(-DCMAKE_BUILD_TYPE=Debug -DOW_SANITIZE=ON) ;;
  *) echo "unknown build kind $kind (release|asan)" >&2; exit 2 ;;
esac
dir=build/$kind
if [ ! -f "$dir/build.ninja" ]; then
  cmake -S . -B "$dir" -G Ninja "${flags[@]}" >/dev/null
fi
# Two cores: ninja's default of cores+2 jobs is right, but keep memory sane.
ninja -C "$dir" ${OW_BUILD_TARGETS:-}
