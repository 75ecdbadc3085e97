#!/usr/bin/env bash
# A throwaway pgbouncer (Debian's 1.18) in pool_mode = transaction in front of a given PostgreSQL,
# for the tests and benchmarks of issue 16 (docs/PGBOUNCER.md). Needs pgbouncer (scripts/lib/deps.sh);
# installs nothing itself.
#
# Source this file, then:
#   creditgate_pgbouncer_start PG_HOST PG_PORT AUTH_FILE [POOL_SIZE]
#       AUTH_FILE: pgbouncer's userlist format, one `"login" "password"` line per login that may
#       connect through the bouncer (plaintext or a SCRAM secret from pg_authid). Clients then log in
#       to the bouncer with SCRAM-SHA-256 (auth_type = scram-sha-256), and the bouncer logs in to
#       PostgreSQL as the same login with the same password (whatever the cluster's pg_hba asks).
#       POOL_SIZE: server connections per (database, login) pair (default_pool_size; default 20).
#   creditgate_pgbouncer_stop      # stops every bouncer this shell started, removes its directory
# CREDITGATE_PGBOUNCER_STATS_USERS (optional, comma-separated logins of the auth file) may read the
# bouncer's console (dbname=pgbouncer: SHOW STATS, SHOW POOLS); nobody may administer it.
#
# On success creditgate_pgbouncer_start exports
#   CREDITGATE_PGBOUNCER_HOST=127.0.0.1
#   CREDITGATE_PGBOUNCER_PORT=<free port, probed from 57432 up>
#   CREDITGATE_PGBOUNCER_DSN="host=127.0.0.1 port=<port>"  (add dbname, user, password)
#   CREDITGATE_PGBOUNCER_DIR (pgbouncer.ini, the auth file, pgbouncer.log)
# and registers creditgate_pgbouncer_stop on EXIT (composed with any EXIT trap already set, like pg.sh).
#
# Choices: every database name is passed through to PG_HOST:PG_PORT (the wildcard entry
# `* = host=... port=...`), so the tests' per-test databases need no entry each. pool_mode =
# transaction: a server connection belongs to a client for one transaction only, so named prepared
# statements and session settings do not survive (1.18 has no max_prepared_statements): the plugin
# and server need database.prepared_statements = false, and their timeouts must come from the login
# role. ignore_startup_parameters = extra_float_digits (sent by some drivers; libpq does not) ;
# `options` is NOT ignored on purpose: a client asking for `-c statement_timeout=...` would silently
# lose it. Loopback only, no TLS: never use this for anything but a disposable setup.

_creditgate_pgbouncer_lib_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/lib/pg.sh
source "$_creditgate_pgbouncer_lib_dir/pg.sh" # _creditgate_pg_as_owner, _creditgate_pg_free_port, _creditgate_pg_port_busy, _creditgate_prepend_exit_handler

CREDITGATE_PGBOUNCER_BIN=${CREDITGATE_PGBOUNCER_BIN:-$(command -v pgbouncer || echo /usr/sbin/pgbouncer)}
CREDITGATE_PGBOUNCER_FIRST_PORT=${CREDITGATE_PGBOUNCER_FIRST_PORT:-57432}
# Every directory of a bouncer started by this shell: creditgate_pgbouncer_stop stops them all.
CREDITGATE_PGBOUNCER_DIRS=()
CREDITGATE_PGBOUNCER_TRAP_SET=${CREDITGATE_PGBOUNCER_TRAP_SET:-}

# Our EXIT handler runs before any set earlier (e.g. pg.sh's, which stops the cluster): the bouncer
# goes first, then the PostgreSQL behind it.
_creditgate_pgbouncer_install_trap() {
  [[ -n $CREDITGATE_PGBOUNCER_TRAP_SET ]] && return 0
  _creditgate_prepend_exit_handler _creditgate_pgbouncer_on_exit # pg.sh
  CREDITGATE_PGBOUNCER_TRAP_SET=1
}

_creditgate_pgbouncer_on_exit() {
  local rc=$?
  set +e
  creditgate_pgbouncer_stop
  return "$rc"
}

# Stop every bouncer this shell started (SIGINT: pgbouncer's "safe shutdown" would wait for clients;
# SIGTERM closes at once) and delete its files. Safe to call more than once and inside a trap.
creditgate_pgbouncer_stop() {
  local rc=$? dir pid
  for dir in "${CREDITGATE_PGBOUNCER_DIRS[@]}"; do
    [[ -d $dir ]] || continue
    if [[ -s $dir/pgbouncer.pid ]]; then
      pid=$(<"$dir/pgbouncer.pid")
      if [[ $pid =~ ^[0-9]+$ ]] && kill -TERM "$pid" 2>/dev/null; then
        echo "stopping pgbouncer (pid $pid) in $dir" >&2
        for _ in {1..100}; do
          kill -0 "$pid" 2>/dev/null || break
          sleep 0.1
        done
        kill -0 "$pid" 2>/dev/null && { kill -KILL "$pid" 2>/dev/null || true; }
      fi
    fi
    rm -rf -- "$dir" || echo "warning: could not remove $dir" >&2
  done
  CREDITGATE_PGBOUNCER_DIRS=()
  return "$rc"
}

creditgate_pgbouncer_start() {
  local pg_host=${1:?usage: creditgate_pgbouncer_start PG_HOST PG_PORT AUTH_FILE [POOL_SIZE]}
  local pg_port=${2:?usage: creditgate_pgbouncer_start PG_HOST PG_PORT AUTH_FILE [POOL_SIZE]}
  local auth_file=${3:?usage: creditgate_pgbouncer_start PG_HOST PG_PORT AUTH_FILE [POOL_SIZE]}
  local pool_size=${4:-20}
  if [[ ! -x $CREDITGATE_PGBOUNCER_BIN ]]; then
    echo "error: pgbouncer not found ($CREDITGATE_PGBOUNCER_BIN): install pgbouncer" >&2
    return 1
  fi
  if [[ ! -r $auth_file ]]; then
    echo "error: creditgate_pgbouncer_start: cannot read the auth file $auth_file" >&2
    return 1
  fi
  [[ $pg_port =~ ^[0-9]+$ && $pool_size =~ ^[0-9]+$ ]] || {
    echo "error: creditgate_pgbouncer_start: PG_PORT and POOL_SIZE must be numbers" >&2
    return 2
  }

  _creditgate_pgbouncer_install_trap

  local dir port attempt
  dir=$(mktemp -d /tmp/creditgate-pgbouncer.XXXXXX) || return 1
  CREDITGATE_PGBOUNCER_DIRS+=("$dir")
  # pgbouncer refuses to run as root: it runs as postgres (as PostgreSQL does in pg.sh), and must
  # read its files and write its pid and log here. The auth file is its own copy, readable by it only.
  install -m 600 -- "$auth_file" "$dir/userlist.txt" || return 1
  if ((EUID == 0)); then
    chown -R postgres: "$dir" || return 1
  fi
  chmod 700 "$dir" || return 1

  port=$CREDITGATE_PGBOUNCER_FIRST_PORT
  for attempt in {1..10}; do
    port=$(_creditgate_pg_free_port "$port") || return 1
    cat >"$dir/pgbouncer.ini" <<EOF || return 1
; creditgate throwaway pgbouncer (scripts/lib/pgbouncer.sh)
[databases]
* = host=$pg_host port=$pg_port

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = scram-sha-256
auth_file = $dir/userlist.txt
pool_mode = transaction
default_pool_size = $pool_size
max_client_conn = 1000
max_db_connections = 0
ignore_startup_parameters = extra_float_digits
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
log_connections = 0
log_disconnections = 0
admin_users =
stats_users = ${CREDITGATE_PGBOUNCER_STATS_USERS:-}
EOF
    ((EUID == 0)) && chown postgres: "$dir/pgbouncer.ini"
    if ! _creditgate_pg_as_owner "$CREDITGATE_PGBOUNCER_BIN" -d -q "$dir/pgbouncer.ini" \
      >"$dir/start.log" 2>&1; then
      if ((attempt < 10)) && grep -qE 'Address already in use|bind' "$dir/pgbouncer.log" "$dir/start.log" 2>/dev/null; then
        echo "port $port was taken meanwhile, trying the next one" >&2
        port=$((port + 1))
        continue
      fi
      echo "error: pgbouncer failed to start (port $port):" >&2
      cat "$dir/start.log" "$dir/pgbouncer.log" >&2 2>/dev/null
      return 1
    fi
    # -d returns once the daemon forked; wait for it to listen (or to die).
    for _ in {1..100}; do
      _creditgate_pg_port_busy "$port" && break
      sleep 0.1
    done
    if _creditgate_pg_port_busy "$port" && [[ -s $dir/pgbouncer.pid ]] &&
      kill -0 "$(<"$dir/pgbouncer.pid")" 2>/dev/null; then
      break
    fi
    if ((attempt < 10)) && grep -qE 'Address already in use' "$dir/pgbouncer.log" 2>/dev/null; then
      echo "port $port was taken meanwhile, trying the next one" >&2
      port=$((port + 1))
      continue
    fi
    echo "error: pgbouncer did not listen on 127.0.0.1:$port:" >&2
    cat "$dir/pgbouncer.log" >&2 2>/dev/null
    return 1
  done

  export CREDITGATE_PGBOUNCER_HOST=127.0.0.1
  export CREDITGATE_PGBOUNCER_PORT=$port
  export CREDITGATE_PGBOUNCER_DSN="host=127.0.0.1 port=$port"
  export CREDITGATE_PGBOUNCER_DIR=$dir
  echo "pgbouncer (pool_mode transaction) on 127.0.0.1:$port in front of $pg_host:$pg_port" >&2
}
