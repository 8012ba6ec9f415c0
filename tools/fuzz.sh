#!/usr/bin/env bash
# Builds the libFuzzer targets with clang + ASan/UBSan in build/fuzz and runs each for N
# seconds (default 30, for CI). Seeds: samples/, tests/hostile/corpus, the query corpus.
# Crashes are written to build/fuzz/artifacts/<target>/ and make the script fail.
#   tools/fuzz.sh [SECONDS] [TARGET...]        e.g. tools/fuzz.sh 600 http_request_fuzz
# Long campaigns (>= 10M executions): docs/security.md, "Fuzzing".
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
secs="${1:-30}"
shift || true
build="${FUZZ_BUILD_DIR:-$root/build/fuzz}"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(xml_binding_fuzz http_request_fuzz query_compile_fuzz)

CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DTAXII_FUZZ=ON -DTAXII_SANITIZE=ON >/dev/null
ninja -C "$build" -j"${JOBS:-2}" "${targets[@]}"

seed_dir() {  # target -> a fresh seed directory
  local t="$1" d="$build/seeds/$1"
  rm -rf "$d"; mkdir -p "$d"
  case "$t" in
    xml_binding_fuzz)
      cp "$root"/tests/hostile/corpus/*.xml "$d"/ 2>/dev/null || true
      find "$root/samples" -name '*.xml' -size -200k -exec cp {} "$d"/ \; ;;
    query_compile_fuzz)
      cp "$root"/samples/query-corpus/queries/*.xml "$d"/ 2>/dev/null || true ;;
    http_request_fuzz)
      local i=0
      for f in "$root"/tests/hostile/corpus/*.xml "$root"/samples/query-corpus/queries/*.xml; do
        [ -f "$f" ] || continue
        i=$((i + 1))
        { printf 'POST /services/discovery HTTP/1.1\r\nHost: x\r\nContent-Type: application/xml\r\n'
          printf 'X-TAXII-Content-Type: urn:taxii.mitre.org:message:xml:1.1\r\n'
          printf 'X-TAXII-Protocol: urn:taxii.mitre.org:protocol:http:1.0\r\n'
          printf 'X-TAXII-Services: urn:taxii.mitre.org:services:1.1\r\nContent-Length: %d\r\n\r\n' "$(stat -c %s "$f")"
          cat "$f"; } > "$d/req$i"
      done ;;
  esac
  echo "$d"
}

status=0
for t in "${targets[@]}"; do
  corpus="$build/corpus/$t"; mkdir -p "$corpus" "$build/artifacts/$t"
  seeds="$(seed_dir "$t")"
  echo "== $t: ${secs}s"
  if ! "$build/tests/fuzz/$t" "$corpus" "$seeds" -max_total_time="$secs" -max_len=262144 -timeout=10 \
       -rss_limit_mb=4096 -artifact_prefix="$build/artifacts/$t/" -print_final_stats=1 2>"$build/$t.log"; then
    echo "!! $t failed; see $build/$t.log and $build/artifacts/$t/"; status=1
  fi
  grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$build/$t.log" || true
done
exit $status
