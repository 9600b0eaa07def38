#!/usr/bin/env bash
# Renders the production overlay the way an operator would (with a generated
# secrets.env, in a scratch copy of k8s/) and validates every object offline
# against the Kubernetes and Prometheus Operator schemas and our rules
# (validate_k8s.mjs).
source "$(dirname "$0")/lib.sh"
need_node_packages
cp -r "$root/k8s" "$scratch/k8s"
rm -f "$scratch/k8s/overlays/production/secrets.env"
"$scratch/k8s/make-secrets.sh" "$scratch/k8s/overlays/production" 2>/dev/null
kustomize_build "$scratch/k8s/overlays/production" >"$scratch/production.yaml"
node "$ops/validate_k8s.mjs" "$scratch/production.yaml"
