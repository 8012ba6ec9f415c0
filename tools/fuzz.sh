#!/usr/bin/env bash
# Builds the libFuzzer targets with clang + ASan/UBSan and runs each for SECONDS (default 30;
# CI: `tools/fuzz.sh 20`). Needs clang and libclang-rt-14-dev (tools/deps.sh installs them).
#   tools/fuzz.sh [SECONDS] [TARGET...]        e.g. tools/fuzz.sh 600 http_request_fuzz
# Per target: first every file of tests/fuzz/regressions/<target>/ is replayed (past findings
# must stay fixed), then the fuzzer runs for SECONDS on a working corpus seeded from
# tests/fuzz/seeds/<target>/, samples/, tests/hostile/corpus, the query corpus and generated
# documents of every input shape of the linear-parsing guarantees (shape_seeds, up to ~3 MB). Prints the
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
[ ${#targets[@]} -gt 0 ] || targets=(xml_binding_fuzz http_request_fuzz query_compile_fuzz request_head_fuzz stix_envelope_fuzz taxii2_query_fuzz)
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
# taxii_http and taxii_server too: every file of the HTTP engine and the router compiled by
# clang, whose -Wthread-safety analysis checks the engine's thread ownership
# (bindings/http/thread_annotations.hpp; a violation fails the build here).
CCACHE_BASEDIR="$root" ninja -C "$build" -j"${JOBS:-2}" "${targets[@]}" taxii_http taxii_server

# Seeds of every input shape the linear-parsing guarantees cover (docs/security.md "Linear-time
# parsing"), generated here rather than committed: shape_seeds DIR N writes one TAXII 1.1 body
# per shape into DIR, N (attributes, declarations, headers, blocks, comments...) sized so that the
# largest stays under -max_len.
rep() {  # rep COUNT FORMAT: FORMAT (awk printf, up to two %d = the index) COUNT times, no newline
  seq 0 $(($1 - 1)) | awk -v f="$2" '{ printf f, $1, $1 }'
}
shape_seeds() {
  local d="$1" n="$2" ns='http://taxii.mitre.org/messages/taxii_xml_binding-1.1'
  local root="<taxii_11:Discovery_Request xmlns:taxii_11=\"$ns\" message_id=\"1\""
  local inbox="<taxii_11:Inbox_Message xmlns:taxii_11=\"$ns\" message_id=\"1\"><taxii_11:Content_Block><taxii_11:Content_Binding binding_id=\"urn:stix.mitre.org:xml:1.2\"/><taxii_11:Content>"
  local end='</taxii_11:Content></taxii_11:Content_Block></taxii_11:Inbox_Message>'
  { printf '%s' "$root"; rep "$n" ' a%d="1"'; printf '/>'; } > "$d/shape_attributes.xml"
  { printf '%s' "$root"; rep $((n / 2)) ' xmlns:p%d="urn:%d"'; printf '/>'; } > "$d/shape_declarations.xml"
  { printf '%s' "$inbox"; rep $((n / 100)) '<n xmlns:q%d="urn:q">'; rep $((n / 100)) '</n>'; printf '%s' "$end"; } > "$d/shape_nested_declarations.xml"
  { printf '%s' "$inbox<r>"; rep $((n / 20)) '<e a0="1" a1="2" a2="3" a3="4" a4="5" a5="6" a6="7" a7="8" a8="9" a9="0"/>'; printf '</r>%s' "$end"; } > "$d/shape_attributes_spread.xml"
  { printf '%s><taxii_11:Extended_Headers>' "$root"; rep $((n / 10)) '<taxii_11:Extended_Header name="urn:h%d">v</taxii_11:Extended_Header>'
    printf '</taxii_11:Extended_Headers></taxii_11:Discovery_Request>'; } > "$d/shape_extended_headers.xml"
  { printf '<taxii_11:Inbox_Message xmlns:taxii_11="%s" message_id="1">' "$ns"
    rep $((n / 20)) '<taxii_11:Content_Block><taxii_11:Content_Binding binding_id="urn:stix.mitre.org:xml:1.2"/><taxii_11:Content><s:x xmlns:s="urn:s" id="b%d">text</s:x></taxii_11:Content></taxii_11:Content_Block>'
    printf '</taxii_11:Inbox_Message>'; } > "$d/shape_content_blocks.xml"
  { printf '%s<t>' "$inbox"; head -c $((n * 10)) /dev/zero | tr '\0' 'x'; printf '&amp;</t>%s' "$end"; } > "$d/shape_text_run.xml"
  { printf '<taxii_11:Inbox_Message xmlns:taxii_11="%s" message_id="1">' "$ns"; rep $((n / 4)) '<!-- c%d -->'
    printf '<taxii_11:Content_Block><taxii_11:Content_Binding binding_id="urn:stix.mitre.org:xml:1.2"/><taxii_11:Content><c>'
    rep $((n / 4)) '<!-- c%d --><?pi %d?>'; printf '</c>%s' "$end"; } > "$d/shape_comments_pis.xml"
  { printf '%s<e' "$inbox"; head -c $((n * 4)) /dev/zero | tr '\0' 'n'; printf ' a'; head -c $((n * 4)) /dev/zero | tr '\0' 'm'
    printf '="'; head -c $((n * 4)) /dev/zero | tr '\0' 'v'; printf '"/>%s' "$end"; } > "$d/shape_long_names.xml"
  { printf '%s<r>' "$inbox"; rep $((n / 4)) 'v%d:x<b a="w%d:y"/>'; printf '</r>%s' "$end"; } > "$d/shape_value_prefixes.xml"
  local chain
  chain="$(rep 200 '<d>')$(rep 200 '</d>')"  # deep but legal (max_depth 256 with the envelope's 3)
  { printf '%s' "$inbox"; rep $((n / 400)) "$chain"; printf '%s' "$end"; } > "$d/shape_depth.xml"
  printf '<?xml version="1.0" encoding="UTF-7"?>%s/>' "$root" > "$d/shape_declared_utf7.xml"
}

seed_dir() {  # target -> a fresh seed directory
  local t="$1" d="$build/seeds/$1"
  rm -rf "$d"; mkdir -p "$d"
  if [ -d "$root/tests/fuzz/seeds/$t" ]; then cp "$root/tests/fuzz/seeds/$t"/* "$d"/ 2>/dev/null || true; fi
  case "$t" in
    xml_binding_fuzz)
      cp "$root"/tests/hostile/corpus/*.xml "$d"/ 2>/dev/null || true
      find "$root/samples" -name '*.xml' -size -200k -exec cp {} "$d"/ \;
      shape_seeds "$d" 200000 ;;  # 1-3 MB each, under -max_len
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
      done
      # The shapes at a size the target's 64 KiB body limit lets through, as anonymous Discovery
      # (or Inbox) requests.
      local shapes="$d/shapes"
      mkdir -p "$shapes"
      shape_seeds "$shapes" 4000
      for f in "$shapes"/*.xml; do
        [ "$(stat -c %s "$f")" -le 65536 ] || continue
        path=/services/discovery
        grep -q Inbox_Message "$f" && path=/services/inbox
        { printf 'POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/xml\r\n' "$path"
          printf 'X-TAXII-Content-Type: urn:taxii.mitre.org:message:xml:1.1\r\n'
          printf 'X-TAXII-Protocol: urn:taxii.mitre.org:protocol:https:1.0\r\n'
          printf 'X-TAXII-Services: urn:taxii.mitre.org:services:1.1\r\nContent-Length: %d\r\n\r\n' "$(stat -c %s "$f")"
          cat "$f"; } > "$d/req_$(basename "$f" .xml)"
      done
      rm -rf "$shapes" ;;
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
  # -max_len 4 MiB: the seeds of every shape (shape_seeds) are up to a few MB, and a parse that
  # is superlinear only shows at that size. A unit over 10 s is a finding (a timeout-* artifact);
  # over 2 s it is reported in the log (-report_slow_units).
  if ! "$bin" "$corpus" "$seeds" -max_total_time="$secs" -max_len=4194304 -timeout=10 -report_slow_units=2 \
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
