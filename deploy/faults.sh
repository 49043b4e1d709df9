#!/usr/bin/env bash
# Fault runs (python -m tooling.faults; results in docs/reports/faults/REPORT.md): the system
# under load while a fault is injected, drained, then every accepted concern, action, escalation
# and mail counted; one line per run.
#   deploy/faults.sh <run>... [--seed N] [--minutes M] [--instances N] [--rate R]
#   runs: kill-services broker-restart broker-kill handler-failing duplicate-delivery
#         mail-down clock-jump, or all
# Starts and stops a RabbitMQ node of its own (faults@localhost, ports 5682/15682/25682, data
# in var/faults/rabbitmq); the node on 5672 is never touched. Exit 0: every run 0 lost,
# 0 duplicated, recovered.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$ROOT/deploy/venv.sh"
cd "$ROOT"
export PYTHONWARNINGS="${PYTHONWARNINGS:-ignore::DeprecationWarning}"
exec "$PY" -m tooling.faults "$@"
