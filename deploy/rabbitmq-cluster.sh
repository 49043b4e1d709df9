#!/usr/bin/env bash
# A three-node RabbitMQ cluster on this machine (Debian's RabbitMQ, as root, no systemd), beside
# the development node on 5672 which it never touches.
#   deploy/rabbitmq-cluster.sh start           start every node, wait until they form one
#                                              cluster, grow every quorum queue onto every node
#   deploy/rabbitmq-cluster.sh stop            stop every node
#   deploy/rabbitmq-cluster.sh status          exit 0 when every node runs in one cluster
#   deploy/rabbitmq-cluster.sh uris [USER PASS [VHOST]]
#                                              the AMQP URIs of every node, `;`-separated
#                                              (kombu's alternates: a service fails over)
#   deploy/rabbitmq-cluster.sh start-node|stop-node|kill-node|pause-node|resume-node N
#                                              one node (N = 1..3); kill is SIGKILL, pause is
#                                              SIGSTOP (a simulated partition), resume SIGCONT
#   deploy/rabbitmq-cluster.sh grow            every quorum queue a member on every node
#   deploy/rabbitmq-cluster.sh users [--delete-guest]
#                                              deploy/rabbitmq.sh users, on the cluster
#   deploy/rabbitmq-cluster.sh management-uris the management API of every node, `;`-separated
# Nodes sausat1..3@localhost: AMQP 5701-5703, management 15701-15703, metrics 15711-15713,
# distribution 25701-25703, one epmd; data in var/cluster/nodeN (RABBITMQ_CLUSTER_BASE to move it), one
# Erlang cookie in var/cluster/home shared by the nodes and the CLI (owner-only). Classic-config
# peer discovery, pause_minority on a partition, each VM sized for 2 cores (+S 1, no
# busy-waiting). RABBITMQ_NET_TICKTIME shortens partition detection (fault runs).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CLUSTER_BASE="${RABBITMQ_CLUSTER_BASE:-$ROOT/var/cluster}"
COOKIE_HOME="$CLUSTER_BASE/home"
NODES=(1 2 3)
BIN=/usr/lib/rabbitmq/bin

log() { echo "rabbitmq-cluster: $*" >&2; }

node_name() { echo "sausat$1@localhost"; }
all_nodes() { local n out=(); for n in "${NODES[@]}"; do out+=("$(node_name "$n")"); done
  (IFS=,; echo "${out[*]}"); }

# the environment deploy/rabbitmq.sh reads for node N
node_env() {
  local n=$1
  echo "RABBITMQ_BASE=$CLUSTER_BASE/node$n RABBITMQ_NODENAME=$(node_name "$n")" \
    "RABBITMQ_NODE_PORT=$((5700 + n)) RABBITMQ_MANAGEMENT_PORT=$((15700 + n))" \
    "RABBITMQ_PROMETHEUS_PORT=$((15710 + n))" \
    "RABBITMQ_DIST_PORT=$((25700 + n)) RABBITMQ_COOKIE_HOME=$COOKIE_HOME" \
    "RABBITMQ_CLUSTER_NODES=$(all_nodes) RABBITMQ_SMALL_VM=1" \
    "${RABBITMQ_NET_TICKTIME:+RABBITMQ_NET_TICKTIME=$RABBITMQ_NET_TICKTIME}"
}

on_node() {  # on_node N command...: a command with node N's environment
  local n=$1; shift
  # shellcheck disable=SC2046
  env $(node_env "$n") "$@"
}

ctl() { local n=$1; shift; on_node "$n" env HOME="$COOKIE_HOME" \
  RABBITMQ_NODENAME="$(node_name "$n")" "$BIN/rabbitmqctl" "$@"; }

check_node() {
  case "${1:-}" in 1|2|3) ;; *) echo "node must be 1, 2 or 3, not '${1:-}'" >&2; exit 2 ;; esac
}

cookie() {
  # one cookie before any node starts: nodes started together would each invent their own
  mkdir -p "$COOKIE_HOME"
  chmod 700 "$COOKIE_HOME"
  if [ ! -s "$COOKIE_HOME/.erlang.cookie" ]; then
    (umask 077; python3 -c 'import secrets; print(secrets.token_hex(20), end="")' \
      >"$COOKIE_HOME/.erlang.cookie")
  fi
  chmod 400 "$COOKIE_HOME/.erlang.cookie"
}

node_pid() { cat "$CLUSTER_BASE/node$1/rabbitmq.pid" 2>/dev/null || true; }

running_nodes() {  # how many nodes node N sees running in its cluster
  ctl "$1" -q cluster_status --formatter json 2>/dev/null | python3 -c '
import json, sys
try:
    print(len(json.load(sys.stdin).get("running_nodes", [])))
except ValueError:
    print(0)'
}

start_once_more_if_needed() {  # node N started, or given one more try
  local n=$1
  if on_node "$n" bash "$ROOT/deploy/rabbitmq.sh" status; then return 0; fi
  on_node "$n" bash "$ROOT/deploy/rabbitmq.sh" start && return 0
  log "$(node_name "$n") did not start; trying once more"
  on_node "$n" bash "$ROOT/deploy/rabbitmq.sh" kill >/dev/null 2>&1 || true
  on_node "$n" bash "$ROOT/deploy/rabbitmq.sh" start && return 0
  log "$(node_name "$n") did not start (logs in $CLUSTER_BASE/node$n/log)"
  return 1
}

start_node() {
  check_node "$1"
  cookie
  on_node "$1" bash "$ROOT/deploy/rabbitmq.sh" start
}

grow() {
  # queues declared while a node was away (or before the cluster formed) get a member there
  local n
  for n in "${NODES[@]}"; do
    on_node "$n" env HOME="$COOKIE_HOME" "$BIN/rabbitmq-queues" -q grow "$(node_name "$n")" \
      all >/dev/null || log "could not grow queues onto $(node_name "$n")"
  done
}

start() {
  cookie
  local n pids=() failed=()
  if ! ls "$CLUSTER_BASE"/node*/mnesia/* >/dev/null 2>&1; then
    # forming: one node after the other, since nodes booting together can fail RabbitMQ
    # 3.10's feature-flag check against a peer still booting (incompatible_feature_flags)
    for n in "${NODES[@]}"; do
      start_once_more_if_needed "$n" || exit 1
    done
  else
    # restarting a formed cluster: together, since each waits for its peers' tables
    for n in "${NODES[@]}"; do
      on_node "$n" bash "$ROOT/deploy/rabbitmq.sh" start &
      pids+=($!)
    done
    for n in "${NODES[@]}"; do wait "${pids[$((n - 1))]}" || failed+=("$n"); done
    for n in "${failed[@]}"; do start_once_more_if_needed "$n" || exit 1; done
  fi
  for _ in $(seq 1 120); do
    if [ "$(running_nodes 1)" = "${#NODES[@]}" ]; then break; fi
    sleep 1
  done
  if [ "$(running_nodes 1)" != "${#NODES[@]}" ]; then
    log "the nodes did not form one cluster within 120 s"; ctl 1 cluster_status >&2 || true
    exit 1
  fi
  grow
  log "ready: $(all_nodes) (AMQP 127.0.0.1:5701-5703)"
}

stop() {
  local n
  for n in "${NODES[@]}"; do
    on_node "$n" bash "$ROOT/deploy/rabbitmq.sh" stop || true
  done
}

status() {
  local n
  for n in "${NODES[@]}"; do
    [ "$(running_nodes "$n")" = "${#NODES[@]}" ] || return 1
  done
}

uris() {
  local user=${1:-guest} password=${2:-guest} vhost=${3:-} n out=()
  for n in "${NODES[@]}"; do out+=("amqp://$user:$password@127.0.0.1:$((5700 + n))/$vhost"); done
  (IFS=';'; echo "${out[*]}")
}

signal_node() {
  check_node "$1"
  local pid; pid=$(node_pid "$1")
  if [ -z "$pid" ] || ! grep -q beam "/proc/$pid/cmdline" 2>/dev/null; then
    log "node $1 is not running"; return 1
  fi
  kill "-$2" "$pid"
  log "$2 sent to $(node_name "$1") (pid $pid)"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  grow) grow ;;
  uris) shift; uris "$@" ;;
  management-uris) m=(); for n in "${NODES[@]}"; do m+=("http://guest:guest@127.0.0.1:$((15700 + n))"); done
    (IFS=';'; echo "${m[*]}") ;;
  users) shift; on_node 1 bash "$ROOT/deploy/rabbitmq.sh" users "$@" ;;
  start-node) start_node "${2:-}" ;;
  stop-node) check_node "${2:-}"; on_node "$2" bash "$ROOT/deploy/rabbitmq.sh" stop ;;
  kill-node) check_node "${2:-}"; on_node "$2" bash "$ROOT/deploy/rabbitmq.sh" kill ;;
  pause-node) signal_node "${2:-}" STOP ;;
  resume-node) signal_node "${2:-}" CONT ;;
  *) echo "usage: $0 start|stop|status|grow|users|uris [USER PASS [VHOST]]|management-uris|" \
       "start-node|stop-node|kill-node|pause-node|resume-node N" >&2; exit 2 ;;
esac
