#!/usr/bin/env bash
# Debian's RabbitMQ for development and CI, run as root without systemd, its data in var/rabbitmq.
#   deploy/rabbitmq.sh start    install if missing, start, enable management and
#                               rabbitmq_prometheus (the broker's metrics), wait until ready
#   deploy/rabbitmq.sh stop     stop the node (harmless when it is not running)
#   deploy/rabbitmq.sh status   exit 0 when the node answers
#   deploy/rabbitmq.sh kill     SIGKILL the node's Erlang VM (fault-injection runs only)
#   deploy/rabbitmq.sh users [--delete-guest]
#                               load deploy/rabbitmq/definitions.json's users with their
#                               passwords from var/secrets/rabbitmq (deploy/secrets.sh first),
#                               and sausat-admin (tests, scripts); then, asked to, delete guest
# Everything listens on loopback only: AMQP, management, metrics, epmd and the Erlang distribution
# (tooling/rabbitmq_setup.py writes the config); the Erlang cookie is owner-only.
# Running any of them twice is harmless. A second node (fault runs, see
# docs/reports/faults/REPORT.md) sets RABBITMQ_BASE, RABBITMQ_NODENAME, RABBITMQ_NODE_PORT,
# RABBITMQ_MANAGEMENT_PORT (default 15672), RABBITMQ_PROMETHEUS_PORT (default 15692) and
# RABBITMQ_DIST_PORT (Erlang distribution; default node port + 20000). A node started before
# rabbitmq_prometheus was enabled here gets it at its next start (or: rabbitmq-plugins enable).
# A cluster's node (deploy/rabbitmq-cluster.sh) also sets RABBITMQ_COOKIE_HOME (one Erlang
# cookie for every node and the CLI), RABBITMQ_CLUSTER_NODES (comma-separated peers,
# classic-config discovery), RABBITMQ_SMALL_VM=1 (one scheduler, no busy-waiting) and
# optionally RABBITMQ_NET_TICKTIME (seconds; short in fault runs).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BASE="${RABBITMQ_BASE:-$ROOT/var/rabbitmq}"
BIN=/usr/lib/rabbitmq/bin

export HOME="${RABBITMQ_COOKIE_HOME:-$BASE/home}"  # the Erlang cookie: shared by server and CLI
export RABBITMQ_NODENAME="${RABBITMQ_NODENAME:-sausat@localhost}"
export RABBITMQ_NODE_PORT="${RABBITMQ_NODE_PORT:-5672}"
export RABBITMQ_MNESIA_BASE="$BASE/mnesia"
export RABBITMQ_LOG_BASE="$BASE/log"
export RABBITMQ_ENABLED_PLUGINS_FILE="$BASE/enabled_plugins"
export RABBITMQ_PID_FILE="$BASE/rabbitmq.pid"
MANAGEMENT_PORT="${RABBITMQ_MANAGEMENT_PORT:-15672}"
PROMETHEUS_PORT="${RABBITMQ_PROMETHEUS_PORT:-15692}"
export RABBITMQ_DIST_PORT="${RABBITMQ_DIST_PORT:-$((RABBITMQ_NODE_PORT + 20000))}"
# listeners, management and guest's loopback rule: always from the generated config file
export RABBITMQ_CONFIG_FILE="$BASE/rabbitmq.conf"
# epmd and the distribution on loopback (ERL_EPMD_ADDRESS, inet_dist_use_interface)
eval "$(python3 "$ROOT/tooling/rabbitmq_setup.py" env --dist-port "$RABBITMQ_DIST_PORT" \
  ${RABBITMQ_SMALL_VM:+--small-vm})"

log() { echo "rabbitmq: $*" >&2; }

install_if_missing() {
  if [ -x "$BIN/rabbitmq-server" ]; then return; fi
  log "installing Debian's rabbitmq-server"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq rabbitmq-server >/dev/null
  # on a machine with systemd the package starts its own node on our port: ours runs instead
  if command -v systemctl >/dev/null && systemctl is-active --quiet rabbitmq-server 2>/dev/null; then
    systemctl disable --now rabbitmq-server >/dev/null 2>&1 || true
  fi
}

port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/${1:-$RABBITMQ_NODE_PORT}") 2>/dev/null; }

answers() { "$BIN/rabbitmq-diagnostics" -q ping >/dev/null 2>&1; }

start() {
  install_if_missing
  mkdir -p "$HOME" "$RABBITMQ_MNESIA_BASE" "$RABBITMQ_LOG_BASE"
  if answers; then log "already running ($RABBITMQ_NODENAME)"; return; fi
  if port_taken; then
    log "port $RABBITMQ_NODE_PORT is taken by another process (another RabbitMQ? a node started"
    log "from another checkout, or the system's: systemctl stop rabbitmq-server); not starting"
    exit 1
  fi
  if [ "$MANAGEMENT_PORT" != 15672 ] && port_taken "$MANAGEMENT_PORT"; then
    log "management port $MANAGEMENT_PORT is taken by another process; not starting"
    exit 1
  fi
  if [ "$PROMETHEUS_PORT" != 15692 ] && port_taken "$PROMETHEUS_PORT"; then
    log "metrics port $PROMETHEUS_PORT is taken by another process; not starting"
    exit 1
  fi
  python3 "$ROOT/tooling/rabbitmq_setup.py" conf --amqp-port "$RABBITMQ_NODE_PORT" \
    --management-port "$MANAGEMENT_PORT" --prometheus-port "$PROMETHEUS_PORT" \
    --cluster-nodes "${RABBITMQ_CLUSTER_NODES:-}" \
    ${RABBITMQ_NET_TICKTIME:+--net-ticktime "$RABBITMQ_NET_TICKTIME"} >"$RABBITMQ_CONFIG_FILE"
  "$BIN/rabbitmq-plugins" enable --offline rabbitmq_management rabbitmq_prometheus >/dev/null
  log "starting $RABBITMQ_NODENAME on port $RABBITMQ_NODE_PORT (data in $BASE)"
  nohup "$BIN/rabbitmq-server" >"$RABBITMQ_LOG_BASE/console.log" 2>&1 &
  for _ in $(seq 1 120); do
    if answers; then break; fi
    sleep 1
  done
  if ! answers; then
    log "did not answer within 120 s; last lines of its log:"
    tail -n 30 "$RABBITMQ_LOG_BASE/console.log" >&2 || true
    exit 1
  fi
  "$BIN/rabbitmqctl" -q await_startup --timeout 120
  chmod 600 "$HOME/.erlang.cookie"  # whoever reads it controls the node
  log "ready (AMQP 127.0.0.1:$RABBITMQ_NODE_PORT, management 127.0.0.1:$MANAGEMENT_PORT," \
    "metrics 127.0.0.1:$PROMETHEUS_PORT/metrics)"
}

users() {
  bash "$ROOT/deploy/secrets.sh"
  python3 "$ROOT/tooling/rabbitmq_setup.py" users \
    --secrets "$(bash "$ROOT/deploy/secrets.sh" path rabbitmq)" "$@"
  log "users of deploy/rabbitmq/definitions.json loaded${1:+ ($1)}"
}

stop() {
  if [ ! -x "$BIN/rabbitmqctl" ] || ! answers; then log "not running"; return; fi
  "$BIN/rabbitmqctl" -q stop
  log "stopped"
}

kill_node() {
  # the VM's pid as the node wrote it; a pid reused by another program is left alone
  local pid
  pid=$(cat "$RABBITMQ_PID_FILE" 2>/dev/null || true)
  if [ -z "$pid" ] || ! grep -q beam "/proc/$pid/cmdline" 2>/dev/null; then
    log "not running (no live pid in $RABBITMQ_PID_FILE)"; return
  fi
  kill -KILL "$pid"
  log "killed $RABBITMQ_NODENAME (pid $pid)"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) answers ;;
  kill) kill_node ;;
  users) shift; users "$@" ;;
  *) echo "usage: $0 start|stop|status|kill|users [--delete-guest]" >&2; exit 2 ;;
esac
