#!/usr/bin/env bash
# Size limits of the house (issue #21): no non-test source file over 600 lines, no function
# over 80 lines outside tests and generated code. Lists what is over; exit 1 if anything is.
#   tools/size_check.sh [--max-file N] [--max-function N]
# Functions are found by universal-ctags (their first and last line); tests are *_test.cpp,
# *_fuzz.cpp and everything under tests/ and bench/.
set -euo pipefail
cd "$(dirname "$0")/.."
max_file=600; max_fn=80
while [ $# -gt 0 ]; do
  case $1 in
    --max-file) max_file=$2; shift ;;
    --max-function) max_fn=$2; shift ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    *) echo "size_check: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
command -v ctags >/dev/null || { echo "size_check: needs universal-ctags (apt install universal-ctags)" >&2; exit 2; }
mapfile -t files < <(git ls-files '*.cpp' '*.hpp' '*.h' '*.cc' | grep -Ev '(_test|_fuzz)\.cpp$|^(tests|bench)/|/embedded\.hpp$')
status=0
for f in "${files[@]}"; do
  [ -f "$f" ] || continue
  n=$(wc -l < "$f")
  if [ "$n" -gt "$max_file" ]; then echo "file     $n lines  $f"; status=1; fi
done
while IFS=$'\t' read -r name file rest; do
  line=$(grep -o 'line:[0-9]*' <<<"$rest" | cut -d: -f2)
  end=$(grep -o 'end:[0-9]*' <<<"$rest" | cut -d: -f2)
  [ -n "$line" ] && [ -n "$end" ] || continue
  len=$(( end - line + 1 ))
  if [ "$len" -gt "$max_fn" ]; then echo "function $len lines  $file:$line $name"; status=1; fi
done < <(ctags --c++-kinds=f --fields=+ne --language-force=C++ -o - "${files[@]}" 2>/dev/null)
[ $status = 0 ] && echo "size_check: no file over $max_file lines, no function over $max_fn lines"
exit $status
