#!/usr/bin/env bash
# SQLite against PostgreSQL on a real taxiid, side by side (issue #8): ingest (Inbox_Message of
# 1 and of 100 blocks, 1 and 8 clients, wrk) and a full poll of 10,000 blocks (the taxii
# client into an output directory), each run once per backend on a fresh store; prints a
# Markdown table.
#   bench/backends.sh BUILD_DIR POSTGRES_URI [--duration S] [--keep]
#     BUILD_DIR     a Release build with taxiid, taxii and taxii_bench built, e.g.
#                   cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release &&
#                   ninja -C build/bench taxiid taxii taxii_bench
#     POSTGRES_URI  a database taxii may create a schema in (tools/postgres.sh prints one);
#                   the run creates schema bench_<pid> and drops it at the end
#     --duration S  seconds per wrk case (default 10)
#     --keep        keep the temporary directory (stores, logs, bodies)
# Needs wrk, curl, psql and /usr/bin/time. Both taxiids run with the same configuration
# (threads 2 x cores, part_size 1000); SQLite is on the disk of $TMPDIR (synchronous=FULL),
# PostgreSQL where the URI points (synchronous_commit as the server has it).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 2 ] || { sed -n '2,17p' "$0" >&2; exit 2; }
B=$(cd "$1" && pwd); PG=$2; shift 2
duration=10; keep=0
while [ $# -gt 0 ]; do
  case $1 in
    --duration) duration=$2; shift ;;
    --keep) keep=1 ;;
    *) echo "bench/backends.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
TAXIID=$B/server/taxiid; TAXII=$B/client/taxii; TOOL=$B/bench/taxii_bench
for f in "$TAXIID" "$TAXII" "$TOOL"; do [ -x "$f" ] || { echo "bench/backends.sh: $f not built" >&2; exit 1; }; done
for c in wrk curl psql; do command -v $c >/dev/null || { echo "bench/backends.sh: needs $c" >&2; exit 1; }; done
threads=$(( 2 * $(nproc) ))
say() { echo "backends: $*" >&2; }
die() { echo "bench/backends.sh: $*" >&2; exit 1; }
bounded() { timeout --kill-after=10 "$@"; }

tmp=$(mktemp -d /tmp/taxii-backends.XXXXXX)
schema=bench_$$
taxiid_pid=""
stop_taxiid() {
  [ -n "$taxiid_pid" ] || return 0
  kill "$taxiid_pid" 2>/dev/null || true
  wait "$taxiid_pid" 2>/dev/null || true
  taxiid_pid=""
}
cleanup() {
  stop_taxiid
  psql -X -q "$PG" -c "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 || true
  [ "${out_root:-$tmp}" = "$tmp" ] || rm -rf "$out_root"
  if [ $keep = 1 ]; then say "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

psql -X -q -v ON_ERROR_STOP=1 "$PG" -c "SET client_min_messages TO warning; DROP SCHEMA IF EXISTS $schema CASCADE; CREATE SCHEMA $schema" \
  >/dev/null || die "cannot create schema $schema on the PostgreSQL URI"
case $PG in *\?*) pg_store="$PG&options=-csearch_path%3D$schema" ;; *) pg_store="$PG?options=-csearch_path%3D$schema" ;; esac
pg_version=$(psql -X -At "$PG" -c 'SHOW server_version' 2>/dev/null || echo '?')
pg_sync=$(psql -X -At "$PG" -c 'SHOW synchronous_commit' 2>/dev/null || echo '?')

# --- bodies (the same for both backends) ----------------------------------------------------
mkdir -p "$tmp/bodies/in1" "$tmp/bodies/in100"
"$TOOL" gen --dir "$tmp/bodies/in1" --messages 2000 --blocks 1 --dest ingest --seed 0 >/dev/null
"$TOOL" gen --dir "$tmp/bodies/in100" --messages 100 --blocks 100 --dest ingest --seed 1 >/dev/null

# start_taxiid BACKEND STORE_URI: a fresh taxiid; sets base, taxiid_pid
start_taxiid() {
  local name=$1 store=$2 dir=$tmp/$1
  mkdir -p "$dir/store"
  cat > "$dir/taxiid.yaml" <<EOF
listeners:
  - address: 127.0.0.1
    port: 0
storage: "$store"
limits:
  max_body_bytes: 67108864
  max_connections: 10000
  threads: $threads
  keep_alive_timeout: 120
  request_timeout: 600
poll:
  part_size: 1000
  result_ttl: 86400
services:
  - {id: inbox, type: inbox, path: /services/inbox, destination_collection_names: required}
  - {id: poll, type: poll, path: /services/poll}
collections:
  - {name: ingest, type: DATA_FEED, content_bindings: [urn:stix.mitre.org:xml:1.1.1], service_ids: [inbox, poll]}
  - {name: poll10k, type: DATA_FEED, content_bindings: [urn:stix.mitre.org:xml:1.1.1], service_ids: [inbox, poll]}
EOF
  "$TAXIID" --check-config "$dir/taxiid.yaml" >&2 || die "$name: --check-config refused the configuration"
  (cd "$dir" && exec "$TAXIID" --config "$dir/taxiid.yaml" 2> "$dir/taxiid.log") &
  taxiid_pid=$!
  for _ in $(seq 300); do
    grep -q 'event=ready' "$dir/taxiid.log" 2>/dev/null && break
    kill -0 $taxiid_pid 2>/dev/null || { cat "$dir/taxiid.log" >&2; die "$name: taxiid did not start"; }
    sleep 0.1
  done
  local port; port=$(grep -m1 'event=listening' "$dir/taxiid.log" | sed -n 's/.* port=\([0-9]*\).*/\1/p')
  [ -n "$port" ] || die "$name: no port in taxiid's log"
  base=http://127.0.0.1:$port
  say "$name: taxiid pid $taxiid_pid on $base"
}

hz=$(getconf CLK_TCK)
cpu_s() { awk -v hz="$hz" '{ printf "%.3f", ($14 + $15) / hz }' "/proc/$1/stat"; }

declare -A RPS P50 P99 CPU PWALL PREQ PCPU PMS
# wrk_ingest BACKEND BLOCKS CLIENTS
wrk_ingest() {
  local be=$1 b=$2 c=$3 n out line c0 c1
  n=$([ "$b" = 1 ] && echo 2000 || echo 100)
  c0=$(cpu_s $taxiid_pid)
  out=$(BENCH_BODIES=$tmp/bodies/in$b BENCH_COUNT=$n BENCH_PATH=/services/inbox BENCH_EXPECT='status_type="SUCCESS"' \
        bounded $(( duration + 120 )) wrk -t$(( c < 2 ? 1 : 2 )) -c"$c" -d"${duration}s" --timeout 60s \
        -s "$root/bench/taxii.lua" "$base" 2> "$tmp/wrk.err") || { cat "$tmp/wrk.err" >&2; die "wrk failed"; }
  c1=$(cpu_s $taxiid_pid)
  line=$(grep '^RESULT' <<<"$out") || die "wrk printed no RESULT: $out"
  field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$line"; }
  [ "$(field bad)" = 0 ] && [ "$(field socket_errors)" = 0 ] || { cat "$tmp/wrk.err" >&2; die "$be ingest ${b}x$c: errors: $line"; }
  local k=$be.$b.$c
  RPS[$k]=$(field rps); P50[$k]=$(field p50_ms); P99[$k]=$(field p99_ms)
  CPU[$k]=$(awk -v a="$c0" -v b="$c1" -v n="$(field requests)" 'BEGIN { printf "%.2f", (b - a) * 1000 / n }')
  say "$be ingest $b blocks/message, $c clients: ${RPS[$k]} messages/s, p50 ${P50[$k]} ms, p99 ${P99[$k]} ms"
}

# The poll's output goes to tmpfs when there is room, so that the client's 10,000 file
# creations do not queue behind the database's disk writes (PostgreSQL checkpoints after a
# bulk load) and the figure measures TAXII, not the file system.
out_root=$tmp
if [ -d /dev/shm ] && [ "$(df -k --output=avail /dev/shm | tail -1)" -gt 262144 ]; then
  out_root=$(mktemp -d /dev/shm/taxii-backends-out.XXXXXX)
fi

# poll_10k BACKEND: load 10,000 blocks, then one full poll with the taxii client
poll_10k() {
  local be=$1 dir=$out_root/out-$1 t0 t1 s0 log0 files
  bounded 900 "$TOOL" load --url "$base/services/inbox" --dest poll10k --blocks 10000 --per-message 100 --clients 4 \
    > "$tmp/$be/load.out" || die "$be: loading 10k blocks failed"
  log0=$(wc -l < "$tmp/$be/taxiid.log"); s0=$(cpu_s $taxiid_pid)
  t0=$(date +%s.%N)
  bounded 900 "$TAXII" poll --url "$base/services/poll" --collection poll10k --output-dir "$dir" \
    > "$tmp/$be/poll.out" 2> "$tmp/$be/poll.err" || { cat "$tmp/$be/poll.err" >&2; die "$be: taxii poll failed"; }
  t1=$(date +%s.%N)
  files=$(find "$dir" -type f | wc -l)
  [ "$files" = 10000 ] || die "$be: taxii poll wrote $files files, expected 10000"
  PWALL[$be]=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
  PCPU[$be]=$(awk -v a="$s0" -v b="$(cpu_s $taxiid_pid)" 'BEGIN { printf "%.2f", b - a }')
  PREQ[$be]=$(tail -n +$(( log0 + 1 )) "$tmp/$be/taxiid.log" | grep -c 'path=/services/poll ' || true)
  # taxiid's own time for those requests (its log's ms= per request), without the client's
  PMS[$be]=$(tail -n +$(( log0 + 1 )) "$tmp/$be/taxiid.log" | grep 'path=/services/poll ' |
             sed -n 's/.* ms=\([0-9.]*\).*/\1/p' | awk '{ t += $1 } END { printf "%.2f", t / 1000 }')
  say "$be poll 10k: ${PWALL[$be]} s, ${PREQ[$be]} requests (taxiid ${PMS[$be]} s), taxiid CPU ${PCPU[$be]} s"
  rm -rf "$dir"
}

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
for be in sqlite postgres; do
  if [ $be = sqlite ]; then start_taxiid sqlite "sqlite://store/taxii.db"; else start_taxiid postgres "$pg_store"; fi
  for b in 1 100; do for c in 1 8; do wrk_ingest $be $b $c; done; done
  poll_10k $be
  stop_taxiid
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

fmt0() { printf "%'.0f" "$1"; }
echo "## bench/backends.sh: SQLite vs PostgreSQL"
echo
echo "- machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -r); date $(date -u +%Y-%m-%dT%H:%MZ)"
echo "- load average at start $load_start, at end $load_end (other work on the machine skews both columns alike only roughly)"
# No absolute paths in the record (it is read on other machines): the build directory relative
# to the repository, the store's place by kind only, the server by version and port.
echo "- taxiid from ${B#"$root"/}, $threads worker threads; SQLite: WAL, synchronous=FULL, file in a temporary directory;" \
     "PostgreSQL $pg_version (synchronous_commit=$pg_sync) on 127.0.0.1:$(sed -E 's|.*:([0-9]+)/.*|\1|' <<<"$PG")"
echo "- poll output (one file per block) on $([ "$out_root" = "$tmp" ] && echo "the disk" || echo "tmpfs")"
echo "- content: STIX 1.1.1 indicators, 2-4 KB each; wrk ${duration} s per ingest case, every answer checked SUCCESS"
echo
echo "| workload | SQLite | PostgreSQL | PostgreSQL / SQLite |"
echo "|---|---:|---:|---:|"
for b in 1 100; do for c in 1 8; do
  s=${RPS[sqlite.$b.$c]}; p=${RPS[postgres.$b.$c]}
  echo "| ingest, $b block(s)/message, $c client(s): blocks/s | $(fmt0 "$(awk -v r="$s" -v b=$b 'BEGIN{print r*b}')") | $(fmt0 "$(awk -v r="$p" -v b=$b 'BEGIN{print r*b}')") | $(awk -v a="$s" -v b="$p" 'BEGIN{printf "%.2f", b/a}') |"
  echo "| ... p50 / p99 ms | ${P50[sqlite.$b.$c]} / ${P99[sqlite.$b.$c]} | ${P50[postgres.$b.$c]} / ${P99[postgres.$b.$c]} | |"
  echo "| ... taxiid CPU ms/message | ${CPU[sqlite.$b.$c]} | ${CPU[postgres.$b.$c]} | |"
done; done
echo "| full poll of 10,000 blocks (taxii poll, part_size 1000): seconds | ${PWALL[sqlite]} | ${PWALL[postgres]} | $(awk -v a="${PWALL[sqlite]}" -v b="${PWALL[postgres]}" 'BEGIN{printf "%.2f", b/a}') |"
echo "| ... blocks/s | $(fmt0 "$(awk -v w="${PWALL[sqlite]}" 'BEGIN{print 10000/w}')") | $(fmt0 "$(awk -v w="${PWALL[postgres]}" 'BEGIN{print 10000/w}')") | |"
echo "| ... taxiid's time answering them (sum of its log's ms), s | ${PMS[sqlite]} | ${PMS[postgres]} | $(awk -v a="${PMS[sqlite]}" -v b="${PMS[postgres]}" 'BEGIN{printf "%.2f", b/a}') |"
echo "| ... requests; taxiid CPU s | ${PREQ[sqlite]}; ${PCPU[sqlite]} | ${PREQ[postgres]}; ${PCPU[postgres]} | |"
