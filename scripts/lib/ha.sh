#!/usr/bin/env bash
# A throwaway three-node pg_auto_failover cluster (monitor, primary, synchronous secondary) on
# 127.0.0.1 for the high-availability tests and demo. Needs postgresql-15-auto-failover
# (scripts/lib/deps.sh); installs nothing itself.
#
# Source this file, then:
#   creditgate_ha_start DIR        # DIR: a new or empty directory; removed again by creditgate_ha_stop
#   creditgate_ha_primary_port     # prints the port of the current primary (per the monitor)
#   creditgate_ha_failover         # pg_autoctl perform failover; returns once the roles have swapped
#   creditgate_ha_kill_primary     # SIGKILL of the current primary's postmaster (prints its port)
#   creditgate_ha_kill_primary_node  # SIGKILL of the primary's keeper and PostgreSQL (a dead machine)
#   creditgate_ha_restart_node PORT  # `pg_autoctl run` again for the node on PORT
#   creditgate_ha_wait_healthy [S] # waits (default 120 s) for one primary + one secondary, both settled
#   creditgate_ha_stop             # stops keepers and PostgreSQL, removes DIR
#
# On success creditgate_ha_start exports
#   CREDITGATE_HA_DIR            DIR; in it monitor/, node1/, node2/ (PGDATA) and monitor.log, node1.log,
#                                node2.log (the output of each `pg_autoctl run`)
#   CREDITGATE_HA_MONITOR_URI    postgres://autoctl_node@127.0.0.1:<port>/pg_auto_failover?sslmode=disable
#   CREDITGATE_HA_PORTS          "<primary>,<secondary>" as created (node1, node2)
#   CREDITGATE_HA_DSN            host=127.0.0.1,127.0.0.1 port=<p1>,<p2> user=postgres dbname=postgres
#                                target_session_attrs=read-write
# and registers creditgate_ha_stop on EXIT (composed with any EXIT trap already set, like pg.sh).
#
# Choices for a disposable loopback cluster: --no-ssl and --auth trust (no certificates, no
# passwords; pg_hba rules are for 127.0.0.1 only), --listen 127.0.0.1 (pg_autoctl's default is '*').
# Replication: with two data nodes pg_auto_failover keeps the formation's number_sync_standbys at 0
# and the secondary's replication-quorum true, so the primary runs with
# synchronous_standby_names = 'ANY 1 (pgautofailover_standby_N)' while the secondary is healthy
# (synchronous), and drops to async (state wait_primary) when it is not, so writes go on.
# Timings are pg_auto_failover's and PostgreSQL's defaults, unless CREDITGATE_HA_NODE_SETTINGS
# (space-separated name=value) names settings for both data nodes.
#
# pg_autoctl keeps its configuration and state under XDG_CONFIG_HOME / XDG_DATA_HOME /
# XDG_RUNTIME_DIR: all three point into DIR/xdg, so nothing lands in ~postgres or /tmp/pg_autoctl.

_creditgate_ha_lib_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/lib/pg.sh
source "$_creditgate_ha_lib_dir/pg.sh" # _creditgate_pg_as_owner, _creditgate_pg_free_port, CREDITGATE_PG_BIN

CREDITGATE_HA_FIRST_PORT=${CREDITGATE_HA_FIRST_PORT:-56432}
CREDITGATE_HA_AUTOCTL=${CREDITGATE_HA_AUTOCTL:-$(command -v pg_autoctl || echo /usr/bin/pg_autoctl)}
CREDITGATE_HA_DIR=${CREDITGATE_HA_DIR:-}
CREDITGATE_HA_TRAP_SET=${CREDITGATE_HA_TRAP_SET:-}
# node name -> port, for the nodes of the running cluster (monitor, node1, node2).
declare -gA CREDITGATE_HA_PORT_OF=()
# node name -> process group id of its `pg_autoctl run` (a session of its own, see _creditgate_ha_spawn).
declare -gA CREDITGATE_HA_PGID_OF=()

# pg_autoctl as the postgres user, with the XDG directories of this cluster and PostgreSQL 15 first
# on PATH (pg_autoctl finds pg_ctl through PG_CONFIG / PATH).
_creditgate_ha_autoctl() {
  local x=$CREDITGATE_HA_DIR/xdg
  _creditgate_pg_as_owner env XDG_CONFIG_HOME="$x/config" XDG_DATA_HOME="$x/data" \
    XDG_RUNTIME_DIR="$x/run" PG_CONFIG="$CREDITGATE_PG_BIN/pg_config" \
    PATH="$CREDITGATE_PG_BIN:$PATH" "$CREDITGATE_HA_AUTOCTL" "$@"
}

# Start `pg_autoctl run` for NODE in the background, in a session (and process group) of its own so
# that creditgate_ha_stop can signal exactly that keeper and its children.
_creditgate_ha_spawn() {
  local node=$1 x=$CREDITGATE_HA_DIR/xdg
  local -a as=()
  ((EUID == 0)) && as=(runuser -u postgres --)
  (cd / && exec setsid "${as[@]}" env XDG_CONFIG_HOME="$x/config" XDG_DATA_HOME="$x/data" \
    XDG_RUNTIME_DIR="$x/run" PG_CONFIG="$CREDITGATE_PG_BIN/pg_config" \
    PATH="$CREDITGATE_PG_BIN:$PATH" "$CREDITGATE_HA_AUTOCTL" run --pgdata "$CREDITGATE_HA_DIR/$node" \
    >>"$CREDITGATE_HA_DIR/$node.log" 2>&1 </dev/null) &
  CREDITGATE_HA_PGID_OF[$node]=$!
}

# SQL against the monitor: unaligned, tuples only.
_creditgate_ha_monitor_sql() {
  "$CREDITGATE_PG_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 \
    "$CREDITGATE_HA_MONITOR_URI&connect_timeout=2" -c "$1" 2>/dev/null
}

# One line per data node: "port reportedstate goalstate health" (health: 1 good, 0 bad, -1 unknown).
_creditgate_ha_nodes() {
  _creditgate_ha_monitor_sql "select nodeport, reportedstate, goalstate, health
                                from pgautofailover.node order by nodeport" | tr '|' ' '
}

# The port of the node the monitor has as primary (or wait_primary) now; fails when there is none
# (e.g. in the middle of a failover).
creditgate_ha_primary_port() {
  local port
  # wait_primary: a primary whose secondary is missing (e.g. dead); it takes writes, asynchronously.
  port=$(_creditgate_ha_monitor_sql "select nodeport from pgautofailover.node
                                      where reportedstate in ('primary', 'wait_primary')
                                        and goalstate in ('primary', 'wait_primary')") || return 1
  [[ $port =~ ^[0-9]+$ ]] || return 1
  echo "$port"
}

# creditgate_ha_wait_healthy [SECONDS] [NOT_PRIMARY_PORT]: until the monitor shows one primary and one
# secondary, both reported = goal state and healthy (and, if given, the primary is not on that port).
creditgate_ha_wait_healthy() {
  local timeout=${1:-120} not_port=${2:-} deadline=$((SECONDS + ${1:-120})) nodes p
  while ((SECONDS < deadline)); do
    nodes=$(_creditgate_ha_nodes) || nodes=''
    if [[ $(grep -c '^[0-9]* primary primary 1$' <<<"$nodes") == 1 &&
      $(grep -c '^[0-9]* secondary secondary 1$' <<<"$nodes") == 1 ]]; then
      p=$(awk '$2 == "primary" { print $1 }' <<<"$nodes")
      [[ -z $not_port || $p != "$not_port" ]] && return 0
    fi
    sleep 0.5
  done
  echo "error: pg_auto_failover not primary + secondary within ${timeout}s; the monitor says:" >&2
  _creditgate_ha_autoctl show state --pgdata "$CREDITGATE_HA_DIR/monitor" >&2 2>&1 || true
  return 1
}

# Until the monitor reports NODE's port in the given reported state.
_creditgate_ha_wait_state() {
  local port=$1 state=$2 timeout=$3 deadline=$((SECONDS + $3))
  while ((SECONDS < deadline)); do
    [[ $(_creditgate_ha_monitor_sql "select reportedstate from pgautofailover.node
                                      where nodeport = $port") == "$state" ]] && return 0
    sleep 0.5
  done
  echo "error: the node on port $port did not reach state $state within ${timeout}s" >&2
  return 1
}

_creditgate_ha_install_trap() {
  [[ -n $CREDITGATE_HA_TRAP_SET ]] && return 0
  _creditgate_prepend_exit_handler _creditgate_ha_on_exit # pg.sh
  CREDITGATE_HA_TRAP_SET=1
}

_creditgate_ha_on_exit() {
  local rc=$?
  set +e
  creditgate_ha_stop
  return "$rc"
}

# Create one node: pg_autoctl create (monitor or postgres), then `pg_autoctl run` in the background.
_creditgate_ha_create() {
  local node=$1 kind=$2 attempt port
  local -a args
  port=$CREDITGATE_HA_FIRST_PORT
  for attempt in {1..10}; do
    port=$(_creditgate_pg_free_port "$port") || return 1
    # Not a port another node of this cluster has just been given (it may not listen yet).
    while [[ " ${CREDITGATE_HA_PORT_OF[*]} " == *" $port "* ]]; do
      port=$(_creditgate_pg_free_port $((port + 1))) || return 1
    done
    args=(--pgdata "$CREDITGATE_HA_DIR/$node" --pgport "$port" --hostname 127.0.0.1
      --pgctl "$CREDITGATE_PG_BIN/pg_ctl" --listen 127.0.0.1 --auth trust --no-ssl)
    if [[ $kind == postgres ]]; then
      args+=(--name "$node" --monitor "$CREDITGATE_HA_MONITOR_URI"
        --username postgres --dbname postgres)
    fi
    if _creditgate_ha_autoctl create "$kind" "${args[@]}" >>"$CREDITGATE_HA_DIR/$node-create.log" 2>&1; then
      CREDITGATE_HA_PORT_OF[$node]=$port
      _creditgate_ha_spawn "$node"
      return 0
    fi
    if ((attempt < 10)) && grep -qE 'could not bind|Address already in use' \
      "$CREDITGATE_HA_DIR/$node-create.log" "$CREDITGATE_HA_DIR/$node"/log/* 2>/dev/null; then
      echo "port $port was taken meanwhile, trying the next one" >&2
      _creditgate_pg_as_owner "$CREDITGATE_PG_BIN/pg_ctl" -D "$CREDITGATE_HA_DIR/$node" stop \
        -m immediate >/dev/null 2>&1
      rm -rf -- "${CREDITGATE_HA_DIR:?}/$node" "$CREDITGATE_HA_DIR/xdg"/*/pg_autoctl"$CREDITGATE_HA_DIR/$node"
      port=$((port + 1))
      continue
    fi
    echo "error: pg_autoctl create $kind ($node, port $port) failed:" >&2
    cat "$CREDITGATE_HA_DIR/$node-create.log" >&2
    return 1
  done
}

creditgate_ha_start() {
  local dir=${1:?usage: creditgate_ha_start DIR} d
  if [[ -n $CREDITGATE_HA_DIR && -d $CREDITGATE_HA_DIR ]]; then
    echo "error: creditgate_ha_start: a cluster is already running in $CREDITGATE_HA_DIR" >&2
    return 1
  fi
  if [[ ! -x $CREDITGATE_HA_AUTOCTL ]]; then
    echo "error: pg_autoctl not found: install postgresql-15-auto-failover" >&2
    return 1
  fi
  if [[ -e $dir && -n $(ls -A -- "$dir" 2>/dev/null) ]]; then
    echo "error: creditgate_ha_start: $dir exists and is not empty" >&2
    return 1
  fi
  mkdir -p -- "$dir" || return 1
  dir=$(cd -- "$dir" && pwd) || return 1
  # The postgres user must traverse every parent directory of DIR.
  d=$dir
  while [[ $d != / ]]; do
    d=$(dirname -- "$d")
    if ! _creditgate_pg_as_owner test -x "$d"; then
      echo "error: $d is not traversable by the postgres user; pick a DIR under /tmp" >&2
      rmdir -- "$dir" 2>/dev/null
      return 1
    fi
  done

  _creditgate_ha_install_trap
  export CREDITGATE_HA_DIR=$dir
  CREDITGATE_HA_PORT_OF=()
  CREDITGATE_HA_PGID_OF=()
  chmod 755 "$dir" || return 1
  mkdir -p "$dir/xdg/config" "$dir/xdg/data" "$dir/xdg/run" || return 1
  chmod 700 "$dir/xdg/run" || return 1
  if ((EUID == 0)); then
    chown -R postgres: "$dir" || return 1
  fi

  # Monitor.
  _creditgate_ha_create monitor monitor || return 1
  export CREDITGATE_HA_MONITOR_URI="postgres://autoctl_node@127.0.0.1:${CREDITGATE_HA_PORT_OF[monitor]}/pg_auto_failover?sslmode=disable"
  local deadline=$((SECONDS + 60))
  until _creditgate_ha_monitor_sql 'select 1 from pgautofailover.node limit 0' >/dev/null; do
    if ((SECONDS >= deadline)); then
      echo "error: the pg_auto_failover monitor did not come up; see $dir/monitor.log" >&2
      return 1
    fi
    sleep 0.5
  done

  # Primary: registers as 'single', then becomes primary once the secondary has caught up.
  _creditgate_ha_create node1 postgres || return 1
  _creditgate_ha_wait_state "${CREDITGATE_HA_PORT_OF[node1]}" single 120 || return 1
  # Secondary: pg_basebackup from the primary, then synchronous streaming.
  _creditgate_ha_create node2 postgres || return 1
  creditgate_ha_wait_healthy 180 || return 1

  # PostgreSQL settings for both data nodes (ALTER SYSTEM + reload), e.g.
  # CREDITGATE_HA_NODE_SETTINGS="wal_retrieve_retry_interval=1s": for measuring their effect.
  local setting port
  for setting in ${CREDITGATE_HA_NODE_SETTINGS:-}; do
    [[ $setting =~ ^[a-z_]+=[A-Za-z0-9_.]+$ ]] || {
      echo "error: CREDITGATE_HA_NODE_SETTINGS: '$setting' is not name=value" >&2
      return 1
    }
    for port in "${CREDITGATE_HA_PORT_OF[node1]}" "${CREDITGATE_HA_PORT_OF[node2]}"; do
      "$CREDITGATE_PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 \
        "host=127.0.0.1 port=$port user=postgres dbname=postgres" \
        -c "ALTER SYSTEM SET ${setting%%=*} = '${setting#*=}'" -c "SELECT pg_reload_conf()" \
        >/dev/null || return 1
    done
    echo "pg_auto_failover: $setting on both data nodes" >&2
  done

  export CREDITGATE_HA_PORTS="${CREDITGATE_HA_PORT_OF[node1]},${CREDITGATE_HA_PORT_OF[node2]}"
  export CREDITGATE_HA_DSN="host=127.0.0.1,127.0.0.1 port=$CREDITGATE_HA_PORTS user=postgres dbname=postgres target_session_attrs=read-write"
  echo "pg_auto_failover: monitor on 127.0.0.1:${CREDITGATE_HA_PORT_OF[monitor]}," \
    "primary on ${CREDITGATE_HA_PORT_OF[node1]}, secondary on ${CREDITGATE_HA_PORT_OF[node2]}, in $dir" >&2
}

# The node name (node1/node2) on PORT.
_creditgate_ha_node_on() {
  local n
  for n in node1 node2; do
    [[ ${CREDITGATE_HA_PORT_OF[$n]:-} == "$1" ]] && { echo "$n"; return 0; }
  done
  return 1
}

# pg_autoctl perform failover, then wait until the other node is primary and the old one secondary.
creditgate_ha_failover() {
  local old
  old=$(creditgate_ha_primary_port) || { echo "error: no primary to fail over from" >&2; return 1; }
  if ! _creditgate_ha_autoctl perform failover --pgdata "$CREDITGATE_HA_DIR/monitor" --wait 60 \
    >>"$CREDITGATE_HA_DIR/failover.log" 2>&1; then
    echo "error: pg_autoctl perform failover failed; see $CREDITGATE_HA_DIR/failover.log" >&2
    return 1
  fi
  creditgate_ha_wait_healthy 120 "$old"
}

# SIGKILL of the current primary's postmaster (its pid: the first line of PGDATA/postmaster.pid).
# Prints the port it was on. Whatever follows (restart by its keeper, or a failover) is up to
# pg_auto_failover; see creditgate_ha_wait_healthy.
creditgate_ha_kill_primary() {
  local port node pid
  port=$(creditgate_ha_primary_port) || { echo "error: no primary to kill" >&2; return 1; }
  node=$(_creditgate_ha_node_on "$port") || return 1
  pid=$(head -n 1 "$CREDITGATE_HA_DIR/$node/postmaster.pid" 2>/dev/null)
  if [[ ! $pid =~ ^[0-9]+$ ]]; then
    echo "error: no postmaster.pid in $CREDITGATE_HA_DIR/$node" >&2
    return 1
  fi
  kill -KILL "$pid" || return 1
  echo "$port"
}

# SIGKILL of the current primary's whole node: its keeper's process group (pg_autoctl run, its
# PostgreSQL and backends), as when the machine dies. Nothing restarts it: creditgate_ha_restart_node.
# Prints the port it was on.
creditgate_ha_kill_primary_node() {
  local port node pgid
  port=$(creditgate_ha_primary_port) || { echo "error: no primary to kill" >&2; return 1; }
  node=$(_creditgate_ha_node_on "$port") || return 1
  pgid=${CREDITGATE_HA_PGID_OF[$node]:-}
  [[ -n $pgid ]] || { echo "error: no keeper recorded for $node" >&2; return 1; }
  kill -KILL -- "-$pgid" || return 1
  echo "$port"
}

# Start the keeper (pg_autoctl run) of the node on PORT again, e.g. after creditgate_ha_kill_primary_node.
creditgate_ha_restart_node() {
  local node
  node=$(_creditgate_ha_node_on "${1:?usage: creditgate_ha_restart_node PORT}") || return 1
  if kill -0 -- "-${CREDITGATE_HA_PGID_OF[$node]}" 2>/dev/null; then
    echo "error: the keeper of $node is still running" >&2
    return 1
  fi
  _creditgate_ha_spawn "$node"
}

# Stop the keepers (which stop their PostgreSQL), then anything left, and remove the directory.
# Safe to call more than once and inside a trap (never fails, keeps $?).
creditgate_ha_stop() {
  local rc=$? dir=$CREDITGATE_HA_DIR node pgid deadline pid
  [[ -n $dir && -d $dir ]] || return "$rc"
  echo "stopping pg_auto_failover in $dir" >&2
  for node in node2 node1 monitor; do
    [[ -d $dir/$node ]] || continue
    _creditgate_ha_autoctl stop --pgdata "$dir/$node" --fast >/dev/null 2>&1
  done
  for node in node2 node1 monitor; do
    pgid=${CREDITGATE_HA_PGID_OF[$node]:-}
    [[ -n $pgid ]] || continue
    deadline=$((SECONDS + 30))
    while kill -0 -- "-$pgid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
    if kill -0 -- "-$pgid" 2>/dev/null; then
      echo "warning: the keeper of $node did not stop; killing its process group" >&2
      kill -KILL -- "-$pgid" 2>/dev/null
    fi
  done
  # A postmaster that outlived its keeper (e.g. after a kill above).
  for node in node2 node1 monitor; do
    pid=$(head -n 1 "$dir/$node/postmaster.pid" 2>/dev/null)
    if [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
      _creditgate_pg_as_owner "$CREDITGATE_PG_BIN/pg_ctl" -D "$dir/$node" stop -m immediate -w -t 30 \
        >/dev/null 2>&1 || echo "warning: could not stop PostgreSQL in $dir/$node" >&2
    fi
  done
  rm -rf -- "$dir" || echo "warning: could not remove $dir" >&2
  CREDITGATE_HA_DIR=''
  CREDITGATE_HA_PORT_OF=()
  CREDITGATE_HA_PGID_OF=()
  return "$rc"
}
