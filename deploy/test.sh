#!/usr/bin/env bash
# Builds and runs every test (unit and integration) of OneWindow.
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/scripts/install-deps.sh
deploy/scripts/build.sh "${OW_TEST_BUILD:-release}"
cd "build/${OW_TEST_BUILD:-release}"
ctest --output-on-failure -j2 --timeout 300 "$@"
