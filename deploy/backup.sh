#!/usr/bin/env bash
# Backups of this installation (tooling/backup.py; docs/backups.md):
#   deploy/backup.sh take [--keep 14]          while the system runs: var/backups/<UTC time>/
#   deploy/backup.sh list
#   deploy/backup.sh restore var/backups/<time> --replace   on a STOPPED system (deploy/down.sh)
# The definitions are read and loaded as RabbitMQ's administrator sausat-admin (its password in
# var/secrets; RABBITMQ_ADMIN_URI overrides, --no-definitions skips them). Everything it writes
# is owner-only.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$ROOT/deploy/venv.sh"
cd "$ROOT"
umask 077
admin_password="$(bash deploy/secrets.sh path rabbitmq/sausat-admin)"
if [ -z "${RABBITMQ_ADMIN_URI:-}" ] && [ -r "$admin_password" ]; then
  RABBITMQ_ADMIN_URI="http://sausat-admin:$(cat "$admin_password")@localhost:${RABBITMQ_MANAGEMENT_PORT:-15672}"
  export RABBITMQ_ADMIN_URI
fi
exec "$PY" -m tooling.backup "$@"
