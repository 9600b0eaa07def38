#!/usr/bin/env bash
# Every metric in deploy/prometheus/metrics.txt (what the rules, alerts and
# dashboard read) is registered somewhere in the C++ sources under the same
# name, so no panel or alert waits on a name nobody exports.
source "$(dirname "$0")/lib.sh"
missing=0
count=0
while read -r name type _; do
  case "$name" in '' | '#'*) continue ;; esac
  count=$((count + 1))
  if ! grep -rqF --include='*.cc' --include='*.h' "\"$name\"" "$root/libs" "$root/services"; then
    echo "not registered in libs/ or services/: $name ($type)" >&2
    missing=$((missing + 1))
  fi
done <"$root/deploy/prometheus/metrics.txt"
if [ $missing != 0 ]; then
  echo "$missing of $count contract metrics are missing" >&2
  exit 1
fi
echo "all $count contract metrics are registered"
