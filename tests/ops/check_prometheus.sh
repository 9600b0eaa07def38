#!/usr/bin/env bash
# promtool checks of deploy/prometheus. Usage: check_prometheus.sh config|rules|tests
#   config  the local, compose and Kubernetes scrape configurations (the last
#           through prometheus_k8s_config.mjs when promtool lacks Kubernetes
#           discovery, as Debian's does)
#   rules   the recording and alert rules
#   tests   the rule unit tests in deploy/prometheus/tests
source "$(dirname "$0")/lib.sh"
need promtool "install Debian's prometheus package (deploy/scripts/install-deps.sh does)"
prom=$root/deploy/prometheus
case "${1:-}" in
  config)
    promtool check config "$prom/prometheus.yml"
    promtool check config "$prom/prometheus-compose.yml"
    if ! promtool check config "$prom/prometheus-kubernetes.yml" >"$scratch/out" 2>&1; then
      if ! grep -q "field kubernetes_sd_configs not found" "$scratch/out"; then
        cat "$scratch/out" >&2
        exit 1
      fi
      echo "this promtool has no Kubernetes discovery; checking kubernetes_sd_configs separately"
      need_node_packages
      node "$ops/prometheus_k8s_config.mjs" "$prom/prometheus-kubernetes.yml" "$scratch/k8s.yml"
      promtool check config "$scratch/k8s.yml"
    else
      cat "$scratch/out"
    fi
    ;;
  rules) promtool check rules "$prom"/rules/*.yml ;;
  tests) promtool test rules "$prom"/tests/*.yml ;;
  *) echo "usage: $0 config|rules|tests" >&2; exit 2 ;;
esac
