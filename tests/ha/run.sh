#!/usr/bin/env bash
# ctest ha_failover: the failover test (tests/ha/failover_hatest.cpp) against a pg_auto_failover
# cluster of its own (scripts/lib/ha.sh: monitor, primary, synchronous secondary on 127.0.0.1, default
# pg_auto_failover timings), removed again at exit whatever happens.
#
#   tests/ha/run.sh HA_TESTS [GTEST_ARGS...]
#
# The test binary gets CREDITGATE_TEST_PG = the cluster's multi-host DSN (target_session_attrs=
# read-write), so each test's database, logins and DSNs span both nodes, and
# CREDITGATE_TEST_HA_CONTROL = a directory with two FIFOs through which it asks this script to act on
# the cluster: it writes one command line to DIR/in, then reads one answer line from DIR/out.
#   primary       -> "ok <port>"      the port of the current primary
#   failover      -> "ok <port>"      pg_autoctl perform failover; answers once the roles have swapped
#                                     and both nodes are healthy; <port>: the new primary
#   kill-primary  -> "ok <port>"      SIGKILL of the primary's postmaster; answers at once
#   wait-healthy  -> "ok <port>"      until primary + secondary are healthy again (up to 120 s)
# Anything that fails answers "error <what>".
set -euo pipefail
tests_bin=${1:?usage: tests/ha/run.sh HA_TESTS [GTEST_ARGS...]}
shift
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=scripts/lib/ha.sh
source "$ROOT/scripts/lib/ha.sh"

control=$(mktemp -d /tmp/creditgate-ha-control.XXXXXX)
cluster=$(mktemp -d /tmp/creditgate-ha-test.XXXXXX)
rmdir -- "$cluster"
trap 'rm -rf -- "$control"' EXIT # ha.sh composes its cluster cleanup with this trap
creditgate_ha_start "$cluster"
mkfifo "$control/in" "$control/out"

answer() { # runs "$@"; prints "ok <primary port>" or "error <cmd>"
  if "$@" >&2; then
    echo "ok $(creditgate_ha_primary_port || echo '?')"
  else
    echo "error $*"
  fi
}

# A subshell: it shares the cluster's state (ports, keepers) but not the EXIT trap.
(
  while read -r command <"$control/in"; do
    echo "ha control: $command ($(date -u +%T.%3N))" >&2
    case $command in
      primary) reply=$(answer true) ;;
      failover) reply=$(answer creditgate_ha_failover) ;;
      kill-primary) reply=$(answer creditgate_ha_kill_primary) ;;
      wait-healthy) reply=$(answer creditgate_ha_wait_healthy 120) ;;
      *) reply="error unknown command $command" ;;
    esac
    echo "$reply" >"$control/out"
  done
) &
controller=$!

rc=0
CREDITGATE_TEST_PG=$CREDITGATE_HA_DSN CREDITGATE_TEST_HA_CONTROL=$control "$tests_bin" "$@" || rc=$?
kill "$controller" 2>/dev/null || true
if ((rc != 0)); then
  for log in "$CREDITGATE_HA_DIR"/{monitor,node1,node2}.log; do
    echo "== tail of $log"
    tail -n 40 "$log" || true
  done
fi
exit "$rc"
