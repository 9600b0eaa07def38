#!/usr/bin/env bash
# Gathers what one OneWindow binary needs at run time, for the image's run
# stage: the binary (stripped) in OUT/bin, the project's own shared libraries
# it links (libow_proto.so, ...) in OUT/lib, and in OUT/packages the Debian
# packages that own every other library it links.
# Usage: collect-runtime.sh BINARY OUT
set -euo pipefail
binary=$1
out=$2
mkdir -p "$out/bin" "$out/lib"
install -m 0755 "$binary" "$out/bin/"
strip --strip-unneeded "$out/bin/$(basename "$binary")"

owner() {
  # dpkg knows a library by the path its package installed, which with
  # merged /usr may differ from the one the loader reports.
  local lib=$1 real
  real=$(readlink -f "$lib")
  for path in "$lib" "$real" "${lib#/usr}" "${real#/usr}" "/usr$lib" "/usr$real"; do
    dpkg -S "$path" 2>/dev/null | head -1 | cut -d: -f1 && return 0
  done
  return 1
}

: >"$out/packages.unsorted"
ldd "$binary" >"$out/ldd.txt"
if grep -q "not found" "$out/ldd.txt"; then
  echo "unresolved libraries:" >&2
  grep "not found" "$out/ldd.txt" >&2
  exit 1
fi
awk '/=> \//{print $3}' "$out/ldd.txt" | while read -r lib; do
  if package=$(owner "$lib"); then
    echo "$package" >>"$out/packages.unsorted"
  else
    # Not from a package: one of ours, built beside the binary.
    install -m 0644 "$(readlink -f "$lib")" "$out/lib/$(basename "$lib")"
    strip --strip-unneeded "$out/lib/$(basename "$lib")"
  fi
done
sort -u "$out/packages.unsorted" >"$out/packages"
rm -f "$out/packages.unsorted" "$out/ldd.txt"
