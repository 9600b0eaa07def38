#!/usr/bin/env bash
# Writes <overlay>/secrets.env (git-ignored) for kustomize's secretGenerator:
# a fresh principal-token key ring, a bootstrap admin password, the secret
# that signs notification webhooks and the one that signs SMS-gateway
# requests. An
# existing file is left alone: rotate a key by prepending a new
# "kid:base64key," to OW_PRINCIPAL_KEYS yourself.
# Usage: k8s/make-secrets.sh [overlay directory, default k8s/overlays/production]
set -euo pipefail
dir=${1:-"$(dirname "$0")/overlays/production"}
file=$dir/secrets.env
if [ -s "$file" ]; then
  echo "$file exists; leaving it alone" >&2
  exit 0
fi
key="k$(date +%Y%m%d):$(head -c 32 /dev/urandom | base64 -w0)"
password="Admin-$(head -c 12 /dev/urandom | base64 -w0 | tr '+/' '-_')"
webhook_secret=$(head -c 32 /dev/urandom | base64 -w0)
sms_gateway_secret=$(head -c 32 /dev/urandom | base64 -w0)
(
  umask 077
  printf 'OW_PRINCIPAL_KEYS=%s\nOW_BOOTSTRAP_ADMIN_PASSWORD=%s\nOW_WEBHOOK_SECRET=%s\nOW_SMS_GATEWAY_SECRET=%s\n' \
    "$key" "$password" "$webhook_secret" "$sms_gateway_secret" >"$file"
)
echo "wrote $file (mode 0600); keep a copy in your secret store" >&2
