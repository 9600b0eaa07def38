#!/usr/bin/env bash
# Every service binary loads jemalloc (root CMakeLists.txt, ow_allocator):
# a service built without it runs, only slower, so nothing else would notice.
# Usage: check_allocator.sh BUILD_DIR
set -euo pipefail
build=$1
status=0
for service in gateway identity catalog intake approval notification complaint; do
  binary=$build/services/$service/$service
  if [ ! -x "$binary" ]; then
    echo "$binary: missing (build it first)" >&2
    status=1
  # Not `readelf | grep -q`: grep's early exit would fail readelf with
  # SIGPIPE, and pipefail would report a linked binary as unlinked.
  elif [[ "$(readelf -d "$binary")" != *"Shared library: [libjemalloc.so"* ]]; then
    echo "$service: does not link jemalloc; link ow_allocator to it" >&2
    status=1
  fi
done
exit $status
