# Sourced by the ops checks: the repository root, helpers, and a scratch
# directory removed on exit.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ops=$root/tests/ops
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

need() {
  command -v "$1" >/dev/null || { echo "$1 not found; $2" >&2; exit 1; }
}

# The npm packages of tests/ops/package.json, installed by
# deploy/scripts/install-deps.sh into tests/ops/node_modules.
need_node_packages() {
  need node "install Node.js (deploy/scripts/install-deps.sh does)"
  if [ ! -d "$ops/node_modules/kubernetes-models" ]; then
    echo "tests/ops/node_modules is missing; run deploy/scripts/install-deps.sh" >&2
    exit 1
  fi
}

# kustomize build, offline: the kustomize binary if there is one, else the
# one built into kubectl.
kustomize_build() {
  if command -v kustomize >/dev/null; then
    kustomize build "$1"
  elif command -v kubectl >/dev/null; then
    kubectl kustomize "$1"
  else
    echo "neither kustomize nor kubectl is installed; one is needed to render k8s/" >&2
    exit 1
  fi
}
