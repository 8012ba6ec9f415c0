#!/usr/bin/env bash
# Query benchmark (issue #10; docs/query.md): builds nothing. Takes a build directory that
# already holds server/taxiid, client/taxii, bench/taxii_bench and bindings/query/query_bench
# (a Release build: cmake --build DIR --target taxiid taxii taxii_bench query_bench) and prints
# a Markdown section:
#   1. query evaluation throughput (query_bench): blocks/s of three queries over 100,000
#      generated STIX blocks, end to end (parse + evaluation) and evaluation only;
#   2. poll latency on a real taxiid (fresh SQLite store in a temporary directory, 127.0.0.1):
#      N STIX 1.1.1 indicators (taxii_bench load), then `taxii poll` of the whole collection,
#      COUNT_ONLY and FULL (--raw to /dev/null), without a query and with two queries; median,
#      min and max wall time of R runs.
#   bench/query.sh BUILD_DIR [--blocks N (10000)] [--reps R (5)] [--eval-blocks M (100000)] [--keep]
set -euo pipefail
[ $# -ge 1 ] || { sed -n '2,12p' "$0"; exit 2; }
B=$(cd "$1" && pwd); shift
blocks=10000; reps=5; eval_blocks=100000; keep=0
while [ $# -gt 0 ]; do
  case $1 in
    --blocks) blocks=$2; shift ;;
    --reps) reps=$2; shift ;;
    --eval-blocks) eval_blocks=$2; shift ;;
    --keep) keep=1 ;;
    *) echo "bench/query.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
die() { echo "bench/query.sh: $*" >&2; exit 1; }
say() { echo "bench/query.sh: $*" >&2; }
TAXIID=$B/server/taxiid; TAXII=$B/client/taxii; TOOL=$B/bench/taxii_bench; QBENCH=$B/bindings/query/query_bench
for x in "$TAXIID" "$TAXII" "$TOOL" "$QBENCH"; do [ -x "$x" ] || die "missing $x (build it first)"; done
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$B/CMakeCache.txt" 2>/dev/null || echo unknown)

tmp=$(mktemp -d /tmp/taxii-query-bench.XXXXXX)
taxiid_pid=""
cleanup() {
  [ -n "$taxiid_pid" ] && kill "$taxiid_pid" 2>/dev/null && wait "$taxiid_pid" 2>/dev/null || true
  [ $keep = 1 ] && say "kept $tmp" || rm -rf "$tmp"
}
trap cleanup EXIT

# --- 1. evaluation throughput ---------------------------------------------------------------
say "query_bench $eval_blocks"
timeout 1800 "$QBENCH" "$eval_blocks" > "$tmp/query_bench.txt" || die "query_bench failed"

# --- 2. a real taxiid -----------------------------------------------------------------------
cat > "$tmp/taxiid.yaml" <<EOF
listeners:
  - address: 127.0.0.1
    port: 0
storage: sqlite://store/taxii.db
limits:
  max_body_bytes: 67108864
  threads: 4
  request_timeout: 600
poll:
  part_size: 1000
services:
  - {id: discovery, type: discovery, path: /services/discovery}
  - {id: inbox, type: inbox, path: /services/inbox, destination_collection_names: required}
  - {id: poll, type: poll, path: /services/poll}
collections:
  - {name: q, type: DATA_FEED, content_bindings: [urn:stix.mitre.org:xml:1.1.1], service_ids: [inbox, poll]}
EOF
"$TAXIID" --config "$tmp/taxiid.yaml" 2> "$tmp/taxiid.log" &
taxiid_pid=$!
for _ in $(seq 100); do
  grep -q 'event=ready' "$tmp/taxiid.log" && break
  kill -0 $taxiid_pid 2>/dev/null || { cat "$tmp/taxiid.log" >&2; die "taxiid did not start"; }
  sleep 0.1
done
port=$(grep -m1 'event=listening' "$tmp/taxiid.log" | sed -n 's/.* port=\([0-9]*\).*/\1/p')
[ -n "$port" ] || { cat "$tmp/taxiid.log" >&2; die "no port in taxiid's log"; }
base=http://127.0.0.1:$port
say "loading $blocks blocks into $base"
timeout 1800 "$TOOL" load --url "$base/services/inbox" --dest q --blocks "$blocks" --per-message 100 --clients 2 \
  > "$tmp/load.txt" 2>&1 || { cat "$tmp/load.txt" >&2; die "load failed"; }

tdq() {  # tdq NAME CRITERION_XML
  cat > "$tmp/$1.xml" <<EOF
<tdq:Default_Query xmlns:tdq="http://taxii.mitre.org/query/taxii_default_query-1"
    targeting_expression_id="urn:stix.mitre.org:xml:1.1.1">
  <tdq:Criteria operator="AND">$2</tdq:Criteria>
</tdq:Default_Query>
EOF
}
# Selective: an exact path, about a quarter of the indicators (confidence High).
tdq high '<tdq:Criterion><tdq:Target>STIX_Package/Indicators/Indicator/Confidence/Value</tdq:Target>
  <tdq:Test capability_id="urn:taxii.mitre.org:query:capability:core-1" relationship="equals">
  <tdq:Parameter name="match_type">case_insensitive_string</tdq:Parameter><tdq:Parameter name="value">high</tdq:Parameter>
  </tdq:Test></tdq:Criterion>'
# Costly: every element and attribute (**), case-insensitive contains, OR a regex.
tdq scan '<tdq:Criteria operator="OR"><tdq:Criterion><tdq:Target>**</tdq:Target>
  <tdq:Test capability_id="urn:taxii.mitre.org:query:capability:core-1" relationship="contains">
  <tdq:Parameter name="case_sensitive">false</tdq:Parameter><tdq:Parameter name="value">phishing</tdq:Parameter>
  </tdq:Test></tdq:Criterion><tdq:Criterion><tdq:Target>**/Description</tdq:Target>
  <tdq:Test capability_id="urn:taxii.mitre.org:query:capability:regex-1" relationship="matches">
  <tdq:Parameter name="value">(beacon|exfiltrat)[a-z]*</tdq:Parameter></tdq:Test></tdq:Criterion></tdq:Criteria>'

declare -A med lo hi got
measure() {  # measure KEY QUERY(-|name) MODE(count|full)
  local key=$1 q=$2 mode=$3 args=(poll --url "$base/services/poll" --collection q) times=()
  [ "$q" != - ] && args+=(--query "$tmp/$q.xml")
  if [ "$mode" = count ]; then args+=(--count-only); else args+=(--raw); fi
  for _ in $(seq "$reps"); do
    local t0 t1
    t0=$(date +%s.%N)
    timeout 600 "$TAXII" "${args[@]}" > "$tmp/out.$key" 2> "$tmp/err.$key" ||
      { cat "$tmp/err.$key" >&2; die "taxii ${args[*]} failed"; }
    t1=$(date +%s.%N)
    times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) * 1000 }')")
  done
  local sorted; sorted=$(printf '%s\n' "${times[@]}" | sort -n)
  med[$key]=$(echo "$sorted" | awk -v n="$reps" 'NR == int((n + 1) / 2)')
  lo[$key]=$(echo "$sorted" | head -1); hi[$key]=$(echo "$sorted" | tail -1)
  if [ "$mode" = count ]; then
    got[$key]=$(grep -o '[0-9][0-9]*' "$tmp/out.$key" | head -1 || true)
  else
    got[$key]=$(grep -o '<taxii_11:Content_Block' "$tmp/out.$key" | wc -l)
  fi
  say "$key: median ${med[$key]} ms, ${got[$key]} records"
}
for q in - high scan; do for m in count full; do measure "$q.$m" "$q" "$m"; done; done
[ "${got[-.full]}" = "$blocks" ] || die "the full poll without a query returned ${got[-.full]} blocks, expected $blocks"
[ "${got[-.count]}" = "$blocks" ] || die "the count-only poll without a query counted ${got[-.count]}, expected $blocks"
for q in high scan; do
  [ "${got[$q.count]}" = "${got[$q.full]}" ] || die "query $q: count-only ${got[$q.count]} != full ${got[$q.full]}"
done

# --- 3. the report --------------------------------------------------------------------------
load=$(cut -d' ' -f1-3 /proc/loadavg)
echo "### TAXII Default Query (bench/query.sh, $(date -u +%Y-%m-%d), $build_type, $(nproc) cores, load $load)"
echo
echo "Evaluation throughput, one thread (bindings/query/query_bench $eval_blocks):"
echo
echo '```'
cat "$tmp/query_bench.txt"
echo '```'
echo
echo "Poll latency on taxiid (SQLite, $blocks STIX 1.1.1 indicators of 2-4 KB, part size 1000, \`taxii poll\` over"
echo "HTTP on 127.0.0.1, whole collection; median of $reps runs, min-max in brackets; FULL follows every part):"
echo
echo "| query | matches | COUNT_ONLY ms | FULL ms | FULL blocks/s (of the collection) |"
echo "|---|---|---|---|---|"
for q in - high scan; do
  case $q in
    -) name="none" ;;
    high) name="Confidence/Value equals high (exact path)" ;;
    scan) name="\`**\` contains 'phishing' OR regex on \`**/Description\`" ;;
  esac
  rate=$(awk -v n="$blocks" -v ms="${med[$q.full]}" 'BEGIN { printf "%.0f", n / (ms / 1000) }')
  echo "| $name | ${got[$q.count]} | ${med[$q.count]} [${lo[$q.count]}-${hi[$q.count]}] | ${med[$q.full]} [${lo[$q.full]}-${hi[$q.full]}] | $rate |"
done
