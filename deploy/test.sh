#!/usr/bin/env bash
# Runs the whole test suite, installing what is missing. Starts RabbitMQ if it is not running
# and stops it again afterwards; every test works in a RabbitMQ vhost and a data folder of its
# own, so a system started by deploy/up.sh keeps running undisturbed. Arguments go to pytest.
# Set MONGO_URI=mongodb://… to run the repository tests against a real MongoDB as well.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
source deploy/venv.sh

# the compose file is checked with `docker-compose config` (Debian's 1.29; no engine needed)
if ! command -v docker-compose >/dev/null && ! docker compose version >/dev/null 2>&1; then
  echo "test: installing Debian's docker-compose to check docker-compose.yml" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker-compose >/dev/null
fi

# the pages' browser tests drive Debian's chromium through Playwright (whose own browser download
# is not used); Playwright talks to it directly, so no chromium-driver is needed
if ! command -v chromium >/dev/null; then
  echo "test: installing Debian's chromium for the pages' browser tests" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi

# Prometheus and Alertmanager (Debian's, without recommends: no node exporter on 9100) check
# the alert rules and watch a running system; the tests run their own on free ports, and the
# packaged services are kept from starting, so nothing holds 9090/9093
bash deploy/prometheus.sh install

# A fresh node keeps guest on loopback: the tests use it only as each test vhost's admin, to
# create the production users of deploy/rabbitmq/definitions.json for the session (suffixed,
# random passwords: tests/identities.py) and their principal key pair; every service under
# test connects as its own user in production mode. So no `rabbitmq.sh users` is needed here.
started_rabbitmq=no
if ! bash deploy/rabbitmq.sh status; then
  bash deploy/rabbitmq.sh start
  started_rabbitmq=yes
fi
stop_rabbitmq() { if [ "$started_rabbitmq" = yes ]; then bash deploy/rabbitmq.sh stop; fi; }
trap stop_rabbitmq EXIT

"$ROOT/.venv/bin/ruff" check --quiet "$ROOT"  # style and unused code first: seconds, not minutes
# the house plan (.importlinter): services meet only in shared contracts, layers, pure rules,
# no circles; the contracts' own test (tests/unit/test_import_contracts.py) shows each can fail
(cd "$ROOT" && "$ROOT/.venv/bin/lint-imports" --no-cache)
"$PY" -m pytest "$@"
