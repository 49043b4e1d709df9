#!/usr/bin/env bash
# Debian's Prometheus and Alertmanager watching the system deploy/up.sh runs, on loopback.
#   deploy/prometheus.sh install   install both if missing (no recommends: no node exporter on
#                                  9100), their packaged services kept from starting
#   deploy/prometheus.sh start     start both with var/prometheus/ (written by deploy/services.sh
#                                  start: one target per process, the rules, the mail route)
#   deploy/prometheus.sh stop      stop both (harmless when they are not running)
#   deploy/prometheus.sh status    exit 0 when both answer
# PROMETHEUS_ADDRESS (default 127.0.0.1:9090) and ALERTMANAGER_ADDRESS (127.0.0.1:9093) move
# them; the latter must be what deploy/services.sh start saw. Data, logs and pids in
# $VAR_DIR/prometheus (var/ by default). Alerts are mailed through SMTP_HOST:SMTP_PORT (the mail
# catcher on one machine) to OPERATORS_EMAIL.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DIR="${VAR_DIR:-$ROOT/var}/prometheus"
PROMETHEUS_ADDRESS="${PROMETHEUS_ADDRESS:-127.0.0.1:9090}"
ALERTMANAGER_ADDRESS="${ALERTMANAGER_ADDRESS:-127.0.0.1:9093}"

log() { echo "prometheus: $*" >&2; }

install() {
  if command -v prometheus >/dev/null && command -v prometheus-alertmanager >/dev/null; then
    return
  fi
  log "installing Debian's prometheus and prometheus-alertmanager"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  local own_policy=no
  if [ ! -e /usr/sbin/policy-rc.d ]; then  # no packaged daemon on 9090/9093 meanwhile
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    own_policy=yes
  fi
  apt-get install -y -qq --no-install-recommends prometheus prometheus-alertmanager >/dev/null
  if [ "$own_policy" = yes ]; then rm -f /usr/sbin/policy-rc.d; fi
  for unit in prometheus prometheus-alertmanager; do
    if command -v systemctl >/dev/null && systemctl is-active --quiet "$unit" 2>/dev/null; then
      systemctl disable --now "$unit" >/dev/null 2>&1 || true
    elif [ -x "/etc/init.d/$unit" ]; then
      "/etc/init.d/$unit" stop >/dev/null 2>&1 || true
    fi
  done
}

answers() { curl -fs "http://$1/-/ready" >/dev/null 2>&1; }

running() {  # the pid in $DIR/$1.pid, when that process is still the one we started
  local pid
  pid=$(cat "$DIR/$1.pid" 2>/dev/null || true)
  [ -n "$pid" ] && grep -q "$1" "/proc/$pid/cmdline" 2>/dev/null
}

launch() {  # name, address, command...
  local name=$1 address=$2
  shift 2
  if running "$name"; then log "$name already running"; return; fi
  nohup "$@" >"$DIR/log/$name.log" 2>&1 &
  echo $! >"$DIR/$name.pid"
  for _ in $(seq 1 100); do
    if answers "$address"; then log "$name ready at http://$address"; return; fi
    sleep 0.2
  done
  log "$name did not answer at $address; last lines of $DIR/log/$name.log:"
  tail -n 20 "$DIR/log/$name.log" >&2
  exit 1
}

start() {
  install
  if [ ! -f "$DIR/prometheus.yml" ]; then
    log "no $DIR/prometheus.yml: run deploy/up.sh (or deploy/services.sh start) first"
    exit 1
  fi
  mkdir -p "$DIR/log" "$DIR/data" "$DIR/alertmanager-data"
  # no cluster port: one Alertmanager, and nothing else listening
  launch prometheus-alertmanager "$ALERTMANAGER_ADDRESS" prometheus-alertmanager \
    --config.file="$DIR/alertmanager.yml" --storage.path="$DIR/alertmanager-data" \
    --web.listen-address="$ALERTMANAGER_ADDRESS" --cluster.listen-address=
  launch prometheus "$PROMETHEUS_ADDRESS" prometheus --config.file="$DIR/prometheus.yml" \
    --storage.tsdb.path="$DIR/data" --web.listen-address="$PROMETHEUS_ADDRESS"
}

stop() {
  for name in prometheus prometheus-alertmanager; do
    if running "$name"; then
      kill "$(cat "$DIR/$name.pid")"
      for _ in $(seq 1 100); do running "$name" || break; sleep 0.1; done
      log "$name stopped"
    fi
    rm -f "$DIR/$name.pid"
  done
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  status) answers "$PROMETHEUS_ADDRESS" && answers "$ALERTMANAGER_ADDRESS" ;;
  *) echo "usage: $0 install|start|stop|status" >&2; exit 2 ;;
esac
