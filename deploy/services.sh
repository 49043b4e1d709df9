#!/usr/bin/env bash
# Runs each service as its own `nameko run` process in the background.
#   deploy/services.sh start     start those not running (logs in var/log, pids in var/run)
#   deploy/services.sh stop      stop them (TERM, then KILL after 15 s)
#   deploy/services.sh status    one line per service
# Environment overrides of deploy/config.yml (AMQP_URI, STORE_URI, GATEWAY_ADDRESS, ...) apply.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$ROOT/deploy/venv.sh"
SERVICES=(assignments visits escalations monitor accounts gateway)
export PYTHONWARNINGS="${PYTHONWARNINGS:-ignore::DeprecationWarning}"  # eventlet's notice, at every start
RUN="$ROOT/var/run"; LOG="$ROOT/var/log"
mkdir -p "$RUN" "$LOG"

running() { [ -f "$RUN/$1.pid" ] && kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null; }

start() {
  cd "$ROOT"
  "$PY" -m shared.topology
  for name in "${SERVICES[@]}"; do
    if running "$name"; then echo "$name: already running (pid $(cat "$RUN/$name.pid"))"; continue; fi
    nohup "$ROOT/.venv/bin/nameko" run --config deploy/config.yml "services.$name.service:${name^}Service" \
      >>"$LOG/$name.log" 2>&1 &
    echo $! >"$RUN/$name.pid"
    echo "$name: started (pid $!, log var/log/$name.log)"
  done
}

stop() {
  for name in "${SERVICES[@]}"; do
    if ! running "$name"; then rm -f "$RUN/$name.pid"; continue; fi
    pid=$(cat "$RUN/$name.pid")
    kill -TERM "$pid"
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$RUN/$name.pid"
    echo "$name: stopped"
  done
}

status() {
  for name in "${SERVICES[@]}"; do
    if running "$name"; then echo "$name: running (pid $(cat "$RUN/$name.pid"))"; else echo "$name: stopped"; fi
  done
}

case "${1:-}" in
  start) start ;; stop) stop ;; status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
