#!/usr/bin/env bash
# rabbitmq-cluster-check.sh: forms the hub's three-node cluster on this machine, from the settings of
# deploy/compose/rabbitmq.conf and deploy/compose/definitions.json (rendered by broker-entrypoint.sh with passwords
# made up for the run), with Debian's rabbitmq-server (what ./lgsp installs) instead of containers. Checks that the
# nodes find each other through classic-config peer discovery, that the definitions load (the agencies' users,
# vhost default queue type, policy), that a durable queue declared without a type is a quorum queue with a member
# on every node, and that an agency's user may not declare another agency's queue. Then stops the nodes.
#
#   deploy/tools/rabbitmq-cluster-check.sh [--keep]    (--keep leaves the cluster running; stop it with --stop)
#
# Loopback only: nodes lgsp-cluster-{1,2,3}@localhost, AMQP 5691-5693, management 15691-15693,
# distribution 25691-25693, data in .lgsp/cluster-check/. It runs as the current user and needs
# rabbitmq-server installed; it starts nothing else and touches no other node.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE="$REPO/.lgsp/cluster-check"
BIN=/usr/lib/rabbitmq/bin
NODES=(1 2 3)
TIMEOUT="${LGSP_CLUSTER_CHECK_TIMEOUT:-120}"

say() { printf 'cluster-check: %s\n' "$*"; }
die() { printf 'cluster-check: FAILED: %s\n' "$*" >&2; exit 1; }

node_env() {  # node_env N: the environment of node N (subshell only)
  local n="$1" dir="$STATE/node-$1"
  export RABBITMQ_NODENAME="lgsp-cluster-$n@localhost" RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
  export RABBITMQ_NODE_PORT="569$n" RABBITMQ_DIST_PORT="2569$n"
  export RABBITMQ_MNESIA_BASE="$dir/mnesia" RABBITMQ_LOG_BASE="$dir/log" RABBITMQ_PID_FILE="$dir/pid"
  export RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf" RABBITMQ_ADVANCED_CONFIG_FILE="$dir/advanced.config"
  export RABBITMQ_CONF_ENV_FILE="$dir/env.conf" RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins"
  export RABBITMQ_PLUGINS_EXPAND_DIR="$dir/plugins-expand" ERL_EPMD_ADDRESS=127.0.0.1
}

ctl() {  # ctl N TOOL ARGS...
  local n="$1" tool="$2"; shift 2
  ( node_env "$n"; exec "$BIN/$tool" -n "lgsp-cluster-$n@localhost" "$@" ) </dev/null 2>>"$STATE/cli.log"
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Stops the nodes this script started: by the pids it recorded (the launcher's, the VM's own), then waits
# until their ports are free again, so a next run does not find them taken.
stop_all() {
  local n pid pids=()
  for n in "${NODES[@]}"; do
    for pid in $(cat "$STATE/node-$n/launcher.pid" "$STATE/node-$n/pid" 2>/dev/null || true); do
      [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && pids+=("$pid")
    done
  done
  (( ${#pids[@]} )) && kill -TERM "${pids[@]}" 2>/dev/null || true
  local deadline=$(( $(date +%s) + 60 ))
  for pid in "${pids[@]}"; do
    while kill -0 "$pid" 2>/dev/null && (( $(date +%s) < deadline )); do sleep 0.5; done
  done
  for n in "${NODES[@]}"; do
    while ! { port_free "2569$n" && port_free "569$n" && port_free "1569$n"; } && (( $(date +%s) < deadline )); do sleep 0.5; done
  done
}

if [[ "${1:-}" == --stop ]]; then stop_all; exit 0; fi
[[ -x "$BIN/rabbitmq-server" ]] || die "rabbitmq-server is not installed (./lgsp installs Debian's package)"
[[ -s "$HOME/.erlang.cookie" ]] || die "no \$HOME/.erlang.cookie: ./lgsp up creates it"
stop_all
for n in "${NODES[@]}"; do
  port_free "2569$n" && port_free "569$n" && port_free "1569$n" || die "port 2569$n, 569$n or 1569$n is taken: another node runs there"
done
rm -rf "$STATE"
mkdir -p "$STATE"

# A password per broker user of the definitions, for this run only.
passwords=()
for variable in $(grep -o 'LGSP_BROKER_[A-Z_]*_PASSWORD' "$REPO/deploy/compose/definitions.json" | sort -u); do
  passwords+=("$variable=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')")
done
env "${passwords[@]}" LGSP_DEFINITIONS_TEMPLATE="$REPO/deploy/compose/definitions.json" LGSP_DEFINITIONS="$STATE/definitions.json" \
  bash "$REPO/deploy/compose/broker-entrypoint.sh" --render-only || die "broker-entrypoint.sh did not render the definitions"
password_of() { local p; for p in "${passwords[@]}"; do [[ "${p%%=*}" == "$1" ]] && printf '%s\n' "${p#*=}"; done; }

# The compose cluster's settings, with this machine's node names and ports.
for n in "${NODES[@]}"; do
  dir="$STATE/node-$n"
  mkdir -p "$dir/mnesia" "$dir/log"
  sed -e "s/rabbit@rabbitmq-\([0-9]\)/lgsp-cluster-\1@localhost/" \
      -e "s#^load_definitions = .*#load_definitions = $dir/definitions.json#" \
      -e "s/^total_memory_available_override_value = .*/total_memory_available_override_value = 512MB/" \
      -e "s/^disk_free_limit.absolute = .*/disk_free_limit.absolute = 50MB/" \
      -e "s/^log.console = true/log.console = false/" -e "/^log.console.level/d" \
      "$REPO/deploy/compose/rabbitmq.conf" >"$dir/rabbitmq.conf"
  printf 'listeners.tcp.default = 127.0.0.1:569%s\nmanagement.tcp.ip = 127.0.0.1\nmanagement.tcp.port = 1569%s\n' "$n" "$n" >>"$dir/rabbitmq.conf"
  cp "$STATE/definitions.json" "$dir/definitions.json"
  echo '[rabbitmq_management].' >"$dir/enabled_plugins"
  : >"$dir/env.conf"
done

say "starting three nodes at once (as containers or pods would)..."
[[ "${1:-}" == --keep ]] || trap stop_all EXIT
for n in "${NODES[@]}"; do
  ( node_env "$n"; exec setsid "$BIN/rabbitmq-server" ) >>"$STATE/node-$n/stdout.log" 2>&1 </dev/null &
  echo $! >"$STATE/node-$n/launcher.pid"
done
deadline=$(( $(date +%s) + TIMEOUT ))
for n in "${NODES[@]}"; do
  # await_startup needs a node that already answers.
  until ctl "$n" rabbitmq-diagnostics -q ping >/dev/null; do
    (( $(date +%s) < deadline )) || die "node $n does not answer (see $STATE/node-$n)"
    sleep 1
  done
  ctl "$n" rabbitmqctl -q await_startup --timeout "$TIMEOUT" || die "node $n did not start (see $STATE/node-$n/log)"
done

running="$(ctl 1 rabbitmqctl -q cluster_status --formatter json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["running_nodes"]))')"
[[ "$running" == 3 ]] || die "node 1 sees $running running nodes, not 3"
say "one cluster of 3 running nodes"

type="$(ctl 1 rabbitmqctl -q list_vhosts name default_queue_type | awk '$1 == "/" { print $2 }')"
[[ "$type" == quorum ]] || die "vhost / has default queue type '$type', not quorum"
# An invalid policy is dropped at import with no more than a log line: check it is there.
expected_policies="$(python3 -c 'import json,sys; print(" ".join(sorted(p["name"] for p in json.load(open(sys.argv[1]))["policies"])))' "$REPO/deploy/compose/definitions.json")"
policies="$(ctl 1 rabbitmqctl -q list_policies | awk 'NR > 1 { print $2 }' | sort | xargs)"
[[ "$policies" == "$expected_policies" ]] || die "policies in force: '$policies', expected '$expected_policies'"
users="$(ctl 1 rabbitmqctl -q list_users | awk 'NR > 1 { print $1 }' | sort | xargs)"
expected_users="$(python3 -c 'import json,sys; print(" ".join(sorted(u["name"] for u in json.load(open(sys.argv[1]))["users"])))' "$REPO/deploy/compose/definitions.json")"
[[ "$users" == "$expected_users" ]] || die "users: '$users', expected '$expected_users'"
say "definitions loaded: users $users, vhost / defaults to quorum queues, policies: $policies"

# Each agency's user with the permissions the definitions give it, as the broker lists them.
python3 - "$REPO/deploy/compose/definitions.json" "$(ctl 1 rabbitmqctl -q list_permissions --formatter json)" <<'PY' || die "permissions in force differ from the definitions"
import json, sys
wanted = {p["user"]: (p["configure"], p["write"], p["read"]) for p in json.load(open(sys.argv[1]))["permissions"]}
loaded = {p["user"]: (p["configure"], p["write"], p["read"]) for p in json.loads(sys.argv[2])}
sys.exit(0 if wanted == loaded else f"in force {loaded}, defined {wanted}")
PY
say "each user has the permissions of the definitions"

# The agencies' users have no management tag: a throwaway administrator checks the queue type over the API.
check_password="$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
ctl 1 rabbitmqctl -q add_user lgsp-cluster-check "$check_password" >/dev/null
ctl 1 rabbitmqctl -q set_user_tags lgsp-cluster-check administrator >/dev/null
ctl 1 rabbitmqctl -q set_permissions -p / lgsp-cluster-check '.*' '.*' '.*' >/dev/null
api() {  # api METHOD PATH [BODY]: the management API of node 1 as that administrator
  curl -fsS -u "lgsp-cluster-check:$check_password" -X "$1" -H 'content-type: application/json' ${3:+--data "$3"} "http://127.0.0.1:15691/api/$2"
}
queue=lgsp-cluster-check
api PUT "queues/%2F/$queue" '{"durable":true,"auto_delete":false,"arguments":{}}' >/dev/null
read -r qtype members < <(api GET "queues/%2F/$queue" | python3 -c '
import json,sys; q=json.load(sys.stdin); print(q["type"], len(q.get("members") or []))')
[[ "$qtype" == quorum ]] || die "a durable queue declared without a type is $qtype"
[[ "$members" == 3 ]] || die "the quorum queue has $members members, not 3"
say "a durable queue declared without a type is a quorum queue with a member on each of the $members nodes"
api DELETE "queues/%2F/$queue" >/dev/null
say "passed"
