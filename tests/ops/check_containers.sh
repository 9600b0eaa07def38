#!/usr/bin/env bash
# deploy/compose.yaml and deploy/docker/Dockerfile, checked offline
# (check_containers.mjs): Docker itself does not run on this machine.
source "$(dirname "$0")/lib.sh"
need_node_packages
node "$ops/check_containers.mjs" "$root"
