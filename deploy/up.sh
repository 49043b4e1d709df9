#!/usr/bin/env bash
# Brings up the whole system on this machine, installing whatever is missing:
# RabbitMQ (Debian's package, data in var/rabbitmq), the Python environment (.venv), the nine
# services (logs in var/log, data in var/data; each process's /metrics on loopback, a scrape
# configuration and alert rules in var/prometheus) and the demo data. Harmless to run again.
# The gateway then answers on http://localhost:8000 (GATEWAY_ADDRESS overrides).
# SAUSAT_CLUSTER=1 runs on the three-node RabbitMQ cluster of deploy/rabbitmq-cluster.sh
# (AMQP 5701-5703, data in var/cluster) instead: every service lists the three nodes.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

if ! command -v curl >/dev/null; then  # the README's walk-through uses it
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq curl >/dev/null
fi
password_of() { cat "$(bash deploy/secrets.sh path "rabbitmq/$1")"; }
if [ -n "${SAUSAT_CLUSTER:-}" ]; then
  bash deploy/rabbitmq-cluster.sh start
  bash deploy/rabbitmq-cluster.sh users  # replicated to every node
  broker_as() { bash deploy/rabbitmq-cluster.sh uris "$1" "$(password_of "$1")"; }
  # services.sh gives each service its own user at every node of this list
  AMQP_URI=$(bash deploy/rabbitmq-cluster.sh uris)
  RABBIT_MANAGEMENT_URI="${RABBIT_MANAGEMENT_URI:-$(bash deploy/rabbitmq-cluster.sh management-uris)}"
  RABBITMQ_PROMETHEUS_PORT=15711,15712,15713  # every node's metrics scraped
  export AMQP_URI RABBIT_MANAGEMENT_URI RABBITMQ_PROMETHEUS_PORT
else
  bash deploy/rabbitmq.sh start
  bash deploy/rabbitmq.sh users  # each service's broker user (definitions.json, var/secrets)
  broker_as() { echo "amqp://$1:$(password_of "$1")@localhost:5672/"; }
fi
source deploy/venv.sh
# the topology as the deploy user: each service may only use it (shared/callers.py); in
# production mode, which checks the token key too: this installation's (as services.sh does)
if [ -z "${TOKEN_SECRET:-}" ]; then
  TOKEN_SECRET_FILE="${TOKEN_SECRET_FILE:-$(bash deploy/secrets.sh path token_secret)}"
  export TOKEN_SECRET_FILE
fi
AMQP_URI=$(broker_as deploy) "$PY" -m shared.topology >/dev/null
"$PY" -m tooling.mailcatcher start  # the developers' SMTP server: mail lands in var/mail
bash deploy/services.sh start  # with this installation's token key (var/secrets, see there)

address="${GATEWAY_ADDRESS:-0.0.0.0:8000}"
url="http://127.0.0.1:${address##*:}"
echo "waiting for the gateway at $url/health ..."
for _ in $(seq 1 120); do
  if curl -fs "$url/health" >/dev/null; then break; fi
  sleep 0.5
done
curl -fs "$url/health" >/dev/null || { echo "gateway not healthy; see var/log/*.log" >&2; exit 1; }
# the demo as the loader user; its users' passwords: random, printed once, kept in
# var/secrets/demo_passwords
AMQP_URI=$(broker_as loader) PYTHONWARNINGS=ignore "$PY" -m tooling.load_demo --random-passwords
echo "Sâu Sát is up: gateway at $url (stop it with: bash deploy/down.sh)"
echo "Mail to authorities and cadres: .venv/bin/python -m tooling.mailcatcher list" \
  "(files in var/mail/new)"
echo "Metrics and alerts: bash deploy/prometheus.sh start (Prometheus at 127.0.0.1:9090," \
  "scraping var/prometheus/prometheus.yml; alerts mailed to the mail catcher)"
