#!/usr/bin/env bash
# Runs portal.mjs (the billing portal in Debian's Chromium, headless) with the environment the
# server test (tests/server/portal_browser_servertest.cpp) gives it. Installs the pinned npm
# packages (package-lock.json) into tests/browser/node_modules when missing or older than the lock.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
export NO_UPDATE_NOTIFIER=1
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  if ! out="$(npm ci --no-audit --no-fund 2>&1)"; then
    printf '%s\n' "$out" >&2
    echo "run.sh: npm ci failed in $here" >&2
    exit 1
  fi
fi
export CHROMIUM="${CHROMIUM:-$(command -v chromium || true)}"
[[ -x "$CHROMIUM" ]] || { echo "run.sh: Debian's chromium is not installed (apt-get install chromium)" >&2; exit 1; }
exec node portal.mjs
