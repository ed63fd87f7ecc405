#!/usr/bin/env bash
# test_lesson_plots.sh - every shipped lesson, run as a workshop participant
# would (rdsim run with its own seed), draws its figures and writes a
# report.md whose expectations all pass.
# Usage: test_lesson_plots.sh RDSIM_BINARY SOURCE_ROOT
# Exits 77 (skipped) when gnuplot is not on PATH.
set -u
rdsim=$1
root=$2
if ! command -v gnuplot >/dev/null; then
  echo "gnuplot is not on PATH: skipped (tools/deps.sh installs gnuplot-nox)"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
passed=0

check() { # check NAME CONDITION...
  local name=$1
  shift
  if "$@"; then
    passed=$((passed + 1))
  else
    echo "FAIL: $name"
    failures=$((failures + 1))
  fi
}

shopt -s nullglob
lessons=("$root"/scenarios/[0-9]*.yaml)
[ ${#lessons[@]} -gt 0 ] || lessons=("$root"/scenarios/*.yaml)
for y in "${lessons[@]}"; do
  n=$(basename "$y" .yaml)
  out="$tmp/$n"
  "$rdsim" run "$y" -o "$out" --quiet --format png
  status=$?
  check "$n: exits 0 (every expectation holds)" test $status -eq 0
  for f in latency availability throughput roles; do
    check "$n: draws $f.png" test -s "$out/plots/$f.png"
  done
  header=$(head -n 1 "$out/timeseries.csv")
  case "$header" in
    *lag_ms_*) check "$n: draws lag.png" test -s "$out/plots/lag.png" ;;
  esac
  case "$header" in
    *acu_*) check "$n: draws capacity.png" test -s "$out/plots/capacity.png" ;;
  esac
  check "$n: report.md tells what happened" grep -q "^## What happened" "$out/report.md"
  check "$n: report.md embeds the figures" grep -q "(plots/roles.png)" "$out/report.md"
  check "$n: report.md has no failed expectation" test -z "$(grep -F '**FAIL**' "$out/report.md")"
  check "$n: gnuplot said nothing" test ! -s "$out/plots/gnuplot.log"
done

echo "$passed passed, $failures failed"
test $failures -eq 0
