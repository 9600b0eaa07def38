#!/usr/bin/env bash
# The manifest validator itself: it must reject each defect planted in
# testdata/bad-manifests.yaml, and name it.
source "$(dirname "$0")/lib.sh"
need_node_packages
if node "$ops/validate_k8s.mjs" "$ops/testdata/bad-manifests.yaml" >"$scratch/out" 2>&1; then
  echo "the validator accepted testdata/bad-manifests.yaml" >&2
  exit 1
fi
missing=0
while IFS= read -r expected; do
  if ! grep -qF -- "$expected" "$scratch/out"; then
    echo "not reported: $expected" >&2
    missing=1
  fi
done <<'EXPECTED'
Deployment/onewindow/web: /spec/template/spec/containers/0/livenessProbes: unknown field
Deployment/onewindow/web: /spec/replicas must be integer
Deployment/onewindow/web: container web has no readinessProbe
Deployment/onewindow/web: container web has no limits.memory
Deployment/onewindow/web: container web has no non-zero runAsUser
Deployment/onewindow/web: container web does not drop ALL capabilities
Deployment/onewindow/web: container web image nginx has no pinned tag
Deployment/onewindow/web: env OW_PRINCIPAL_KEYS refers to Secret missing-secret, which is not in namespace onewindow
StatefulSet/onewindow/catalog: livenessProbe of catalog is not a native gRPC probe
StatefulSet/onewindow/catalog: runs more than one replica of a SQLite store
StatefulSet/onewindow/catalog: does not mount a volumeClaimTemplate at OW_DATA_DIR /var/lib/onewindow
StatefulSet/onewindow/catalog: Service catalog is not headless
Service/onewindow/catalog: a backend Service must be headless (clusterIP: None)
Service/onewindow/catalog: has no port named grpc
Service/onewindow/catalog: has a metrics port but no ServiceMonitor selects it
ConfigMap/onewindow/config: OW_CATALOG_ADDR=catalog:50051 is not dns:///<service>.<namespace>.svc.cluster.local:<port>
Foo/onewindow/x: no schema for example.com/v1 Foo
EXPECTED
if [ $missing != 0 ]; then
  echo "--- validator output:" >&2
  cat "$scratch/out" >&2
  exit 1
fi
echo "the validator rejects every planted defect"
