#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs dependencies, then builds and runs every
# test twice: a normal RelWithDebInfo build and an AddressSanitizer + UBSan build; then runs
# every libFuzzer target briefly (clang, ASan + UBSan; a finding fails the run).
#   tools/test.sh                         all three stages
#   TAXII_BUILDS=release tools/test.sh    only the normal build (faster, for development)
#   TAXII_FUZZ_SECONDS=0 tools/test.sh    skip the fuzz stage (default 20 s per target)
#   TAXII_SKIP_PACKAGE=1 tools/test.sh    skip the Debian package stage (it installs and removes
#                                         the package; needs root)
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh
# Interop peers (tests/interop, label interop): libtaxii, cabby and OpenTAXII, set up from the
# vendored tarballs when they are here; without them the interop tests report "SKIP ...".
PEERS_VENDOR=${TAXII_PEERS_VENDOR:-/tmp/taxii-vendor}
if [ -d "$PEERS_VENDOR" ] && [ -x ../shared/peers/setup.sh ]; then
  export VENDOR=$PEERS_VENDOR PEERS_HOME=${PEERS_HOME:-/tmp/taxii-peers}
  if ../shared/peers/setup.sh >"${TMPDIR:-/tmp}/taxii-peers-setup.log" 2>&1; then
    # shellcheck disable=SC1091
    . "$PEERS_HOME/env.sh"
  else
    echo "peers: setup failed, interop tests will be skipped (${TMPDIR:-/tmp}/taxii-peers-setup.log)" >&2
  fi
fi
# TAXII 2.1 and STIX-conversion peers (medallion, taxii2-client, stix2-elevator/slider, the
# validators), the same way from ../shared/peers2 when their tarballs are here.
PEERS2_VENDOR=${TAXII_PEERS2_VENDOR:-/tmp/taxii-vendor2}
if [ -d "$PEERS2_VENDOR" ] && [ -x ../shared/peers2/setup.sh ]; then
  if VENDOR=$PEERS2_VENDOR PEERS2_HOME=${PEERS2_HOME:-/tmp/taxii-peers2} \
      ../shared/peers2/setup.sh >"${TMPDIR:-/tmp}/taxii-peers2-setup.log" 2>&1; then
    # shellcheck disable=SC1091
    . "${PEERS2_HOME:-/tmp/taxii-peers2}/env.sh"
  else
    echo "peers2: setup failed, TAXII 2.1 and conversion interop tests will be skipped" \
      "(${TMPDIR:-/tmp}/taxii-peers2-setup.log)" >&2
  fi
fi
# A throwaway PostgreSQL for the storage and service suites (never the system cluster).
if [ "${TAXII_SKIP_POSTGRES:-0}" != 1 ]; then
  TAXII_TEST_POSTGRES_URI=$(tools/postgres.sh)
  export TAXII_TEST_POSTGRES_URI
  trap 'tools/postgres.sh stop >/dev/null 2>&1 || true' EXIT
fi
JOBS=${JOBS:-$(nproc)}
BUILDS=${TAXII_BUILDS:-"release asan"}
status=0
for b in $BUILDS; do
  dir=build/$b
  case $b in
    release) flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
    # The PostgreSQL (_pg) variants of the service and wire suites run in the release stage;
    # the sanitizer stage keeps the storage contract and multi-instance tests on PostgreSQL.
    asan) flags=(-DCMAKE_BUILD_TYPE=Debug -DTAXII_SANITIZE=ON -DTAXII_POSTGRES_VARIANTS=OFF) ;;
    *) echo "unknown build $b" >&2; exit 2 ;;
  esac
  echo "=== $b build ($dir)"
  cmake -S . -B "$dir" -G Ninja "${flags[@]}" >/dev/null
  cmake --build "$dir" -j "$JOBS"
  echo "=== $b tests"
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
  export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tools/lsan.supp:print_suppressions=0}
  if ! ctest --test-dir "$dir" -j "$JOBS" --output-on-failure --timeout 900; then status=1; fi
done
# The Debian package (issue #26): built from the release build, installed with dpkg -i, the
# unit verified, taxiid started as the unit would start it, removed and purged.
if [ "${TAXII_SKIP_PACKAGE:-0}" != 1 ] && [[ " $BUILDS " == *" release "* ]]; then
  echo "=== package"
  if ! tools/package_test.sh build/release; then status=1; fi
fi
# Fuzzing (issue #7): each target for a bounded time under ASan + UBSan, seeded from samples/
# and the hostile corpus. Long campaigns: docs/security.md.
FUZZ_SECONDS=${TAXII_FUZZ_SECONDS:-20}
if [ "$FUZZ_SECONDS" != 0 ]; then
  echo "=== fuzz (${FUZZ_SECONDS}s per target)"
  if ! JOBS=$JOBS tools/fuzz.sh "$FUZZ_SECONDS"; then status=1; fi
fi
exit $status
