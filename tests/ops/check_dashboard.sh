#!/usr/bin/env bash
# The Grafana dashboard's structure, every query parsed as PromQL by promtool,
# and every metric the dashboard and the rules read named in the contract.
source "$(dirname "$0")/lib.sh"
need promtool "install Debian's prometheus package (deploy/scripts/install-deps.sh does)"
need_node_packages
node "$ops/check_dashboard.mjs" "$root" "$scratch/queries.yml"
promtool check rules "$scratch/queries.yml"
