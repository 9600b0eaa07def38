#!/usr/bin/env bash
# k8s/ carries copies of files kept elsewhere (kustomize reads nothing outside
# its directory): the PrometheusRule objects must equal deploy/prometheus/rules
# and the holiday calendars deploy/calendar.
source "$(dirname "$0")/lib.sh"
need_node_packages
node "$ops/sync_prometheus_rules.mjs" --check
status=0
for f in "$root"/deploy/calendar/*.txt; do
  copy=$root/k8s/base/calendar/$(basename "$f")
  if ! cmp -s "$f" "$copy"; then
    echo "k8s/base/calendar/$(basename "$f") differs from deploy/calendar (or is missing): copy it" >&2
    status=1
  fi
done
for f in "$root"/k8s/base/calendar/*.txt; do
  if [ ! -e "$root/deploy/calendar/$(basename "$f")" ]; then
    echo "k8s/base/calendar/$(basename "$f") has no original in deploy/calendar" >&2
    status=1
  fi
done
if ! grep -qF "calendar/$(basename "$(ls "$root"/deploy/calendar/*.txt | tail -1)")" "$root/k8s/base/kustomization.yaml"; then
  echo "k8s/base/kustomization.yaml does not list the newest calendar file" >&2
  status=1
fi
[ $status = 0 ] && echo "k8s copies match deploy/prometheus/rules and deploy/calendar"
exit $status
