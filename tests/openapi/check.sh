#!/usr/bin/env bash
# Checks docs/openapi.yaml: lints it (Redocly, recommended rules, warnings fail too) and, given the
# JSON-lines log of an end-to-end run, validates every logged response against it.
#
#   tests/openapi/check.sh                 lint only
#   tests/openapi/check.sh LOGFILE         lint, then validate_responses.mjs LOGFILE
#   tests/openapi/check.sh --self-test     lint, then show the validator passes the hand-written
#                                          sample_responses.jsonl and fails each broken line below
#
# Installs the pinned npm packages (package-lock.json) into tests/openapi/node_modules when they are
# missing or older than the lock file. Needs Node 20 and the npm registry.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
spec="$root/docs/openapi.yaml"

mode=lint
log=""
case "${1:-}" in
  "") ;;
  --self-test) mode=self-test ;;
  -h | --help)
    sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  -*) echo "check.sh: unknown option $1" >&2; exit 2 ;;
  *)
    mode=validate
    log="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
    [[ -f "$log" ]] || { echo "check.sh: no such file: $1" >&2; exit 2; }
    ;;
esac

cd "$here"
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true NO_UPDATE_NOTIFIER=1

if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  if ! out="$(npm ci --no-audit --no-fund 2>&1)"; then
    printf '%s\n' "$out" >&2
    echo "check.sh: npm ci failed in $here" >&2
    exit 1
  fi
fi

# Lint. Redocly exits 0 on warnings; here a warning fails as well.
if ! out="$(npx --no-install redocly lint --config redocly.yaml "$spec" 2>&1)" ||
  grep -Eq 'You have [0-9]+ warning' <<<"$out"; then
  printf '%s\n' "$out"
  echo "check.sh: lint of docs/openapi.yaml FAILED" >&2
  exit 1
fi
echo "lint: docs/openapi.yaml is valid (redocly $(npx --no-install redocly --version 2>/dev/null), recommended rules, no warnings)"

case "$mode" in
  lint) exit 0 ;;
  validate) exec node validate_responses.mjs "$log" --spec "$spec" ;;
esac

# --self-test ------------------------------------------------------------------------------------
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
pass() { passed=$((passed + 1)); echo "  ok      $1"; }
flunk() { failed=$((failed + 1)); echo "  FAILED  $1"; printf '%s\n' "$2" | sed 's/^/          | /'; }

sample="$here/sample_responses.jsonl"
if out="$(node validate_responses.mjs "$sample" --spec "$spec" 2>&1)"; then
  pass "sample_responses.jsonl validates, every operation covered"
else
  flunk "sample_responses.jsonl should validate" "$out"
fi

# Each case: what the validator must say, a tab, one bad line. The line is appended to the sample
# (so coverage is complete) and must be the one reported.
bad_line=$(($(wc -l <"$sample") + 1))
while IFS=$'\t' read -r expect line; do
  [[ -z "$expect" || "$expect" == \#* ]] && continue
  { cat "$sample"; printf '%s\n' "$line"; } >"$tmp/log.jsonl"
  if out="$(node validate_responses.mjs "$tmp/log.jsonl" --spec "$spec" 2>&1)"; then
    flunk "accepted a bad line ($expect)" "$line"
  elif grep -q "^FAIL line $bad_line: " <<<"$out" && grep -qF -- "$expect" <<<"$out"; then
    pass "refused: $expect"
  else
    flunk "refused, but not for \"$expect\" at line $bad_line" "$out"
  fi
done <<'CASES'
# an undocumented field in a verdict
must NOT have additional properties	{"method":"POST","target":"/v1/batches/b1/decide","status":200,"content_type":"application/json","body":"{\"batch_id\":\"b1\",\"tenant\":\"acme\",\"decision\":\"allow\",\"reason\":\"ok\",\"detail\":\"\",\"replayed\":false,\"recipients_total\":1,\"recipients_allowed\":1,\"currency\":\"EUR\",\"price\":\"0.127200\",\"price_micros\":\"127200\",\"balance\":\"1.000000\",\"balance_micros\":\"1000000\",\"bonus\":\"1\"}"}
# a status the operation does not document
status 201 is not documented for GET /healthz	{"method":"GET","target":"/healthz","status":201,"content_type":"application/json","body":"{\"status\":\"up\"}"}
# 409 is documented for decide and quote, not for outcomes
status 409 is not documented for POST /v1/batches/{batch_id}/outcomes	{"method":"POST","target":"/v1/batches/b1/outcomes","status":409,"content_type":"application/json","body":"{\"error\":{\"code\":\"batch_conflict\",\"message\":\"\"}}"}
# money as a JSON number
/price: must be string	{"method":"POST","target":"/v1/quote","status":200,"content_type":"application/json","body":"{\"tenant\":\"acme\",\"decision\":\"allow\",\"reason\":\"ok\",\"detail\":\"\",\"recipients_total\":1,\"recipients_affordable\":1,\"currency\":\"EUR\",\"price\":0.1272,\"price_micros\":\"127200\",\"available\":null,\"available_micros\":null,\"lines\":[]}"}
# decimal and micro-units that disagree
but balance_micros "99872801" is 99.872801	{"method":"GET","target":"/v1/tenants/acme/balance","status":200,"content_type":"application/json","body":"{\"tenant\":\"acme\",\"currency\":\"EUR\",\"balance\":\"99.872800\",\"balance_micros\":\"99872801\",\"debt\":\"0.000000\",\"debt_micros\":\"0\",\"spent_today\":\"0.000000\",\"spent_today_micros\":\"0\",\"level\":\"ok\"}"}
# a (decision, reason) pair a 200 cannot carry
must match a schema in anyOf	{"method":"POST","target":"/v1/batches/b1/decide","status":200,"content_type":"application/json","body":"{\"batch_id\":\"b1\",\"tenant\":\"acme\",\"decision\":\"block\",\"reason\":\"ledger_unavailable\",\"detail\":\"\",\"replayed\":false,\"recipients_total\":1,\"recipients_allowed\":0,\"currency\":null,\"price\":\"0.000000\",\"price_micros\":\"0\",\"balance\":null,\"balance_micros\":null}"}
# error.code and reason that disagree
/error/code "invalid_tenant_id" differs from /reason "invalid_recipient"	{"method":"POST","target":"/v1/batches/b1/decide","status":422,"content_type":"application/json","body":"{\"batch_id\":\"b1\",\"tenant\":\"acme\",\"decision\":\"block\",\"reason\":\"invalid_recipient\",\"detail\":\"x\",\"replayed\":false,\"recipients_total\":1,\"recipients_allowed\":0,\"currency\":null,\"price\":\"0.000000\",\"price_micros\":\"0\",\"balance\":null,\"balance_micros\":null,\"error\":{\"code\":\"invalid_tenant_id\",\"message\":\"x\",\"field\":\"recipients\"}}"}
# the wrong media type
Content-Type "application/json" is not documented	{"method":"GET","target":"/metrics","status":200,"content_type":"application/json","body":"{}"}
# a 503 without Retry-After (checked when the log has headers)
header Retry-After is missing	{"method":"GET","target":"/readyz","status":503,"content_type":"application/json","body":"{\"ready\":false,\"detail\":\"shutting down\"}","headers":{"cache-control":"no-store"}}
# an unknown path answered with 200
status 200 is not documented for (unknown path)	{"method":"GET","target":"/v1/quote/","status":200,"content_type":"application/json","body":"{}"}
# not a log entry
"status" must be an integer	{"method":"GET","target":"/healthz","status":"200","content_type":"application/json","body":"{\"status\":\"up\"}"}
CASES

# Coverage: a log that never calls GET /metrics fails, whatever else it holds.
grep -v '"target":"/metrics"' "$sample" >"$tmp/no-metrics.jsonl"
if out="$(node validate_responses.mjs "$tmp/no-metrics.jsonl" --spec "$spec" 2>&1)"; then
  flunk "accepted a log without GET /metrics" "$out"
elif grep -q '^FAIL coverage: GET /metrics' <<<"$out" && ! grep -q '^FAIL line' <<<"$out"; then
  pass "refused: an operation never exercised (GET /metrics)"
else
  flunk "refused a log without GET /metrics, but not for coverage alone" "$out"
fi

echo "openapi self-test: $passed passed, $failed failed"
[[ "$failed" -eq 0 ]]
