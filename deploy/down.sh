#!/usr/bin/env bash
# Stops the services and RabbitMQ started by deploy/up.sh (and Prometheus, if started). Data stays in var/ for the next start;
# remove var/data (and var/rabbitmq) to start from nothing.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$ROOT/deploy/prometheus.sh" stop  # if deploy/prometheus.sh start ran
bash "$ROOT/deploy/services.sh" stop
bash "$ROOT/deploy/rabbitmq.sh" stop
if [ -x "$ROOT/.venv/bin/python" ]; then
  (cd "$ROOT" && .venv/bin/python -m tooling.mailcatcher stop)
fi
