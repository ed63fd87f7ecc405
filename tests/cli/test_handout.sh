#!/usr/bin/env bash
# test_handout.sh - rdsim lessons --handout DIR writes the students' handout:
# every lesson run into DIR/runs/, handout.md with one page per lesson and
# that run's figures (when gnuplot is installed), every figure it names on
# disk, and handout.pdf when pandoc is. Its argument errors exit 2 and
# leave an earlier handout alone.
#
# Usage: test_handout.sh RDSIM_BINARY
set -u
rdsim=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

check() { # check WHAT CONDITION...
  local what=$1
  shift
  if ! "$@"; then
    echo "FAIL: $what"
    failures=$((failures + 1))
  fi
}

"$rdsim" lessons --handout >/dev/null 2>"$tmp/err"
check "--handout without a folder exits 2" test $? -eq 2
check "... and says so" grep -q -- "--handout needs a value" "$tmp/err"
"$rdsim" lessons --handout "$tmp/x" --show 01 >/dev/null 2>"$tmp/err"
check "--handout with --show exits 2" test $? -eq 2
check "... and says so" grep -q "one of --show, --write and --handout" "$tmp/err"
check "... before running anything" test ! -e "$tmp/x"

out="$tmp/handout"
"$rdsim" lessons --handout "$out" >"$tmp/out" 2>"$tmp/err"
status=$?
check "--handout exits 0 (got $status)" test $status -eq 0
[ $status -eq 0 ] || cat "$tmp/err"
md="$out/handout.md"
lessons=$("$rdsim" lessons | awk '{print $2}')
n=$(echo "$lessons" | wc -l)
check "one page per lesson ($n)" test "$(grep -c '^## Lesson ' "$md")" -eq "$n"
check "no figures marker is left" test "$(grep -c '<!-- figures:' "$md")" -eq 0
for name in $lessons; do
  check "$name was run" test -f "$out/runs/$name/summary.json"
  check "$name's file is in lessons/" test -f "$out/lessons/$name.yaml"
  if command -v gnuplot >/dev/null; then
    check "$name's page shows its availability figure" \
      grep -q "(runs/$name/plots/availability.png)" "$md"
  fi
done
while read -r fig; do
  check "the figure $fig exists" test -f "$out/$fig"
done < <(grep -o '(runs/[^)]*\.png)' "$md" | tr -d '()')
if command -v pandoc >/dev/null; then
  check "handout.html is written" test -s "$out/handout.html"
  if command -v chromium >/dev/null || command -v weasyprint >/dev/null ||
    command -v wkhtmltopdf >/dev/null; then
    check "handout.pdf is a PDF" grep -q '^%PDF' "$out/handout.pdf"
  fi
else
  check "without pandoc it says how to get a PDF" grep -q "apt-get install pandoc" "$tmp/out"
fi

"$rdsim" lessons --handout "$out" >/dev/null 2>"$tmp/err"
check "a second --handout without --force exits 2" test $? -eq 2
check "... and names --force" grep -q -- "--force" "$tmp/err"

echo "$failures failures"
test $failures -eq 0
