#!/usr/bin/env bash
# This installation's secrets, generated once and kept owner-only under var/secrets (never in
# git, never printed):
#   var/secrets/token_secret       signs access tokens (the accounts service and the gateway)
#   var/secrets/rabbitmq/<user>    the broker password of each user in
#                                  deploy/rabbitmq/definitions.json (one per service, deploy...)
#   var/secrets/principal_key.pem  the gateway's Ed25519 key: signs the principal of each RPC it
#                                  makes for a signed-in user (only the gateway reads it)
#   var/secrets/principal_key.pub  its public half: every service checks those signatures
# Running it again keeps every secret that exists (a new one would lock the running services
# out) and adds the missing ones; `deploy/secrets.sh path NAME` prints where NAME is kept.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SECRETS="${SAUSAT_SECRETS_DIR:-$ROOT/var/secrets}"

umask 077
mkdir -p "$SECRETS/rabbitmq"
chmod 700 "$SECRETS" "$SECRETS/rabbitmq"

# 43 URL-safe characters from 32 random bytes: fits a URI's password without escaping
new_secret() { head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n'; }

keep() {  # keep <file>: create it with a fresh secret unless it exists
  if [ ! -s "$1" ]; then new_secret >"$1.partial" && mv "$1.partial" "$1"; fi
  chmod 600 "$1"
}

case "${1:-}" in
  path) echo "$SECRETS/${2:?which secret}"; exit 0 ;;
  "") ;;
  *) echo "usage: $0 [path NAME]" >&2; exit 2 ;;
esac

keep "$SECRETS/token_secret"
# the broker's administrator for tests and scripts over loopback (deploy/rabbitmq.sh users)
keep "$SECRETS/rabbitmq/sausat-admin"
if [ ! -s "$SECRETS/principal_key.pem" ]; then
  openssl genpkey -algorithm ed25519 -out "$SECRETS/principal_key.pem.partial"
  mv "$SECRETS/principal_key.pem.partial" "$SECRETS/principal_key.pem"
  rm -f "$SECRETS/principal_key.pub"  # a new private key: its public half follows
fi
if [ ! -s "$SECRETS/principal_key.pub" ]; then
  openssl pkey -in "$SECRETS/principal_key.pem" -pubout -out "$SECRETS/principal_key.pub.partial"
  mv "$SECRETS/principal_key.pub.partial" "$SECRETS/principal_key.pub"
fi
chmod 600 "$SECRETS/principal_key.pem"
chmod 644 "$SECRETS/principal_key.pub"
for user in $(python3 -c 'import json, sys
print(" ".join(u["name"] for u in json.load(open(sys.argv[1]))["users"]))' \
    "$ROOT/deploy/rabbitmq/definitions.json"); do
  keep "$SECRETS/rabbitmq/$user"
done
