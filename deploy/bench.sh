#!/usr/bin/env bash
# The benchmark (docs/benchmark.md): brings the system up on a vhost and a data folder of its
# own, measures the raw broker and the system, stops everything, writes a Markdown report.
#   deploy/bench.sh [--quick] [--out DIR] [--instances N]   default DIR: docs/reports/benchmark
# --instances 2: two processes of each service but the gateway (competing consumers)
# Needs the RabbitMQ of deploy/rabbitmq.sh (or AMQP_URI / RABBIT_MANAGEMENT_URI on loopback).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$ROOT/deploy/venv.sh"
cd "$ROOT"
export PYTHONWARNINGS="${PYTHONWARNINGS:-ignore::DeprecationWarning}"
exec "$PY" -m tooling.bench "$@"
