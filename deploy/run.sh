#!/usr/bin/env bash
# Runs the whole OneWindow stack on loopback with demo data until Ctrl-C:
# Redis, the six backends, the gateway and Prometheus. Data and logs live
# under var/.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

deploy/scripts/install-deps.sh
deploy/scripts/build.sh release
bin=$root/build/release

var=${OW_VAR_DIR:-$root/var}
mkdir -p "$var/data" "$var/redis" "$var/logs" "$var/secrets"
chmod 700 "$var/secrets"
keys_file=$var/secrets/principal_keys
if [ ! -s "$keys_file" ]; then
  (umask 077 && printf 'k%s:%s\n' "$(date +%Y%m%d)" "$(head -c 32 /dev/urandom | base64 -w0)" >"$keys_file")
fi
OW_PRINCIPAL_KEYS=$(cat "$keys_file")
export OW_PRINCIPAL_KEYS
admin_file=$var/secrets/admin_password
if [ ! -s "$admin_file" ]; then
  (umask 077 && printf 'Admin-%s\n' "$(head -c 12 /dev/urandom | base64 -w0 | tr '+/' '-_')" >"$admin_file")
fi
OW_BOOTSTRAP_ADMIN_PASSWORD=$(cat "$admin_file")
export OW_BOOTSTRAP_ADMIN_PASSWORD
export OW_DATA_DIR=$var/data

pids=()
stop_all() {
  trap - EXIT INT TERM
  echo
  echo "stopping..."
  # Gateway first (last started), Redis last.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill -TERM "${pids[$i]}" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  echo "stopped"
}
trap stop_all EXIT
trap 'stop_all; exit 130' INT TERM

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for port in 6379 8080 9090 9100 9101 9102 9103 9104 9105 9110 50050 50051 50052 50053 50054 50055; do
  if port_busy "$port"; then
    echo "port $port on 127.0.0.1 is already in use; stop what holds it first" >&2
    exit 1
  fi
done

redis-server --bind 127.0.0.1 --port 6379 --protected-mode yes --dir "$var/redis" \
  --appendonly yes --appendfsync everysec --save "" --daemonize no >"$var/logs/redis.log" 2>&1 &
pids+=($!)

for svc in identity catalog intake approval notification complaint; do
  "$bin/services/$svc/$svc" >>"$var/logs/$svc.log" 2>&1 &
  pids+=($!)
done
"$bin/services/gateway/gateway" >>"$var/logs/gateway.log" 2>&1 &
pids+=($!)

# Prometheus scraping all seven processes on the default ports above
# (deploy/prometheus/prometheus.yml) with OneWindow's rules and alerts.
prometheus --config.file=deploy/prometheus/prometheus.yml --storage.tsdb.path="$var/prometheus" \
  --storage.tsdb.retention.time=7d --web.listen-address=127.0.0.1:9090 >"$var/logs/prometheus.log" 2>&1 &
pids+=($!)

ready=0
for _ in $(seq 1 100); do
  if curl -fs http://127.0.0.1:8080/readyz >/dev/null 2>&1; then ready=1; break; fi
  sleep 0.2
done
if [ $ready != 1 ]; then
  echo "the stack did not become ready; /readyz says:" >&2
  curl -s http://127.0.0.1:8080/readyz >&2 || true
  echo >&2; echo "logs are in $var/logs" >&2
  exit 1
fi

# The demo catalog: the hand-written regions plus a synthetic Guangdong-shaped
# province (bodies at every level, items with full guides), generated and
# loaded once per data directory: importing again would publish every
# implementation as a new revision.
demo=$var/demo-catalog
if [ ! -e "$var/data/demo-catalog.loaded" ]; then
  echo "loading the demo catalog (${OW_DEMO_IMPLEMENTATIONS:-20000} implementations)..."
  { "$bin/tools/catalog_gen/catalog_gen" --out="$demo" \
      --implementations="${OW_DEMO_IMPLEMENTATIONS:-20000}" &&
    "$bin/tools/catalog_import/catalog_import" --regions=deploy/demo/regions.jsonl --dir="$demo"
  } >"$var/logs/demo-import.log" 2>&1 ||
    { echo "loading demo data failed, see $var/logs/demo-import.log" >&2; exit 1; }
  touch "$var/data/demo-catalog.loaded"
fi

cat <<MSG

OneWindow is running (Ctrl-C stops everything).
  HTTP API      http://127.0.0.1:8080/api/v1/regions/440000000000/children
  OpenAPI       http://127.0.0.1:8080/api/openapi.json
  health        http://127.0.0.1:8080/healthz   readiness http://127.0.0.1:8080/readyz
  metrics       gateway :9100  identity :9110  catalog :9101  intake :9102
                approval :9103  notification :9104  complaint :9105   (/metrics)
  gRPC          identity :50050 catalog :50051 intake :50052 approval :50053
                notification :50054 complaint :50055
  Redis         127.0.0.1:6379 (append-only, $var/redis)
  Prometheus    http://127.0.0.1:9090  (targets /targets, alerts /alerts; data $var/prometheus)
  admin         user "admin", password in $var/secrets/admin_password
  operator tool OW_PRINCIPAL_KEYS=\$(cat $var/secrets/principal_keys) $bin/tools/ow_admin/ow_admin --help
  data, logs    $var/data, $var/logs
MSG

# Stay up even if one process dies (killing a backend to watch /readyz turn
# 503 is a normal thing to try); Ctrl-C stops everything.
while [ -n "$(jobs -pr)" ]; do wait -n || true; done
echo "every process has exited; see $var/logs" >&2
