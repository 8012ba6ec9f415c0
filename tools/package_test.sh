#!/usr/bin/env bash
# The Debian package, end to end on this machine (issue #26; CI's "package" stage): builds it
# with cpack from BUILD (default build/release), installs it with dpkg -i, checks the unit with
# systemd-analyze verify, starts taxiid as the unit's ExecStart would (as the taxiid user, in
# its state directory), asks for a Discovery and /health/ready, stops it, then dpkg -r (binaries
# gone, configuration and store kept) and dpkg --purge (configuration, store and user gone).
# Needs root and a machine where the package may be installed (it is removed at the end).
#   tools/package_test.sh [BUILD]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
fail() { echo "package_test: FAIL: $*" >&2; exit 1; }
say() { echo "package_test: $*" >&2; }
[ "$(id -u)" = 0 ] || { echo "package_test: SKIP: needs root (dpkg -i)" >&2; exit 0; }
for t in cpack dpkg systemd-analyze setpriv curl; do command -v $t >/dev/null || fail "needs $t"; done
if dpkg-query -W -f='${Status}' taxii 2>/dev/null | grep -q 'install ok installed'; then
  fail "a taxii package is installed already; remove it first (dpkg -r taxii)"
fi
if (exec 3<>/dev/tcp/127.0.0.1/9000) 2>/dev/null; then fail "127.0.0.1:9000 (the packaged configuration's port) is in use"; fi

cmake --build "$build" --target taxiid taxii taxii2 >/dev/null
out=$(mktemp -d /tmp/taxii-package.XXXXXX)
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  dpkg --purge taxii >/dev/null 2>&1 || true
  rm -rf "$out"
}
trap cleanup EXIT
(cd "$build" && cpack -G DEB -B "$out" >"$out/cpack.log" 2>&1) || { cat "$out/cpack.log" >&2; fail "cpack"; }
deb=$(ls "$out"/taxii_*.deb)
say "built $(basename "$deb") ($(stat -c %s "$deb") bytes)"
dpkg -i "$deb" >"$out/dpkg.log" 2>&1 || { cat "$out/dpkg.log" >&2; fail "dpkg -i"; }
for f in /usr/sbin/taxiid /usr/bin/taxii /usr/bin/taxii2 /etc/taxiid/taxiid.yaml /lib/systemd/system/taxiid.service; do
  [ -e "$f" ] || fail "$f not installed"
done
getent passwd taxiid >/dev/null || fail "no taxiid user after install"
[ "$(stat -c %U /var/lib/taxiid)" = taxiid ] || fail "/var/lib/taxiid is not owned by taxiid"
verify=$(systemd-analyze verify /lib/systemd/system/taxiid.service 2>&1) || fail "systemd-analyze verify: $verify"
[ -z "$verify" ] || fail "systemd-analyze verify printed: $verify"
say "installed; systemd-analyze verify: clean"

# The unit's ExecStartPre and ExecStart, as its user, in its working directory.
unit=/lib/systemd/system/taxiid.service
pre=$(sed -n 's/^ExecStartPre=//p' "$unit"); start=$(sed -n 's/^ExecStart=//p' "$unit")
as_unit() { (cd /var/lib/taxiid && exec setpriv --reuid=taxiid --regid=taxiid --init-groups --no-new-privs "$@"); }
# shellcheck disable=SC2086
as_unit $pre >"$out/check.log" 2>&1 || { cat "$out/check.log" >&2; fail "ExecStartPre ($pre)"; }
# shellcheck disable=SC2086
(cd /var/lib/taxiid && exec setpriv --reuid=taxiid --regid=taxiid --init-groups --no-new-privs $start) 2>"$out/taxiid.log" &
pid=$!
for _ in $(seq 100); do grep -q 'event=ready' "$out/taxiid.log" 2>/dev/null && break; kill -0 $pid 2>/dev/null || break; sleep 0.1; done
grep -q 'event=ready' "$out/taxiid.log" || { cat "$out/taxiid.log" >&2; fail "taxiid did not start"; }
ready=$(curl -s -o "$out/ready.json" -w '%{http_code}' http://127.0.0.1:9000/health/ready)
[ "$ready" = 200 ] || fail "/health/ready answered $ready: $(cat "$out/ready.json")"
grep -q '"status":"ready"' "$out/ready.json" || fail "/health/ready body: $(cat "$out/ready.json")"
disc=$(samples/curl-discovery.sh 2>/dev/null || true)
grep -q 'Discovery_Response' <<<"$disc" || fail "no Discovery_Response: $disc"
grep -q '/services/inbox' <<<"$disc" || fail "Discovery lists no inbox: $disc"
[ -f /var/lib/taxiid/taxii.db ] && [ "$(stat -c %U /var/lib/taxiid/taxii.db)" = taxiid ] || fail "no store owned by taxiid in /var/lib/taxiid"
kill -TERM $pid; rc=0; wait $pid || rc=$?; pid=""
[ $rc = 0 ] || { tail -5 "$out/taxiid.log" >&2; fail "taxiid exited $rc on SIGTERM"; }
say "taxiid ran as the unit's user: /health/ready 200, Discovery answered, store in /var/lib/taxiid"

dpkg -r taxii >"$out/remove.log" 2>&1 || { cat "$out/remove.log" >&2; fail "dpkg -r"; }
for f in /usr/sbin/taxiid /usr/bin/taxii /usr/bin/taxii2 /lib/systemd/system/taxiid.service; do
  [ ! -e "$f" ] || fail "$f left after dpkg -r"
done
[ -f /etc/taxiid/taxiid.yaml ] || fail "dpkg -r removed the configuration (a conffile is kept until purge)"
[ -f /var/lib/taxiid/taxii.db ] || fail "dpkg -r removed the store"
dpkg --purge taxii >"$out/purge.log" 2>&1 || { cat "$out/purge.log" >&2; fail "dpkg --purge"; }
[ ! -e /etc/taxiid ] && [ ! -e /var/lib/taxiid ] || fail "dpkg --purge left /etc/taxiid or /var/lib/taxiid"
! getent passwd taxiid >/dev/null || fail "dpkg --purge left the taxiid user"
say "PASS: dpkg -r removed the programs and kept configuration and store; --purge removed both and the user"
