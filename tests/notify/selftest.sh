#!/usr/bin/env bash
# Self-check of the notification tests' receivers: starts smtp_sink.py and webhook_receiver.mjs on
# ports the OS chooses, sends them mail with curl (smtp://) and webhooks signed here with
# standardwebhooks' Webhook.sign, and checks what their JSON lines recorded and what they answered.
# Installs tests/notify's pinned npm packages first when missing. Needs Debian's /usr/bin/python3
# with python3-aiosmtpd, Node and curl.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
# shellcheck source=../../scripts/lib/deps.sh
source "$root/scripts/lib/deps.sh"
creditgate_npm_ci "$here"

work=$(mktemp -d "${TMPDIR:-/tmp}/creditgate-notify-selftest.XXXXXX")
pids=()
names=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf -- "$work"
}
trap cleanup EXIT

passed=0
failed=0
check() {  # check NAME COMMAND...: one line per check
  if "${@:2}"; then
    passed=$((passed + 1))
    echo "ok:   $1"
  else
    failed=$((failed + 1))
    echo "FAIL: $1"
  fi
}

# start NAME COMMAND...: runs it in the background, waits for "listening on 127.0.0.1:PORT" in its
# output, sets $port.
start() {
  local name=$1 i
  shift
  : >"$work/$name.log"  # before the job opens it: sed below must find it at once
  "$@" >>"$work/$name.log" 2>&1 &
  pids+=($!)
  names+=("$name")
  for ((i = 0; i < 100; i++)); do
    port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$work/$name.log")
    [[ -n $port ]] && return 0
    sleep 0.1
  done
  echo "selftest: $name did not start:" >&2
  cat "$work/$name.log" >&2
  exit 1
}

# jsonl_check FILE JS: evaluates JS with `lines` (the parsed JSON lines of FILE); true when it is.
jsonl_check() {
  node -e '
    const lines = require("fs").readFileSync(process.argv[1], "utf8").split("\n").filter(Boolean)
      .map((l) => JSON.parse(l));
    const ok = eval(process.argv[2]);
    if (!ok) console.error(JSON.stringify(lines, null, 1));
    process.exit(ok ? 0 : 1);' "$1" "$2"
}

# --- SMTP ----------------------------------------------------------------------------------------
py=/usr/bin/python3
start sink "$py" "$here/smtp_sink.py" --port 0 --out "$work/mails.jsonl" --reject-rcpt gone@d.example
sink_port=$port
start auth_sink "$py" "$here/smtp_sink.py" --port 0 --out "$work/auth_mails.jsonl" \
  --user mailer --password 's3cret pass'
auth_port=$port

printf '%s\r\n' "From: CreditGate <billing@b.example>" "To: c@d.example" \
  "Subject: =?utf-8?q?Balance_low_=E2=80=94_acme?=" "Message-ID: <selftest-1@b.example>" \
  "Date: Mon, 01 Jan 2024 00:00:00 +0000" "MIME-Version: 1.0" \
  'Content-Type: multipart/alternative; boundary="b1"' "" "--b1" \
  "Content-Type: text/plain; charset=utf-8" "Content-Transfer-Encoding: quoted-printable" "" \
  "Balance 1=E2=80=AF000 =E2=82=AC" "--b1" "Content-Type: text/html; charset=utf-8" "" \
  "<p>Balance</p>" "--b1--" >"$work/msg.txt"

smtp() {  # smtp PORT RCPT [CURL_ARGS...]: sends msg.txt
  curl -sS --url "smtp://127.0.0.1:$1" --mail-from billing@b.example --mail-rcpt "$2" \
    --upload-file "$work/msg.txt" "${@:3}" 2>"$work/curl.err"
}
smtp_fails() {  # smtp_fails TEXT PORT RCPT [CURL_ARGS...]: curl fails, its error saying TEXT
  ! smtp "${@:2}" && grep -q "$1" "$work/curl.err"
}
check "mail accepted" smtp "$sink_port" c@d.example
check "mail to a rejected recipient fails (550)" smtp_fails 550 "$sink_port" gone@d.example
check "mail without AUTH refused where it is required (530)" smtp_fails 530 "$auth_port" c@d.example
check "mail with wrong credentials refused (535; curl says Login denied)" \
  smtp_fails "Login denied" "$auth_port" c@d.example --user mailer:wrong
check "mail with the right credentials accepted" smtp "$auth_port" c@d.example --user 'mailer:s3cret pass'

check "sink recorded the mail: envelope, headers, decoded parts" jsonl_check "$work/mails.jsonl" '
  const m = lines[0];
  lines.length === 1 && m.mail_from === "billing@b.example" &&
  JSON.stringify(m.rcpt_tos) === "[\"c@d.example\"]" && m.subject === "Balance low — acme" &&
  m.message_id === "<selftest-1@b.example>" && m.from === "CreditGate <billing@b.example>" &&
  m.to === "c@d.example" && m.content_type === "multipart/alternative" &&
  m.text === "Balance 1\u202f000 €" && m.html === "<p>Balance</p>" && m.auth_user === null &&
  m.raw.includes("Message-ID: <selftest-1@b.example>")'
check "auth sink recorded the login" jsonl_check "$work/auth_mails.jsonl" '
  lines.length === 1 && lines[0].auth_user === "mailer"'

# --- webhooks ------------------------------------------------------------------------------------
new_secret="whsec_$(head -c 32 /dev/urandom | base64)"
old_secret="whsec_$(head -c 32 /dev/urandom | base64)"
printf '{"/hooks/acme": ["%s", "%s"]}\n' "$new_secret" "$old_secret" >"$work/secrets.json"
start receiver node "$here/webhook_receiver.mjs" --port 0 --out "$work/hooks.jsonl" \
  --secrets "$work/secrets.json"
hook_port=$port

# hook PATH ID SECRET BODY [SIGNED_BODY [AGE_S]]: signs SIGNED_BODY (default BODY), sent AGE_S seconds
# ago, with SECRET (standardwebhooks' Webhook.sign), POSTs BODY; prints the status answered.
hook() {
  local path=$1 id=$2 secret=$3 body=$4 signed=${5:-$4} age=${6:-0} ts signature
  ts=$(($(date +%s) - age))
  signature=$(cd "$here" && node --input-type=module -e '
    import { Webhook } from "standardwebhooks";
    const [secret, id, ts, body] = process.argv.slice(1);
    console.log(new Webhook(secret).sign(id, new Date(Number(ts) * 1000), body));' \
    "$secret" "$id" "$ts" "$signed")
  curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$hook_port$path" \
    -H 'Content-Type: application/json' -H "webhook-id: $id" -H "webhook-timestamp: $ts" \
    -H "webhook-signature: $signature" --data-binary "$body"
}
body='{"type":"balance.low","data":{"tenant":"acme"}}'
check "signed with the old secret: 200" test "$(hook /hooks/acme msg_1 "$old_secret" "$body")" = 200
check "body changed after signing: 401" \
  test "$(hook /hooks/acme msg_2 "$new_secret" "$body" '{"x":1}')" = 401
check "signed 10 minutes ago: 401" test "$(hook /hooks/acme msg_3 "$new_secret" "$body" "" 600)" = 401
check "no secrets for the path: 401" test "$(hook /other msg_4 "$new_secret" "$body")" = 401
check "flaky-1, first try: 500" test "$(hook /hooks/acme/flaky-1 msg_5 "$new_secret" "$body")" = 500
check "flaky-1, same id again: 200" test "$(hook /hooks/acme/flaky-1 msg_5 "$new_secret" "$body")" = 200
check "status-410: 410" test "$(hook /hooks/acme/status-410 msg_6 "$new_secret" "$body")" = 410
# Rotation: the old secret dropped from the file, read again on the next request.
printf '{"/hooks/acme": ["%s"]}\n' "$new_secret" >"$work/secrets.json"
check "old secret after rotation: 401" test "$(hook /hooks/acme msg_7 "$old_secret" "$body")" = 401
# slow-MS holds only its own request: another one sent meanwhile is answered (and recorded) first.
hook /hooks/acme/slow-4000 msg_8 "$new_secret" "$body" >/dev/null &
slow=$!
sleep 0.3
check "another request answered while a slow one waits" \
  test "$(hook /hooks/acme msg_9 "$new_secret" "$body")" = 200
check "...before the slow one" kill -0 "$slow"
wait "$slow" || true

check "receiver recorded every webhook with its verdict" jsonl_check "$work/hooks.jsonl" '
  const by = (id) => lines.filter((l) => l.webhook_id === id);
  const [m1] = by("msg_1"), [m2] = by("msg_2"), [m3] = by("msg_3"), [m4] = by("msg_4");
  lines.length === 10 && m1.verified && m1.verified_with === 1 && m1.verify_error === null &&
  m1.status === 200 && m1.path === "/hooks/acme" && m1.body.data.tenant === "acme" &&
  /^v1,/.test(m1.webhook_signature) && /^[0-9]+$/.test(m1.webhook_timestamp) &&
  typeof m1.received_at_ms === "number" && m1.headers["content-type"] === "application/json" &&
  !m2.verified && m2.verify_error === "No matching signature found" && m2.status === 401 &&
  !m3.verified && /too old/.test(m3.verify_error) && !m4.verified && m4.verified_with === null &&
  JSON.stringify(by("msg_5").map((l) => [l.status, l.verified])) === "[[500,true],[200,true]]" &&
  by("msg_6")[0].status === 410 && !by("msg_7")[0].verified && by("msg_8")[0].status === 200 &&
  by("msg_9")[0].verified_with === 0 &&
  lines.findIndex((l) => l.webhook_id === "msg_9") < lines.findIndex((l) => l.webhook_id === "msg_8")'

# Both stop cleanly (exit 0) on SIGTERM.
for pid in "${pids[@]}"; do kill -TERM "$pid"; done
for i in "${!pids[@]}"; do
  rc=0
  wait "${pids[i]}" || rc=$?
  check "${names[i]} exits 0 on SIGTERM" test "$rc" = 0
done
pids=()

echo "notify selftest: $passed passed, $failed failed"
((failed == 0))
