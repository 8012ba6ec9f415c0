#!/usr/bin/env bash
# Builds the libFuzzer targets with clang + ASan/UBSan and runs each for SECONDS (default 30;
# CI: `tools/fuzz.sh 20`). Needs clang and libclang-rt-14-dev (tools/deps.sh installs them).
#   tools/fuzz.sh [SECONDS] [TARGET...]        e.g. tools/fuzz.sh 600 http_request_fuzz
# Per target: first every file of tests/fuzz/regressions/<target>/ is replayed (past findings
# must stay fixed), then the fuzzer runs for SECONDS on a working corpus seeded from
# tests/fuzz/seeds/<target>/, samples/, tests/hostile/corpus and the query corpus. Prints the
# executions, exec/s and coverage of each target. Exits non-zero on any finding (crash, leak,
# timeout, oracle abort: the reproducer is in $build/artifacts/<target>/) or build failure.
# Build directory: $FUZZ_BUILD_DIR (default build/fuzz); the working corpus there is kept
# between runs (delete it for a clean start). Long campaigns: docs/security.md, "Fuzzing".
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
secs="${1:-30}"
shift || true
build="${FUZZ_BUILD_DIR:-$root/build/fuzz}"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(xml_binding_fuzz http_request_fuzz query_compile_fuzz)
case "$secs" in ''|*[!0-9]*) echo "fuzz.sh: SECONDS must be a number, not '$secs'" >&2; exit 2 ;; esac
for tool in clang clang++ cmake ninja; do
  command -v "$tool" >/dev/null || { echo "fuzz.sh: $tool not found (run tools/deps.sh)" >&2; exit 2; }
done

mkdir -p "$build"
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DTAXII_FUZZ=ON -DTAXII_SANITIZE=ON "${launcher[@]}" >"$build/cmake.log" 2>&1 ||
  { cat "$build/cmake.log" >&2; exit 1; }
CCACHE_BASEDIR="$root" ninja -C "$build" -j"${JOBS:-2}" "${targets[@]}"

seed_dir() {  # target -> a fresh seed directory
  local t="$1" d="$build/seeds/$1"
  rm -rf "$d"; mkdir -p "$d"
  if [ -d "$root/tests/fuzz/seeds/$t" ]; then cp "$root/tests/fuzz/seeds/$t"/* "$d"/ 2>/dev/null || true; fi
  case "$t" in
    xml_binding_fuzz)
      cp "$root"/tests/hostile/corpus/*.xml "$d"/ 2>/dev/null || true
      find "$root/samples" -name '*.xml' -size -200k -exec cp {} "$d"/ \; ;;
    query_compile_fuzz)
      cp "$root"/samples/query-corpus/queries/*.xml "$d"/ 2>/dev/null || true ;;
    http_request_fuzz)
      # Every hostile or query body as a Poll (with alice's credentials) and as an anonymous
      # Discovery request; the hand-written seeds cover the other message types and framings.
      local i=0 f path auth
      for f in "$root"/tests/hostile/corpus/*.xml "$root"/samples/query-corpus/queries/*.xml; do
        [ -f "$f" ] || continue
        i=$((i + 1))
        for path in /services/discovery /services/poll; do
          auth=""
          [ "$path" = /services/poll ] && auth='Authorization: Basic YWxpY2U6YWxpY2UtcHc=\r\n'
          { printf 'POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/xml\r\n' "$path"
            printf 'X-TAXII-Content-Type: urn:taxii.mitre.org:message:xml:1.1\r\n'
            printf 'X-TAXII-Protocol: urn:taxii.mitre.org:protocol:https:1.0\r\n'
            printf "$auth"
            printf 'X-TAXII-Services: urn:taxii.mitre.org:services:1.1\r\nContent-Length: %d\r\n\r\n' "$(stat -c %s "$f")"
            cat "$f"; } > "$d/req$i${path//\//_}"
        done
      done ;;
  esac
  echo "$d"
}

status=0
summary=()
for t in "${targets[@]}"; do
  bin="$build/tests/fuzz/$t"
  corpus="$build/corpus/$t"; art="$build/artifacts/$t"; log="$build/$t.log"
  mkdir -p "$corpus" "$art"
  rm -f "$art"/crash-* "$art"/leak-* "$art"/timeout-* "$art"/oom-* 2>/dev/null || true
  # Past findings first: each file once.
  reg=("$root/tests/fuzz/regressions/$t"/*)
  if [ -e "${reg[0]}" ]; then
    if ! "$bin" -runs=1 -timeout=10 -rss_limit_mb=4096 "${reg[@]}" >"$build/$t.regressions.log" 2>&1; then
      echo "!! $t: a regression input fails; see $build/$t.regressions.log"; status=1
      summary+=("$t: REGRESSION FAILED"); continue
    fi
  fi
  seeds="$(seed_dir "$t")"
  echo "== $t: ${secs}s ($(ls "$seeds" | wc -l) seeds, $(ls "$corpus" | wc -l) in the working corpus)"
  start=$(date +%s)
  if ! "$bin" "$corpus" "$seeds" -max_total_time="$secs" -max_len=262144 -timeout=10 \
       -rss_limit_mb=4096 -artifact_prefix="$art/" -print_final_stats=1 >"$log" 2>&1; then
    echo "!! $t: finding; see $log and $art/"; status=1
    # The report itself, so that a CI log alone is enough to start triage.
    grep -m1 -n -A30 -E 'oracle:|==ERROR|runtime error|ERROR: libFuzzer|SUMMARY:' "$log" | cut -c1-400 | sed 's/^/   | /' || true
  fi
  if ls "$art"/* >/dev/null 2>&1; then
    echo "!! $t: artifacts in $art/"; status=1
    for a in "$art"/*; do
      echo "   reproducer $(basename "$a") ($(stat -c %s "$a") bytes), base64 (first 16 KiB):"
      head -c 16384 "$a" | base64 -w 100 | sed 's/^/   > /'
    done
  fi
  elapsed=$(( $(date +%s) - start ))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 || true)
  execs=${execs:-0}
  rate=$(( execs / (elapsed > 0 ? elapsed : 1) ))
  line="$t: ${execs} executions in ${elapsed}s (${rate} exec/s), ${cov:-cov: ?}"
  echo "   $line"
  summary+=("$line")
done
echo "== fuzz summary"
printf '   %s\n' "${summary[@]}"
[ $status = 0 ] && echo "   no findings" || echo "   FINDINGS (exit 1)"
exit $status
