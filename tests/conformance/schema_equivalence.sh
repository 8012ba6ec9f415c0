#!/usr/bin/env bash
# Schema conformance check for the project's own XML Schemas (xsd/).
#
# For every TAXII sample message (SHARED_SPEC/samples/1.1, SHARED_SPEC/samples/1.0) and every
# schema-invalid variant in tests/conformance/invalid/{1.1,1.0}/ this validates the file with
#   xmllint --noout --nonet --schema <schema> <file>
# against OUR schema and, when the official schemas are present (SHARED_SPEC/xsd), against the
# OFFICIAL one, and asserts:
#   samples          -> accepted by ours and by the official schema
#   invalid variants -> well-formed, start with a comment saying what is wrong,
#                       rejected by ours and by the official schema
#   and identical verdicts from both.
#
# Schema used per file:
#   1.1 -> ours: tests/conformance/driver-1.1.xsd (message schema + default query schema)
#          official: SHARED_SPEC/xsd/taxii-1.1-with-default-query.xsd
#   1.0 -> ours: xsd/taxii_xml_binding_1.0.xsd
#          official: SHARED_SPEC/xsd/TAXII_XMLMessageBinding_Schema-1.0.xsd
#   Files containing xsi:type (STIX payloads) use "skip" variants instead: ours are derived on
#   the fly (processContents="lax" -> "skip" in the message schema, in a temp dir), the official
#   ones are the *-skip-content.xsd files (same reason as SHARED_SPEC/validate.sh).
#
# SHARED_SPEC defaults to the shared/spec folder beside the repository root
# ($(git rev-parse --show-toplevel)/../shared/spec). Exit status 0 = everything passed.
set -u

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(git -C "$here" rev-parse --show-toplevel 2>/dev/null || (cd "$here/../.." && pwd))"
XSD="$repo/xsd"
DRIVER11="$here/driver-1.1.xsd"
INVALID="$here/invalid"

if [ -z "${SHARED_SPEC:-}" ]; then
  for cand in "$repo/../shared/spec" "$here/../../../shared/spec"; do
    if [ -d "$cand" ]; then SHARED_SPEC="$(cd "$cand" && pwd)"; break; fi
  done
fi
SHARED_SPEC="${SHARED_SPEC:-}"

if ! command -v xmllint >/dev/null 2>&1; then
  echo "xmllint not found (Debian/Ubuntu package libxml2-utils)" >&2
  echo "0 passed, 1 failed"
  exit 2
fi

pass=0; fail=0
ok()  { echo "ok   $*"; pass=$((pass+1)); }
bad() { echo "FAIL $*"; fail=$((fail+1)); }

tmp="$(mktemp -d "${TMPDIR:-/tmp}/taxii-xsd-eq.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

# Our "skip" variants: copies of xsd/ with lax -> skip in the message binding schemas only.
mkdir -p "$tmp/skip"
cp "$XSD"/*.xsd "$tmp/skip/"
for f in "$tmp/skip"/taxii_xml_binding_*.xsd; do
  sed -i 's/processContents="lax"/processContents="skip"/g' "$f"
done

OURS_11="$DRIVER11"
OURS_11_SKIP="$tmp/skip/taxii_xml_binding_1.1.xsd"
OURS_10="$XSD/taxii_xml_binding_1.0.xsd"
OURS_10_SKIP="$tmp/skip/taxii_xml_binding_1.0.xsd"

OFF="${SHARED_SPEC:+$SHARED_SPEC/xsd}"
OFF_11="$OFF/taxii-1.1-with-default-query.xsd"
OFF_11_SKIP="$OFF/TAXII_XMLMessageBinding_Schema-1.1-skip-content.xsd"
OFF_10="$OFF/TAXII_XMLMessageBinding_Schema-1.0.xsd"
OFF_10_SKIP="$OFF/TAXII_XMLMessageBinding_Schema-1.0-skip-content.xsd"

have_official=1
if [ -z "$SHARED_SPEC" ]; then
  have_official=0; reason="no shared/spec folder found (set SHARED_SPEC)"
else
  for s in "$OFF_11" "$OFF_11_SKIP" "$OFF_10" "$OFF_10_SKIP"; do
    if [ ! -f "$s" ]; then have_official=0; reason="official schema $s not present"; break; fi
  done
fi
if [ "$have_official" -eq 0 ]; then
  echo "SKIP official-schema cross-check: $reason"
fi

# --- our schema files themselves -------------------------------------------------------------
for s in "$XSD"/*.xsd "$DRIVER11"; do
  name="${s#"$repo"/}"
  if ! xmllint --noout --nonet "$s" >/dev/null 2>&1; then
    bad "$name: not well-formed"
  elif grep -q '<!DOCTYPE' "$s"; then
    bad "$name: contains a DOCTYPE (the runtime parser refuses DOCTYPE)"
  elif grep -qi 'MITRE Corporation' "$s"; then
    bad "$name: contains the official licence header (must be our own text)"
  else
    ok "$name  [schema file]"
  fi
done

# verdict SCHEMA FILE -> prints accept / reject / error:<rc>
verdict() {
  local rc
  xmllint --noout --nonet --schema "$1" "$2" >/dev/null 2>&1
  rc=$?
  case $rc in
    0) echo accept ;;
    3) echo reject ;;
    *) echo "error:$rc" ;;   # 1 = not well-formed, 4/5 = schema could not be loaded, ...
  esac
}

# check FILE VERSION EXPECTED(accept|reject)
check() {
  local f="$1" ver="$2" want="$3" ours official s_ours s_off name mode=strict
  name="${f#"$repo"/}"
  [ "$name" = "$f" ] && name="${f#"${SHARED_SPEC%/spec}"/}"
  if grep -q 'xsi:type' "$f"; then
    mode=skip
    if [ "$ver" = 1.1 ]; then s_ours="$OURS_11_SKIP"; s_off="$OFF_11_SKIP"; else s_ours="$OURS_10_SKIP"; s_off="$OFF_10_SKIP"; fi
  else
    if [ "$ver" = 1.1 ]; then s_ours="$OURS_11"; s_off="$OFF_11"; else s_ours="$OURS_10"; s_off="$OFF_10"; fi
  fi
  if [ "$want" = reject ]; then
    if ! xmllint --noout --nonet "$f" >/dev/null 2>&1; then bad "$name: not well-formed"; return; fi
    if ! head -n 3 "$f" | grep -q '<!--'; then bad "$name: no leading comment saying what is wrong"; return; fi
  fi
  ours="$(verdict "$s_ours" "$f")"
  if [ "$have_official" -eq 1 ]; then official="$(verdict "$s_off" "$f")"; else official="n/a"; fi
  local tag="ours=$ours official=$official [$ver $mode]"
  if [ "$ours" != "$want" ]; then bad "$name  $tag (expected $want)"; return; fi
  if [ "$have_official" -eq 1 ] && [ "$official" != "$want" ]; then bad "$name  $tag (official expected $want)"; return; fi
  if [ "$have_official" -eq 1 ] && [ "$official" != "$ours" ]; then bad "$name  $tag (verdicts differ)"; return; fi
  ok "$name  $tag"
}

shopt -s nullglob

# --- samples: must be accepted ---------------------------------------------------------------
if [ -n "$SHARED_SPEC" ] && [ -d "$SHARED_SPEC/samples" ]; then
  n=0
  for ver in 1.1 1.0; do
    for f in "$SHARED_SPEC/samples/$ver"/*.xml; do check "$f" "$ver" accept; n=$((n+1)); done
  done
  [ "$n" -gt 0 ] || bad "no samples found under $SHARED_SPEC/samples"
else
  echo "SKIP samples: no samples folder (SHARED_SPEC='${SHARED_SPEC}')"
fi

# --- invalid variants: must be rejected ------------------------------------------------------
n=0
for ver in 1.1 1.0; do
  for f in "$INVALID/$ver"/*.xml; do check "$f" "$ver" reject; n=$((n+1)); done
done
[ "$n" -gt 0 ] || bad "no invalid variants found under $INVALID"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
