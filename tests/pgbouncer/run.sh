#!/usr/bin/env bash
# The money suite through a real pgbouncer 1.18 in pool_mode = transaction (issue 16,
# docs/PGBOUNCER.md): starts a throwaway bouncer (scripts/lib/pgbouncer.sh) in front of
# CREDITGATE_TEST_PG and runs the pg tests below with
#   CREDITGATE_TEST_PGBOUNCER  the bouncer: TestDatabase's plugin, server and portal logins connect
#                              through it (superuser and admin, i.e. migrations, stay direct), and
#                              each test database gets the logins' statement_timeout / lock_timeout
#                              set on the role (ALTER ROLE ... IN DATABASE ... SET), as an operator
#                              must behind a transaction pooler;
#   CREDITGATE_TEST_UNPREPARED=1  the plugin's database.prepared_statements = false.
# Fails when any test fails, when the bouncer cannot be started, or when its statistics show no
# test traffic went through it.
#
#   tests/pgbouncer/run.sh PG_TESTS_BINARY [EXTRA_GTEST_ARGS...]
#
# Run through the bouncer (85 tests, about 85 s on the 2-CPU dev VM, preset ci):
#   ConcurrencyTest (16 threads racing retries), MultiGatewayTest (3 gateway processes),
#   GatheringTest + GroupCommitTest (group commit), FlushPathsTest, SettlementTest, PartialTest,
#   DecideTest, InDoubtTest and DoubtTest (their TcpProxy sits between the plugin and the bouncer),
#   KilledBackendsTest (pg_terminate_backend of the bouncer's server connections), AccountBalanceTest,
#   ApiKeysTest (creditgate-server's key store, auth.prepared_statements off; creditctl direct),
#   UnpreparedStatementsTest except the one below.
# Excluded, for a genuine reason:
#   UnpreparedStatementsTest.SaysSoWhenTheLoginRoleCarriesNoStatementTimeout: it asserts the warning
#     for a login role WITHOUT timeouts; this run sets them on the role, as an operator must.
#   PreparedStatementsDefault.*: the default mode (prepared statements on), which a transaction
#     pooler cannot serve by design (through pgbouncer 1.18 with it on, the concurrency tests fail).
# Not run here, to keep this run short: the other pg suites (creditctl, whose admin DSN stays direct
# anyway since migrations hold a session advisory lock; migrations, privileges, rates,
# notifications, portal, outages); they run directly in the pg test.
set -euo pipefail

pg_tests=${1:?usage: tests/pgbouncer/run.sh PG_TESTS_BINARY [EXTRA_GTEST_ARGS...]}
shift
root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)
: "${CREDITGATE_TEST_PG:?CREDITGATE_TEST_PG is not set: run through scripts/test, which starts a throwaway PostgreSQL}"

# shellcheck source=scripts/lib/pgbouncer.sh
source "$root/scripts/lib/pgbouncer.sh"

dsn_value() { # KEYWORD: its value in CREDITGATE_TEST_PG (simple key=value DSNs, as scripts/test makes)
  sed -nE "s/(^|.* )$1=([^ ]+).*/\\2/p" <<<"$CREDITGATE_TEST_PG"
}
pg_host=$(dsn_value host)
pg_port=$(dsn_value port)
[[ -n $pg_host && -n $pg_port ]] || {
  echo "error: CREDITGATE_TEST_PG has no host= and port= ($0 needs a TCP cluster)" >&2
  exit 2
}

# The test logins of tests/support/test_database.cpp (a test-only password, not a secret).
work=$(mktemp -d /tmp/creditgate-pgbouncer-run.XXXXXX)
trap 'rm -rf -- "$work"' EXIT
for login in creditgate_test_plugin creditgate_test_server creditgate_test_portal; do
  printf '"%s" "test-only-password"\n' "$login"
done >"$work/userlist.txt"

# The plugin login may read the bouncer's statistics: the check after the tests.
CREDITGATE_PGBOUNCER_STATS_USERS=creditgate_test_plugin \
  creditgate_pgbouncer_start "$pg_host" "$pg_port" "$work/userlist.txt"

filter='ConcurrencyTest.*:MultiGatewayTest.*:GatheringTest.*:GroupCommitTest.*:FlushPathsTest.*'
filter+=':SettlementTest.*:PartialTest.*:DecideTest.*:InDoubtTest.*:DoubtTest.*'
filter+=':KilledBackendsTest.*:AccountBalanceTest.*:UnpreparedStatementsTest.*:ApiKeysTest.*'
filter+='-UnpreparedStatementsTest.SaysSoWhenTheLoginRoleCarriesNoStatementTimeout'

rc=0
CREDITGATE_TEST_PGBOUNCER=$CREDITGATE_PGBOUNCER_DSN CREDITGATE_TEST_UNPREPARED=1 \
  "$pg_tests" --gtest_filter="$filter" "$@" || rc=$?
if ((rc != 0)); then
  echo "--- pgbouncer log (last 50 lines) ---" >&2
  tail -n 50 "$CREDITGATE_PGBOUNCER_DIR/pgbouncer.log" >&2 || true
  exit "$rc"
fi

# The tests passing proves little unless their traffic went through the bouncer: its own count of
# the transactions it pooled for the tests' databases (SHOW STATS: database, total_xact_count, ...).
stats=$(creditgate_psql "$CREDITGATE_PGBOUNCER_DSN dbname=pgbouncer user=creditgate_test_plugin password=test-only-password" \
  -At -F ' ' -c "SHOW STATS") || {
  echo "error: cannot read pgbouncer's SHOW STATS" >&2
  exit 1
}
read -r databases transactions < <(awk '$1 ~ /^creditgate_test_/ { n++; t += $2 } END { print n + 0, t + 0 }' <<<"$stats")
echo "pgbouncer pooled $transactions transactions for $databases test databases"
if ((databases == 0 || transactions == 0)); then
  echo "error: no test traffic went through pgbouncer (is CREDITGATE_TEST_PGBOUNCER honoured?)" >&2
  exit 1
fi
