#!/usr/bin/env bash
# Debian 12 packages that creditgate needs to build, test and run its demo.
# Source this file, then call creditgate_install_deps. It installs only what is missing.
#
# Do not add libboost-all-dev or libboost-dev: those are Boost 1.74 and conflict with the 1.81
# packages below (docs/LIBRARY-NOTES.md).

CREDITGATE_DEPS=(
  cmake g++ make pkg-config
  libboost1.81-dev libboost-json1.81-dev
  libpqxx-dev prometheus-cpp-dev
  libssl-dev  # OpenSSL 3's libcrypto: API keys (server/auth/)
  libsodium-dev  # Argon2id: the portal's passwords (server/auth/password.hpp)
  libsystemd-dev  # sd_notify: creditgate-server tells systemd it is ready (server/app/service_notify.hpp)
  libgtest-dev libgmock-dev libbenchmark-dev
  postgresql-15 postgresql-client-15
  postgresql-15-auto-failover  # pg_autoctl: the HA test and demo's monitor/primary/secondary (scripts/lib/ha.sh)
  pgbouncer   # issue 16: the pg_pgbouncer test and bench-decisions --pgbouncer (scripts/lib/pgbouncer.sh)
  prometheus  # for promtool (metrics/check); --no-install-recommends keeps it small
  curl        # the demo's requests to creditgate-server; the TLS test's independent client
  openssl     # the TLS test's throwaway certificate
  chromium    # the billing portal's browser tests (tests/browser), headless
  python3-aiosmtpd      # the notification tests' SMTP sink (tests/notify/smtp_sink.py)
  libcurl4-openssl-dev  # notification delivery: SMTP mail and webhooks through libcurl
  # issue 17: the Debian packages (tests/packaging/run.sh): dpkg-shlibdeps for their Depends,
  # lintian, a bookworm chroot to install them into, systemd-analyze for the unit
  dpkg-dev lintian debootstrap systemd
  man-db      # man -l, lexgrog and groff (groff-base): the man_completion test renders the pages
)

# True when the package is fully installed (not merely known to dpkg, e.g. "config-files" only).
creditgate_pkg_installed() {
  local status
  status=$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null) || return 1
  [[ $status == installed ]]
}

creditgate_install_deps() {
  local pkg log rc
  local -a missing=() sudo=()

  for pkg in "${CREDITGATE_DEPS[@]}"; do
    creditgate_pkg_installed "$pkg" || missing+=("$pkg")
  done
  # Node.js and npm run the OpenAPI lint and response check (tests/openapi). Any Node >= 18.17
  # will do: Debian's, or one already on the machine from elsewhere (whose own npm would conflict
  # with Debian's npm package, so it is only asked for when there is no npm at all).
  if ! command -v npm >/dev/null 2>&1; then
    missing+=(nodejs npm)
  fi
  if ((${#missing[@]} == 0)); then
    echo "dependencies: all ${#CREDITGATE_DEPS[@]} packages already installed"
    return 0
  fi

  if ((EUID != 0)); then
    if command -v sudo >/dev/null 2>&1; then
      sudo=(sudo --non-interactive)
    else
      echo "error: missing packages (${missing[*]}) and not root; install them or run as root" >&2
      return 1
    fi
  fi

  echo "dependencies: installing ${missing[*]}"
  log=$(mktemp /tmp/creditgate-apt.XXXXXX)
  # Quiet on success; the whole apt output on failure. Wait for a dpkg lock held by someone else.
  rc=0
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get -q -o DPkg::Lock::Timeout=600 update >"$log" 2>&1 || rc=$?
  if ((rc == 0)); then
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
      apt-get -q -y --no-install-recommends -o DPkg::Lock::Timeout=600 \
      install "${missing[@]}" >>"$log" 2>&1 || rc=$?
  fi
  if ((rc != 0)); then
    echo "error: apt-get failed (exit $rc) installing: ${missing[*]}" >&2
    cat "$log" >&2
    rm -f -- "$log"
    return "$rc"
  fi
  rm -f -- "$log"

  for pkg in "${missing[@]}"; do
    if ! creditgate_pkg_installed "$pkg"; then
      echo "error: $pkg still not installed after apt-get" >&2
      return 1
    fi
  done
  echo "dependencies: installed ${#missing[@]} package(s)"
}

# creditgate_npm_ci DIR: the pinned npm packages of DIR (its package-lock.json) into DIR/node_modules,
# when missing or older than the lock file. Quiet; npm's whole output on failure. Needs Node and npm.
creditgate_npm_ci() {
  local dir=${1:?usage: creditgate_npm_ci DIR} out
  if [[ -f $dir/node_modules/.package-lock.json &&
    ! $dir/package-lock.json -nt $dir/node_modules/.package-lock.json ]]; then
    return 0
  fi
  if ! out=$(cd -- "$dir" && NO_UPDATE_NOTIFIER=1 npm ci --no-audit --no-fund 2>&1); then
    printf '%s\n' "$out" >&2
    echo "error: npm ci failed in $dir" >&2
    return 1
  fi
}
