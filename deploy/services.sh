#!/usr/bin/env bash
# Runs every service under supervisord (tooling/supervise.py; config from deploy/supervisor/).
#   deploy/services.sh start [service]    supervisord if not running, then the services not running
#   deploy/services.sh stop [service]     stop them; with no service, supervisord too
#   deploy/services.sh restart [service]  stop and start; with no service, re-reads the environment
#   deploy/services.sh status [service]   supervisord's state, pid, uptime and the gateway's /health;
#                                         exits 0 all running and healthy, 1 unhealthy, 3 not running
# A service that exits is restarted by supervisord within about a second. Logs in var/log, the
# generated config in var/supervisord.conf, socket and pid in var/run, Prometheus's scrape
# configuration and rules in var/prometheus ($VAR_DIR moves them all). Every process serves
# /metrics on loopback from OPERATIONS_BASE_PORT (default 9400; off: none).
# Environment overrides of deploy/config.yml (AMQP_URI, STORE_URI, GATEWAY_ADDRESS, ...) apply;
# INSTANCES_<SERVICE>=N runs N processes of a service as competing consumers (gateway: 1 only).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$ROOT/deploy/venv.sh"
export PYTHONWARNINGS="${PYTHONWARNINGS:-ignore::DeprecationWarning}"  # eventlet's notice, at every start
cd "$ROOT"
# Unless the environment gives a token key, this installation's own (deploy/secrets.sh: made
# once, owner-only in var/secrets): each service reads it from the file at start, so the key is
# never in the environment nor in supervisord's config.
if [ -z "${TOKEN_SECRET:-}" ] && [ -z "${TOKEN_SECRET_FILE:-}" ]; then
  bash "$ROOT/deploy/secrets.sh"
  TOKEN_SECRET_FILE=$(bash "$ROOT/deploy/secrets.sh" path token_secret)  # SAUSAT_SECRETS_DIR
  export TOKEN_SECRET_FILE
fi
# Production mode (deploy/config.yml's default): each service connects to RabbitMQ as its own
# user, with the password in var/secrets/rabbitmq/<service> (tooling/supervisor_config.py), the
# topology is declared as `deploy`; `deploy/rabbitmq.sh users` creates them on the broker.
exec "$PY" -m tooling.supervise "$@"
