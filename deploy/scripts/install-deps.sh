#!/usr/bin/env bash
# Installs the Debian 12 packages OneWindow builds and runs with, if any are
# missing. Idempotent, non-interactive, silent when nothing is missing.
set -euo pipefail

packages=(
  cmake ninja-build g++ pkg-config
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev libprotoc-dev protobuf-compiler
  libabsl-dev libhiredis-dev prometheus-cpp-dev catch2 libsqlitecpp-dev libsqlite3-dev
  libboost-dev libssl-dev libargon2-dev libjemalloc-dev
  redis-server curl ca-certificates
  prometheus
  chromium
)
# chromium: headless, for the browser tests (tests/browser), driven by Node.js.
# Node.js and npm for the ops tests' validators (tests/ops/package.json); a
# Node.js from elsewhere that brings its own npm will do.
command -v npm >/dev/null || packages+=(nodejs npm)
packages+=("$@")

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing packages: ${missing[*]} (run as root to install them)" >&2
    exit 1
  fi
  echo "installing: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The package starts a system-wide Prometheus on :9090 where the init
  # system lets it; deploy/run.sh and the tests run their own.
  if [[ " ${missing[*]} " == *" prometheus "* ]]; then
    { systemctl disable --now prometheus || invoke-rc.d prometheus stop; } >/dev/null 2>&1 || true
  fi
fi

# npm packages of the ops tests, into tests/ops/node_modules, again whenever
# tests/ops/package-lock.json changes.
ops=$(cd "$(dirname "$0")/../../tests/ops" && pwd)
if ! cmp -s "$ops/package-lock.json" "$ops/node_modules/.installed-package-lock.json"; then
  echo "installing npm packages for tests/ops" >&2
  npm ci --prefix "$ops" --no-audit --no-fund --loglevel=error >/dev/null
  cp "$ops/package-lock.json" "$ops/node_modules/.installed-package-lock.json"
fi
