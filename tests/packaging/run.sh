#!/usr/bin/env bash
# The Debian packages as their users meet them (issue 17, docs/PACKAGING.md):
#   1. cpack builds creditgate-{plugin,dev,tools,server} from BUILD_DIR, with the files, Depends
#      and conffiles each should have;
#   2. lintian passes them (every tag left is overridden in the package with its reason);
#   3. `apt-get install ./*.deb` installs them into a clean Debian 12 root (a debootstrap bookworm
#      chroot) with their dependencies from the archive; the postinst made the system user and
#      locked the configs to it, the default config passes creditgate-server --check-config, the
#      man pages are found;
#   4. systemd-analyze verify passes the server's unit as installed there;
#   5. a 20-line gateway (tests/packaging/host_project) is built there with
#      find_package(creditgate) against the installed files only, loads the installed plugin and
#      answers one decision against a throwaway database, migrated and filled by the installed
#      creditctl with the installed SQL and market data; the balance moves by the price.
#
#   tests/packaging/run.sh BUILD_DIR      (root: debootstrap, chroot, mount; about 5 min, most
#                                          of it downloading the chroot's toolchain)
# CREDITGATE_TEST_PG: a superuser DSN on 127.0.0.1 (scripts/test starts one; the chroot shares the
# network). CREDITGATE_DEBIAN_MIRROR: the archive for the chroot (default deb.debian.org).
set -euo pipefail

build=$(cd -- "${1:?usage: tests/packaging/run.sh BUILD_DIR}" && pwd)
source_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)
: "${CREDITGATE_TEST_PG:?CREDITGATE_TEST_PG is not set: run through scripts/test, which starts a throwaway PostgreSQL}"
mirror=${CREDITGATE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
if ((EUID != 0)); then
  echo "error: the package test needs root (debootstrap, chroot, mount): run scripts/test as root" >&2
  exit 1
fi

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
# Runs "$@", quiet on success; on failure shows its output and fails naming the step.
quietly() {
  local step=$1 log
  shift
  log=$(mktemp "$work/step.XXXXXX")
  local rc=0
  "$@" >"$log" 2>&1 || rc=$?
  ((rc == 0)) || { cat "$log" >&2; fail "$step (exit $rc)"; }
}

work=$(mktemp -d /tmp/creditgate-packages.XXXXXX)
root=$work/root
database=creditgate_packages_$$
login=creditgate_pkg_$$
cleanup() {
  local mount
  for mount in "$root/var/cache/apt/archives" "$root/proc"; do
    if mountpoint -q "$mount" 2>/dev/null; then umount -l "$mount"; fi
  done
  psql "$CREDITGATE_TEST_PG" -qX -c "DROP DATABASE IF EXISTS $database" -c "DROP ROLE IF EXISTS $login" \
    >/dev/null 2>&1 || true
  rm -rf -- "$work"
}
trap cleanup EXIT

version=$(sed -n 's/^#define CREDITGATE_VERSION "\(.*\)"$/\1/p' "$build/host_api/creditgate/version.hpp")
arch=$(dpkg --print-architecture)
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
[[ -n $version ]] || fail "no CREDITGATE_VERSION in $build/host_api/creditgate/version.hpp"

echo "== 1. cpack -G DEB (creditgate $version, $arch) =="
rm -rf -- "$build/packages"
(cd "$build" && quietly "cpack" cpack -G DEB)
deb() { echo "$build/packages/creditgate-$1_${version}_$arch.deb"; }
for package in plugin dev tools server; do
  [[ -f $(deb "$package") ]] || fail "cpack made no $(basename "$(deb "$package")"): $(ls "$build/packages")"
  echo "-- creditgate-$package: $(dpkg-deb -f "$(deb "$package")" Depends)"
done
# Each package holds what its users look for, where Debian puts it.
has() {
  dpkg-deb -c "$(deb "$1")" | awk '{print $6}' | grep -qxF -- "./$2" || fail "creditgate-$1 has no /$2"
}
has plugin "usr/lib/$multiarch/creditgate/creditgate_plugin.so"
has dev usr/include/creditgate/plugin_loader.hpp
has dev usr/include/creditgate/version.hpp
has dev "usr/lib/$multiarch/cmake/creditgate/creditgateConfig.cmake"
has dev "usr/lib/$multiarch/cmake/creditgate/creditgateConfigVersion.cmake"
has dev "usr/lib/$multiarch/pkgconfig/creditgate.pc"
has tools usr/bin/creditctl
has tools usr/share/creditgate/sql/001_roles_and_schema.sql
has tools usr/share/creditgate/data/market_prefixes_2025.csv
has tools usr/share/man/man1/creditctl.1.gz
has tools usr/share/bash-completion/completions/creditctl
has server usr/sbin/creditgate-server
has server etc/creditgate/server.json
has server etc/creditgate/creditgate.json
has server lib/systemd/system/creditgate-server.service
has server usr/share/man/man8/creditgate-server.8.gz
for package in plugin dev tools server; do
  has "$package" "usr/share/doc/creditgate-$package/copyright"
done
dpkg-deb -f "$(deb plugin)" Depends | grep -q 'libpqxx-6.4' || fail "creditgate-plugin does not depend on libpqxx-6.4"
dpkg-deb -f "$(deb plugin)" Depends | grep -q 'libboost-json1.81.0' || fail "creditgate-plugin does not depend on libboost-json1.81.0"
dpkg-deb -f "$(deb plugin)" Depends | grep -q 'libprometheus-cpp-core1.0' || fail "creditgate-plugin does not depend on prometheus-cpp"
dpkg-deb -f "$(deb dev)" Depends | grep -qF "creditgate-plugin (= $version)" || fail "creditgate-dev does not depend on its plugin"
dpkg-deb --ctrl-tarfile "$(deb server)" | tar -xO ./conffiles | grep -qx /etc/creditgate/server.json ||
  fail "/etc/creditgate/server.json is not a conffile"

echo "== 2. lintian =="
lintian --fail-on error,warning --info --display-level '>=info' "$build"/packages/*.deb ||
  fail "lintian (above)"
echo "lintian: no error and no warning"

echo "== 3. apt-get install ./*.deb into a clean Debian 12 root =="
# The host's apt cache is lent to the chroot: what the host already downloaded is not fetched again.
quietly "debootstrap bookworm" debootstrap --variant=minbase --cache-dir=/var/cache/apt/archives \
  bookworm "$root" "$mirror"
# /proc for the maintainer scripts and tools that read it, and the host's apt cache. Where this
# runs without the right to mount (an unprivileged container), without them: slower, same checks.
mount -t proc proc "$root/proc" 2>/dev/null || echo "note: cannot mount /proc in the chroot; going on without"
mount --bind /var/cache/apt/archives "$root/var/cache/apt/archives" 2>/dev/null ||
  echo "note: cannot lend the host's apt cache to the chroot; downloading everything"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
mkdir -p "$root/tmp/debs"
cp "$build"/packages/*.deb "$root/tmp/debs/"
in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 "$@"; }
quietly "apt-get update in the chroot" in_root apt-get -q update
# The gateway developer's toolchain, systemd and man as on a server, and our packages with whatever
# they depend on.
quietly "apt-get install ./*.deb" in_root env DEBIAN_FRONTEND=noninteractive \
  apt-get -q -y --no-install-recommends install g++ cmake make pkg-config systemd man-db \
  /tmp/debs/creditgate-plugin_"${version}"_"$arch".deb /tmp/debs/creditgate-dev_"${version}"_"$arch".deb \
  /tmp/debs/creditgate-tools_"${version}"_"$arch".deb /tmp/debs/creditgate-server_"${version}"_"$arch".deb
for package in plugin dev tools server; do
  [[ $(in_root dpkg-query -W -f='${Status} ${Version}' "creditgate-$package") == "install ok installed $version" ]] ||
    fail "creditgate-$package is not installed in the chroot"
done
in_root getent passwd creditgate >/dev/null || fail "the postinst made no system user creditgate"
# Owners as the chroot's own passwd and group name them.
for file in /etc/creditgate/server.json /etc/creditgate/creditgate.json; do
  mode=$(in_root stat -c '%U:%G %a' "$file")
  [[ $mode == "root:creditgate 640" ]] || fail "$file is $mode, not root:creditgate 640"
done
mode=$(in_root stat -c '%U:%G %a' /var/lib/creditgate)
[[ $mode == "creditgate:creditgate 700" ]] || fail "/var/lib/creditgate is $mode, not creditgate:creditgate 700"
# The default config names the installed plugin and passes the server's own check.
quietly "creditgate-server --check-config with the default config" \
  in_root creditgate-server --config /etc/creditgate/server.json --check-config
[[ $(in_root pkg-config --modversion creditgate) == "$version" ]] || fail "pkg-config --modversion creditgate"
[[ -f $root$(in_root pkg-config --variable=plugin creditgate) ]] || fail "pkg-config's plugin variable names no file"
for page in creditctl creditgate-server; do
  in_root man -w "$page" >/dev/null || fail "man $page: no page installed"
done
echo "installed: creditgate-{plugin,dev,tools,server} $version, user creditgate, configs root:creditgate 640"

echo "== 4. systemd-analyze verify (the unit as installed) =="
verify_log=$work/verify.log
in_root systemd-analyze verify creditgate-server.service >"$verify_log" 2>&1 ||
  { cat "$verify_log" >&2; fail "systemd-analyze verify"; }
if [[ -s $verify_log ]]; then cat "$verify_log" >&2; fail "systemd-analyze verify printed findings"; fi
echo "systemd-analyze verify creditgate-server.service: no finding"
in_root systemd-analyze security --offline=yes /lib/systemd/system/creditgate-server.service |
  tail -n 1

echo "== 5. a gateway built with find_package(creditgate) answers one decision =="
cp -r "$source_dir/tests/packaging/host_project" "$root/tmp/host_project"
quietly "the host project's cmake" in_root cmake -S /tmp/host_project -B /tmp/host_project/build
quietly "the host project's build" in_root cmake --build /tmp/host_project/build

psql "$CREDITGATE_TEST_PG" -qX -v ON_ERROR_STOP=1 -c "CREATE DATABASE $database" >/dev/null
dsn="$CREDITGATE_TEST_PG dbname=$database"
ctl() { in_root creditctl --dsn "$dsn" "$@"; }
quietly "creditctl migrate (the installed SQL)" ctl migrate
psql "$dsn" -qX -v ON_ERROR_STOP=1 \
  -c "CREATE ROLE $login LOGIN PASSWORD 'packaged' IN ROLE creditgate_plugin" >/dev/null
quietly "creditctl markets import (the installed market data)" \
  ctl markets import /usr/share/creditgate/data/market_prefixes_2025.csv --valid-from 2025-07-01
cp "$source_dir/tests/data/pricing_eur_2026-07-01.csv" "$root/tmp/Pricing.csv"
quietly "creditctl rates import" ctl rates import /tmp/Pricing.csv
quietly "creditctl tenant add" ctl tenant add acme --currency EUR
quietly "creditctl topup" ctl topup acme 10 --ref packages-1

host=$(sed -n 's/.*host=\([^ ]*\).*/\1/p' <<<"$CREDITGATE_TEST_PG")
port=$(sed -n 's/.*port=\([^ ]*\).*/\1/p' <<<"$CREDITGATE_TEST_PG")
cat >"$root/tmp/creditgate.json" <<JSON
{ "database": { "dsn": "host=$host port=$port dbname=$database user=$login password=packaged" } }
JSON
answer=$(in_root /tmp/host_project/build/tiny_gateway /tmp/creditgate.json acme packages-batch-1 \
  +4915112345678 2>"$work/gateway.err") || { cat "$work/gateway.err" >&2; fail "tiny_gateway: $answer"; }
echo "tiny_gateway: $answer"
read -r decision charged currency _ <<<"$answer"
[[ $decision == allow && $currency == EUR && $charged -gt 0 ]] || fail "expected allow in EUR, got: $answer"
balance=$(psql "$dsn" -qXAt -c "SELECT balance_micros FROM creditgate.tenant WHERE tenant_id = 'acme'")
((balance == 10000000 - charged)) ||
  fail "acme's balance is $balance micro-units, not 10 EUR less the $charged charged"
echo "acme: 10.000000 EUR topped up, $charged micro-units debited, balance $balance"
echo "packages: PASS"
