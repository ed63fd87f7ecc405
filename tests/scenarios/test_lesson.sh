#!/usr/bin/env bash
# test_lesson.sh - one workshop lesson (scenarios/NAME.yaml) as docs/workshop.md
# promises it: the file is a lesson (its name matches the file; its
# description asks the question, says what to predict, what to look for and
# the point), and its expectations hold for the shipped seed and for five
# other seeds (rdsim run exits 0 and summary.json says expectations_met).
# Prints each run's wall time; the time limit (5 s per lesson on the normal
# build) is measured by hand, since sanitizer builds and busy machines are
# slower.
#
# With RDSIM_LESSON_SEEDS=shipped (the sanitizer build) only the shipped
# seed runs: that build looks for memory and undefined-behaviour errors, and
# the normal build checks the expectations over all six seeds.
#
# Usage: test_lesson.sh RDSIM_BINARY SOURCE_ROOT NAME
set -u
rdsim=$1
root=$2
name=$3
file="$root/scenarios/$name.yaml"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
passed=0

check() { # check WHAT CONDITION...
  local what=$1
  shift
  if "$@"; then
    passed=$((passed + 1))
  else
    echo "FAIL: $name: $what"
    failures=$((failures + 1))
  fi
}

check "the file exists" test -f "$file"
check "name: matches the file name" grep -qx "name: $name" "$file"
for part in "Question:" "Predict" "Look for:" "The point:"; do
  check "the description has \"$part\"" grep -q "^  $part" "$file"
done
check "it has expectations" grep -qx "expect:" "$file"

# The shipped seed (no --seed) and five others.
seeds=("" 101 102 103 104 105)
[ "${RDSIM_LESSON_SEEDS:-all}" = shipped ] && seeds=("")
for seed in "${seeds[@]}"; do
  out="$tmp/run$seed"
  start=$(date +%s%N)
  "$rdsim" run "$file" -o "$out" --quiet --force --no-plots ${seed:+--seed "$seed"} 2>"$tmp/err"
  status=$?
  end=$(date +%s%N)
  echo "$name seed ${seed:-shipped}: exit $status, $(((end - start) / 1000000)) ms"
  check "seed ${seed:-shipped} exits 0" test $status -eq 0
  check "seed ${seed:-shipped} meets its expectations" \
    grep -q '"expectations_met": true' "$out/summary.json"
  if [ $status -ne 0 ]; then
    cat "$tmp/err"
    grep -A3 '"ok": false' "$out/summary.json"
  fi
  rm -rf "$out"
done

echo "$name: $passed passed, $failures failed"
test $failures -eq 0
