#!/usr/bin/env bash
# TAXII 2.1 side by side in one run (issue #22): taxiid and medallion (the OASIS TAXII 2.1
# reference server, ../shared/peers2), each adding N objects (default 10,000) in envelopes of 100
# and reading them back in pages of 1,000, through the same client (taxii2) so the client costs
# both alike. Prints objects/s for both and taxiid / medallion; with --flat M also loads M objects
# (default 1,000,000) into taxiid alone and reads them back in pages of 1,000, printing taxiid's
# peak RSS after the load and after the read (flat memory: the read must not grow it).
#   bench/taxii21.sh [--objects N] [--flat [M]] [--build-dir DIR] [--record]
# Needs the peers2 tarballs set up (/tmp/taxii-peers2; ../shared/peers2/README.md) and a built
# tree (default build/release: taxiid, taxii2). --record appends the table to bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
n=10000; flat=0; build=build/release; record=0
while [ $# -gt 0 ]; do
  case $1 in
    --objects) n=$2; shift ;;
    --flat) flat=1000000; if [[ ${2:-} =~ ^[0-9]+$ ]]; then flat=$2; shift; fi ;;
    --build-dir) build=$2; shift ;;
    --record) record=1 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "bench/taxii21.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
die() { echo "bench/taxii21.sh: $*" >&2; exit 1; }
say() { echo "taxii21: $*" >&2; }
PEERS2_HOME=${PEERS2_HOME:-/tmp/taxii-peers2}
[ -f "$PEERS2_HOME/env.sh" ] || die "no $PEERS2_HOME/env.sh: set up ../shared/peers2 first"
# shellcheck disable=SC1091
. "$PEERS2_HOME/env.sh"
cmake --build "$build" --target taxiid taxii2 >/dev/null || die "build failed"
T2=$root/$build/client/taxii2
tmp=$(mktemp -d /tmp/taxii21-bench.XXXXXX)
pids=(); mdir=""
cleanup() {
  local p; for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true
  [ -n "$mdir" ] && ../shared/peers2/run-medallion.sh --stop "$mdir" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# N indicators in one bundle (distinct ids, one version each).
gen() {  # gen COUNT FILE
  /usr/bin/python3 - "$1" "$2" <<'PY'
import json, sys, uuid
n, path = int(sys.argv[1]), sys.argv[2]
ns = uuid.UUID("6ba7b811-9dad-11d1-80b4-00c04fd430c8")
with open(path, "w") as f:
    f.write('{"type":"bundle","id":"bundle--%s","objects":[' % uuid.uuid5(ns, "b%d" % n))
    for i in range(n):
        o = {"type": "indicator", "spec_version": "2.1", "id": "indicator--%s" % uuid.uuid5(ns, str(i)),
             "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z",
             "name": "bench indicator %d" % i, "pattern_type": "stix", "valid_from": "2024-01-01T00:00:00Z",
             "pattern": "[ipv4-addr:value = '10.%d.%d.%d']" % (i >> 16 & 255, i >> 8 & 255, i & 255)}
        f.write(("," if i else "") + json.dumps(o, separators=(",", ":")))
    f.write("]}")
PY
}

start_taxiid() {  # start_taxiid DIR -> sets TAXIID_URL TAXIID_PID
  local d=$1
  mkdir -p "$d/store"
  cat > "$d/taxiid.yaml" <<EOF
listeners:
  - address: 127.0.0.1
    port: 0
storage: sqlite://$d/store/taxii.db
limits: {max_body_bytes: 67108864, threads: 4}
log: {requests: false}
services:
  - {id: discovery, type: discovery, path: /services/discovery}
collections: []
taxii2:
  prefix: /taxii2/
  title: bench
  default_root: /api1/
  max_page: 1000
  api_roots:
    - path: /api1/
      title: bench
      max_content_length: 67108864
      collections:
        - id: 4f7d2e1a-8c3b-4d5e-9f60-1a2b3c4d5e6f
          alias: bench
          title: bench
EOF
  "$root/$build/server/taxiid" --config "$d/taxiid.yaml" 2> "$d/taxiid.log" &
  TAXIID_PID=$!; pids+=("$TAXIID_PID")
  local i port
  for i in $(seq 100); do grep -q 'event=ready' "$d/taxiid.log" && break; sleep 0.1; done
  port=$(grep -m1 'event=listening' "$d/taxiid.log" | sed -n 's/.* port=\([0-9]*\).*/\1/p')
  [ -n "$port" ] || { cat "$d/taxiid.log" >&2; die "taxiid did not start"; }
  TAXIID_URL=http://127.0.0.1:$port/api1/
}
hwm_kb() { awk '/VmHWM/ { print $2 }' "/proc/$1/status"; }
now() { date +%s.%N; }
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.0f", n / (b - a) }'; }

# add + read for one server: prints "ADD_RATE READ_RATE"
run() {  # run URL COLLECTION FILE COUNT [auth...]
  local url=$1 coll=$2 file=$3 count=$4; shift 4
  local a b c got
  a=$(now)
  "$T2" add --url "$url" --collection "$coll" --batch 100 --wait-timeout 600 --timeout 600 "$@" "$file" \
    > "$tmp/add.out" 2>&1 || { tail -5 "$tmp/add.out" >&2; die "taxii2 add to $url failed"; }
  b=$(now)
  "$T2" get --url "$url" --collection "$coll" --limit 1000 --timeout 600 "$@" -o "$tmp/got.json" \
    > "$tmp/get.out" 2>&1 || { tail -5 "$tmp/get.out" >&2; die "taxii2 get from $url failed"; }
  c=$(now)
  got=$(/usr/bin/python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1])).get("objects",[])))' "$tmp/got.json")
  [ "$got" -ge "$count" ] || die "read back $got of $count objects from $url"
  echo "$(rate "$count" "$a" "$b") $(rate "$got" "$b" "$c")"
}

gen "$n" "$tmp/objects.json"
say "$n objects generated ($(stat -c %s "$tmp/objects.json") bytes)"
start_taxiid "$tmp/taxiid"
read -r t_add t_read <<<"$(run "$TAXIID_URL" bench "$tmp/objects.json" "$n")"
t_hwm=$(hwm_kb "$TAXIID_PID")
say "taxiid: add $t_add objects/s, read $t_read objects/s, peak RSS $t_hwm kB"

mport=$(free_port); mdir=$tmp/medallion
MEDALLION_MAX_PAGE_SIZE=1000 ../shared/peers2/run-medallion.sh "$mport" "$mdir" >/dev/null
m_coll=365fed99-08fa-fdcd-a1b3-fb247eb41d01   # medallion's empty read-write test collection
read -r m_add m_read <<<"$(run "http://127.0.0.1:$mport/trustgroup1/" "$m_coll" "$tmp/objects.json" "$n" \
                             --user admin --password Password0)"
say "medallion: add $m_add objects/s, read $m_read objects/s"

table() {
  echo "## bench/taxii21.sh: TAXII 2.1, taxiid against medallion"
  echo
  echo "- machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); date $(date -u +%Y-%m-%dT%H:%MZ); taxiid $(git rev-parse --short HEAD) ($build), SQLite store (synchronous=FULL); medallion 3.0.0+39e76bf, memory backend, Flask's server"
  echo "- $n indicators added in envelopes of 100 and read back in pages of 1,000, by the same client (taxii2), one run each"
  echo
  echo "| figure | taxiid | medallion | taxiid / medallion |"
  echo "|---|---:|---:|---:|"
  echo "| add, objects/s | $t_add | $m_add | $(awk -v a="$t_add" -v b="$m_add" 'BEGIN { printf "%.1f", a / b }') |"
  echo "| read, objects/s | $t_read | $m_read | $(awk -v a="$t_read" -v b="$m_read" 'BEGIN { printf "%.1f", a / b }') |"
  echo "| taxiid peak RSS after both, kB | $t_hwm | | |"
  if [ "$flat" != 0 ]; then
    echo
    echo "Flat memory: $flat objects into a fresh taxiid (envelopes of 1,000), then read back in pages of 1,000:"
    echo
    echo "| figure | value |"
    echo "|---|---:|"
    echo "| add, objects/s | $f_add |"
    echo "| read, objects/s | $f_read |"
    echo "| peak RSS after the load, kB | $f_hwm_load |"
    echo "| peak RSS after reading all $flat, kB | $f_hwm_read |"
  fi
}
if [ "$flat" != 0 ]; then
  gen "$flat" "$tmp/flat.json"
  start_taxiid "$tmp/flat"
  a=$(now)
  "$T2" add --url "$TAXIID_URL" --collection bench --batch 1000 --timeout 600 "$tmp/flat.json" > "$tmp/flat-add.out" 2>&1 ||
    { tail -5 "$tmp/flat-add.out" >&2; die "flat load failed"; }
  b=$(now); f_add=$(rate "$flat" "$a" "$b"); f_hwm_load=$(hwm_kb "$TAXIID_PID")
  rm -f "$tmp/flat.json"
  "$T2" get --url "$TAXIID_URL" --collection bench --limit 1000 --timeout 600 -o /dev/null > "$tmp/flat-get.out" 2>&1 ||
    { tail -5 "$tmp/flat-get.out" >&2; die "flat read failed"; }
  c=$(now); f_read=$(rate "$flat" "$b" "$c"); f_hwm_read=$(hwm_kb "$TAXIID_PID")
  say "flat: $flat objects, add $f_add/s, read $f_read/s, peak RSS $f_hwm_load kB -> $f_hwm_read kB"
fi
table
if [ $record = 1 ]; then { echo; table; } >> bench/RESULTS.md; fi
