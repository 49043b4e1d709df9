#!/usr/bin/env bash
# Stops the services and RabbitMQ started by deploy/up.sh (and Prometheus, if started). Data stays in var/ for the next start;
# remove var/data (and var/rabbitmq) to start from nothing.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$ROOT/deploy/prometheus.sh" stop  # if deploy/prometheus.sh start ran
bash "$ROOT/deploy/services.sh" stop
bash "$ROOT/deploy/rabbitmq.sh" stop
if [ -d "${RABBITMQ_CLUSTER_BASE:-$ROOT/var/cluster}" ]; then  # SAUSAT_CLUSTER=1 up.sh's nodes
  bash "$ROOT/deploy/rabbitmq-cluster.sh" stop
fi
if [ -x "$ROOT/.venv/bin/python" ]; then
  (cd "$ROOT" && .venv/bin/python -m tooling.mailcatcher stop)
fi
