#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for tests and the demo.
#
# Source this file, then:
#   creditgate_pg_start test      # fsync/synchronous_commit/full_page_writes off: fast, disposable
#   creditgate_pg_start durable   # PostgreSQL's durable defaults (what production and benchmarks use)
#
# On success it exports
#   CREDITGATE_PG_HOST=127.0.0.1
#   CREDITGATE_PG_PORT=<free port, probed from 55432 up>
#   CREDITGATE_PG_SUPERUSER_DSN="host=127.0.0.1 port=<port> user=postgres dbname=postgres"
#   CREDITGATE_PG_DATA (data directory), CREDITGATE_PG_SOCKET_DIR (unix socket directory, = data dir),
#   CREDITGATE_PG_BIN (the PostgreSQL 15 binaries)
# and registers creditgate_pg_stop on EXIT (composed with any EXIT trap already set), so the cluster
# is stopped and its files removed however the script ends; INT and TERM exit (130/143) through it.
# Authentication is trust on loopback only: never use this for anything but a disposable cluster.

CREDITGATE_PG_BIN=${CREDITGATE_PG_BIN:-/usr/lib/postgresql/15/bin}
CREDITGATE_PG_FIRST_PORT=${CREDITGATE_PG_FIRST_PORT:-55432}
# Every directory of a cluster started by this shell: creditgate_pg_stop stops them all.
CREDITGATE_PG_DIRS=()
CREDITGATE_PG_TRAP_SET=${CREDITGATE_PG_TRAP_SET:-}

# Run a PostgreSQL binary as the postgres OS user (initdb refuses root). From / so that an
# untraversable cwd (e.g. /root) causes no warnings.
_creditgate_pg_as_owner() {
  if ((EUID == 0)); then
    (cd / && runuser -u postgres -- "$@")
  else
    (cd / && "$@")
  fi
}

# True when something listens on 127.0.0.1:PORT (or on the wildcard address for PORT).
_creditgate_pg_port_busy() {
  local port=$1
  if command -v ss >/dev/null 2>&1; then
    [[ -n $(ss -Hltn "( sport = :$port )" 2>/dev/null) ]] && return 0
  fi
  # Fallback and double check: a successful connect means the port is taken.
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
}

_creditgate_pg_free_port() {
  local port=$1 last=$(($1 + 200))
  while ((port <= last)); do
    if ! _creditgate_pg_port_busy "$port"; then
      echo "$port"
      return 0
    fi
    port=$((port + 1))
  done
  echo "error: no free TCP port on 127.0.0.1 in $1..$last" >&2
  return 1
}

# Run HANDLER (a function name) first on EXIT, then whatever EXIT trap was already set; make
# INT/TERM/HUP exit through it where the caller has not chosen its own handling. Shared with ha.sh.
_creditgate_prepend_exit_handler() {
  local handler=$1 prev='' current
  current=$(trap -p EXIT)
  if [[ -n $current ]]; then
    # current is: trap -- 'COMMAND' EXIT  (quoted by bash for re-reading)
    local -a parts
    eval "parts=($current)"
    prev=${parts[2]:-}
  fi
  # The previous handler runs after ours and still sees the script's exit status in $?.
  if [[ -n $prev ]]; then
    # shellcheck disable=SC2064  # expand now, on purpose
    trap "$handler; $prev" EXIT
  else
    # shellcheck disable=SC2064
    trap "$handler" EXIT
  fi
  [[ -z $(trap -p INT) ]] && trap 'exit 130' INT
  [[ -z $(trap -p TERM) ]] && trap 'exit 143' TERM
  [[ -z $(trap -p HUP) ]] && trap 'exit 129' HUP
  return 0
}

_creditgate_pg_install_trap() {
  [[ -n $CREDITGATE_PG_TRAP_SET ]] && return 0
  _creditgate_prepend_exit_handler _creditgate_pg_on_exit
  CREDITGATE_PG_TRAP_SET=1
}

# The EXIT handler. set +e: under set -e a failing command in a trap would cut the rest of the
# cleanup (and any handler composed after this one) short; the shell is exiting anyway.
_creditgate_pg_on_exit() {
  local rc=$?
  set +e
  creditgate_pg_stop
  return "$rc"
}

# Stop every cluster this shell started and delete its files. Safe to call more than once, safe
# inside a trap (never fails, never exits, keeps $?).
creditgate_pg_stop() {
  local rc=$? dir
  for dir in "${CREDITGATE_PG_DIRS[@]}"; do
    [[ -d $dir ]] || continue
    if [[ -f $dir/data/postmaster.pid ]]; then
      echo "stopping PostgreSQL in $dir" >&2
      if ! _creditgate_pg_as_owner "$CREDITGATE_PG_BIN/pg_ctl" -D "$dir/data" stop -m fast -w -t 60 \
        >/dev/null 2>&1; then
        _creditgate_pg_as_owner "$CREDITGATE_PG_BIN/pg_ctl" -D "$dir/data" stop -m immediate -w -t 30 \
          >/dev/null 2>&1 || echo "warning: could not stop PostgreSQL in $dir" >&2
      fi
    fi
    rm -rf -- "$dir" || echo "warning: could not remove $dir" >&2
  done
  CREDITGATE_PG_DIRS=()
  return "$rc"
}

creditgate_pg_start() {
  local mode=${1:?usage: creditgate_pg_start test|durable}
  local -a settings
  case $mode in
    test) settings=("fsync = off" "synchronous_commit = off" "full_page_writes = off") ;;
    durable) settings=("fsync = on" "synchronous_commit = on" "full_page_writes = on") ;;
    *)
      echo "error: creditgate_pg_start: mode must be 'test' or 'durable', not '$mode'" >&2
      return 2
      ;;
  esac
  if [[ ! -x $CREDITGATE_PG_BIN/initdb ]]; then
    echo "error: $CREDITGATE_PG_BIN/initdb not found: install postgresql-15" >&2
    return 1
  fi

  _creditgate_pg_install_trap

  local dir data log conf port attempt setting
  dir=$(mktemp -d /tmp/creditgate-pg.XXXXXX) || return 1
  CREDITGATE_PG_DIRS+=("$dir")
  data=$dir/data
  log=$dir/server.log
  # The postgres user must traverse and write here; /tmp itself is world-traversable.
  chmod 755 "$dir" || return 1
  if ((EUID == 0)); then
    chown postgres: "$dir" || return 1
  fi

  if ! _creditgate_pg_as_owner "$CREDITGATE_PG_BIN/initdb" -D "$data" --auth=trust --username=postgres \
    -E UTF8 --locale=C >"$dir/initdb.log" 2>&1; then
    echo "error: initdb failed:" >&2
    cat "$dir/initdb.log" >&2
    return 1
  fi

  conf=$data/postgresql.conf
  {
    echo ""
    echo "# --- creditgate throwaway cluster ($mode) ---"
    echo "listen_addresses = '127.0.0.1'"
    echo "unix_socket_directories = '$data'"
    echo "max_connections = 200"
    for setting in "${settings[@]}"; do echo "$setting"; done
  } >>"$conf" || return 1

  # Another cluster may grab the probed port between probe and bind: then try the next one.
  port=$CREDITGATE_PG_FIRST_PORT
  for attempt in {1..10}; do
    port=$(_creditgate_pg_free_port "$port") || return 1
    echo "port = $port" >>"$conf" # the last setting in the file wins
    if _creditgate_pg_as_owner "$CREDITGATE_PG_BIN/pg_ctl" -D "$data" -l "$log" -w -t 60 start \
      >"$dir/pg_ctl.log" 2>&1; then
      break
    fi
    if ((attempt < 10)) && grep -qE 'could not bind|Address already in use|could not create any TCP/IP sockets' "$log" 2>/dev/null; then
      echo "port $port was taken meanwhile, trying the next one" >&2
      port=$((port + 1))
      continue
    fi
    echo "error: PostgreSQL failed to start (mode $mode, port $port)" >&2
    cat "$dir/pg_ctl.log" >&2
    echo "--- server log ($log) ---" >&2
    cat "$log" >&2 2>/dev/null || true
    return 1
  done

  export CREDITGATE_PG_BIN
  export CREDITGATE_PG_HOST=127.0.0.1
  export CREDITGATE_PG_PORT=$port
  export CREDITGATE_PG_DATA=$data
  export CREDITGATE_PG_SOCKET_DIR=$data
  export CREDITGATE_PG_SUPERUSER_DSN="host=127.0.0.1 port=$port user=postgres dbname=postgres"
  echo "PostgreSQL 15 ($mode) listening on 127.0.0.1:$port, data in $data" >&2
}

# psql against the throwaway cluster: no ~/.psqlrc, stop at the first error. Pass -d or a DSN.
creditgate_psql() {
  "$CREDITGATE_PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"
}
