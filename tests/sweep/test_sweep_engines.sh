#!/usr/bin/env bash
# test_sweep_engines.sh RDSIM SRCDIR - rdsim sweep's engines agree: 3 points x
# 8 seeds with --jobs 1, --jobs 2, --engine parallel and Slurm's run-chunk
# (called by hand) give byte-identical aggregates; collect rebuilds them after
# they are deleted; runs that miss the SLO (exit 3) are counted; a run
# without a row is reported missing; --resume runs only what is missing;
# --emit writes a job array; --sshlogin reaches GNU parallel; bad input exits 2.
set -euo pipefail
rdsim=$1
cd "$2/tests/sweep"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
same() { # same DIR1 DIR2: the aggregate files are byte-identical
  for f in runs.csv points.csv report.md sweep.sqlite plots/cdf-downtime.dat \
           plots/cdf-downtime.gp plots/cdf-lost-writes.dat plots/cdf-lost-writes.gp; do
    cmp -s "$1/$f" "$2/$f" || fail "$1/$f differs from $2/$f"
  done
}

"$rdsim" sweep three.sweep.yaml -o "$tmp/j1" --jobs 1 -q --no-plots
"$rdsim" sweep three.sweep.yaml -o "$tmp/j2" --jobs 2 -q --no-plots
same "$tmp/j1" "$tmp/j2"
if command -v parallel >/dev/null; then
  "$rdsim" sweep three.sweep.yaml -o "$tmp/par" --engine parallel --jobs 2 -q --no-plots \
    --joblog "$tmp/joblog"
  same "$tmp/j1" "$tmp/par"
  [ "$(tail -n +2 "$tmp/joblog" | wc -l)" = 24 ] || fail "the joblog should hold 24 jobs"
  # --resume with the joblog: nothing is left to run, the aggregate stays
  "$rdsim" sweep three.sweep.yaml -o "$tmp/par" --engine parallel --jobs 2 -q --no-plots \
    --joblog "$tmp/joblog" --resume
  same "$tmp/j1" "$tmp/par"
  # --resume without a joblog: rdsim hands parallel only the runs without a row
  rm "$tmp/par/rows/1-3.row" "$tmp/par/rows/3-8.row"
  "$rdsim" sweep three.sweep.yaml -o "$tmp/par" --engine parallel --jobs 2 -q --no-plots --resume
  [ "$(cat "$tmp/par/jobs-todo.txt")" = "$(printf '1 3\n3 8')" ] || fail "jobs-todo.txt"
  same "$tmp/j1" "$tmp/par"
  # --sshlogin reaches GNU parallel: ':' is its name for this machine (no ssh)
  "$rdsim" sweep three.sweep.yaml -o "$tmp/ssh" --engine parallel -q --no-plots \
    --sshlogin 2/: --joblog "$tmp/sshlog"
  same "$tmp/j1" "$tmp/ssh"
  [ "$(tail -n +2 "$tmp/sshlog" | awk -F'\t' '$2 == ":"' | wc -l)" = 24 ] ||
    fail "the joblog should show 24 jobs on sshlogin ':'"
else
  echo "GNU parallel is not installed: --engine parallel not tested (tools/deps.sh)" >&2
fi

# Every run is a row: 24 rows, 8 per point, and the SLO misses among them.
[ "$(tail -n +2 "$tmp/j1/runs.csv" | wc -l)" = 24 ] || fail "runs.csv should have 24 rows"
[ "$(awk -F, 'NR > 1 && $4 == 3' "$tmp/j1/runs.csv" | wc -l)" -ge 1 ] ||
  fail "no run exited 3: the test sweep must have SLO misses"
awk -F, 'NR > 1 && $3 != 8 { exit 1 }' "$tmp/j1/points.csv" || fail "a point lost runs"
# forever never recovers before the end: 0 of 8 meet the SLO, P = 0..0.324
grep -q '^3,forever,8,0,0,0,0,0.324408,' "$tmp/j1/points.csv" || fail "point 3 row"
# the exit-3 runs are in points.csv's figures too (mean over all 8)
met=$(awk -F, 'NR > 1 && $1 == 1 && $4 == 0' "$tmp/j1/runs.csv" | wc -l)
grep -q "^1,ttl,8,0,$met," "$tmp/j1/points.csv" || fail "slo_met of point 1 is not $met"

# sweep.sqlite holds the same tables
if command -v sqlite3 >/dev/null; then
  [ "$(sqlite3 "$tmp/j1/sweep.sqlite" 'select count(*) from runs')" = 24 ] || fail "sqlite runs"
  [ "$(sqlite3 "$tmp/j1/sweep.sqlite" 'select slo_met from points where point = 1')" = "$met" ] ||
    fail "sqlite slo_met"
fi

# collect after deleting the aggregate rebuilds it byte for byte
rm -rf "$tmp/j1/runs.csv" "$tmp/j1/points.csv" "$tmp/j1/report.md" "$tmp/j1/sweep.sqlite" \
  "$tmp/j1/plots"
"$rdsim" sweep collect "$tmp/j1" -q --no-plots
same "$tmp/j1" "$tmp/j2"

# Slurm's array tasks, run by hand: chunks of 5 lines of jobs.txt
"$rdsim" sweep three.sweep.yaml -o "$tmp/slurm" --engine slurm --emit --chunk 5 -q \
  --throttle 2
grep -q '^#SBATCH --array=0-4%2$' "$tmp/slurm/slurm/sweep.sbatch" || fail "--array line"
grep -q "sweep run-chunk '$tmp/slurm' \"\$SLURM_ARRAY_TASK_ID\" 5$" \
  "$tmp/slurm/slurm/sweep.sbatch" || fail "run-chunk line"
for task in 0 1 2 3 4; do "$rdsim" sweep run-chunk "$tmp/slurm" $task 5; done
"$rdsim" sweep collect "$tmp/slurm" -q --no-plots
same "$tmp/j1" "$tmp/slurm"

# A run without a row is reported missing, by point and seed, exit 1.
rm "$tmp/j2/rows/2-5.row"
set +e
"$rdsim" sweep collect "$tmp/j2" --no-plots >"$tmp/out" 2>"$tmp/err"
rc=$?
set -e
[ $rc = 1 ] || fail "collect with a missing run exited $rc, expected 1"
grep -q '1 of 24 runs missing (not finished yet, or lost): point 2 seed 5$' "$tmp/err" ||
  fail "collect did not name the missing run: $(cat "$tmp/err")"
grep -q '^2,30s,7,' "$tmp/j2/points.csv" || fail "point 2 should count 7 runs"
grep -q '\*\*1 missing\*\*' "$tmp/j2/report.md" || fail "report.md should say 1 missing"
# --resume runs just that one again
"$rdsim" sweep three.sweep.yaml -o "$tmp/j2" --jobs 2 -q --no-plots --resume
same "$tmp/j1" "$tmp/j2"

# A run that cannot run is a row with its exit status, not a gap.
echo 'not: [a scenario' >"$tmp/j2/points/0003.yaml"
rm "$tmp/j2/rows/3-1.row"
"$rdsim" sweep run-one "$tmp/j2" 3 1 2>"$tmp/err"
grep -q '^3,1,2,,,,,,$' "$tmp/j2/rows/3-1.row" || fail "the bad run's row: $(cat "$tmp/j2/rows/3-1.row")"
set +e
"$rdsim" sweep collect "$tmp/j2" -q --no-plots
rc=$?
set -e
[ $rc = 1 ] || fail "collect with a failed run exited $rc, expected 1"
grep -q '^3,forever,8,1,0,0,0,0.35433,' "$tmp/j2/points.csv" || fail "point 3 with one error"

# Bad input: exit 2 with the loader's message; a stranger's folder is refused.
set +e
"$rdsim" sweep bad/seeds-reversed.sweep.yaml -o "$tmp/bad" 2>"$tmp/err"
rc=$?
set -e
[ $rc = 2 ] || fail "a bad sweep file exited $rc, expected 2"
cmp -s "$tmp/err" bad/seeds-reversed.expected || fail "message: $(cat "$tmp/err")"
mkdir "$tmp/stranger" && touch "$tmp/stranger/thesis.tex"
set +e
"$rdsim" sweep three.sweep.yaml -o "$tmp/stranger" -q 2>"$tmp/err"
rc=$?
set -e
[ $rc = 2 ] || fail "a stranger's folder: exit $rc, expected 2"
grep -q 'thesis.tex' "$tmp/err" || fail "the refusal should name the file"
for bad in "--jobs 0" "--engine cloud" "--emit" "--sshlogin host"; do
  set +e
  # shellcheck disable=SC2086
  "$rdsim" sweep three.sweep.yaml -o "$tmp/x" $bad 2>/dev/null
  rc=$?
  set -e
  [ $rc = 2 ] || fail "sweep $bad exited $rc, expected 2"
done
# SIGTERM to the sweep alone stops its workers too: none is left running.
sed 's/^seeds: 1..8$/seeds: 1..400/' three.sweep.yaml >"$tmp/long.sweep.yaml"
sed -i "s#^scenario: base.yaml#scenario: $PWD/base.yaml#" "$tmp/long.sweep.yaml"
"$rdsim" sweep "$tmp/long.sweep.yaml" -o "$tmp/long" -j 2 -q --no-plots 2>"$tmp/err" &
sweep_pid=$!
for _ in $(seq 100); do [ "$(ls "$tmp/long/rows" 2>/dev/null | wc -l)" -ge 2 ] && break; sleep 0.1; done
kill -TERM $sweep_pid
set +e
wait $sweep_pid
rc=$?
set -e
[ $rc = 1 ] || fail "a stopped sweep exited $rc, expected 1"
grep -q 'stopped by signal 15' "$tmp/err" || fail "no stop message: $(cat "$tmp/err")"
if pgrep -f "run-one $tmp/long " >/dev/null; then fail "workers left running"; fi

# Help: the command is listed, and its options documented.
"$rdsim" --help >"$tmp/out"
grep -q '^  sweep SWEEP.yaml' "$tmp/out" || fail "rdsim --help does not list sweep"
"$rdsim" sweep --help >"$tmp/out" || fail "sweep --help exit"
for opt in "--engine local" "--engine parallel" "--engine slurm" "-j, --jobs N" "--emit" \
           "--resume" "collect DIR"; do
  grep -q -- "$opt" "$tmp/out" || fail "sweep --help does not document $opt"
done
"$rdsim" sweep collect --help >/dev/null || fail "sweep collect --help exit"
for args in "run-one" "run-one $tmp/j1 0 1" "run-one $tmp/j1 1 x" "run-chunk $tmp/j1 1" \
            "collect" "collect $tmp/nowhere"; do
  set +e
  # shellcheck disable=SC2086
  "$rdsim" sweep $args >/dev/null 2>&1
  rc=$?
  set -e
  [ $rc = 2 ] || fail "sweep $args exited $rc, expected 2"
done
# collect's option errors say which: an unknown option, or one missing its value
set +e
"$rdsim" sweep collect "$tmp/j1" --bogus 2>"$tmp/err"; rc1=$?
"$rdsim" sweep collect "$tmp/j1" --format 2>>"$tmp/err"; rc2=$?
set -e
[ $rc1 = 2 ] && [ $rc2 = 2 ] || fail "collect's bad options exited $rc1 and $rc2, expected 2"
grep -q 'sweep collect: unknown option --bogus' "$tmp/err" || fail "collect --bogus: $(cat "$tmp/err")"
grep -q 'sweep collect: option --format needs a value' "$tmp/err" ||
  fail "collect --format: $(cat "$tmp/err")"
echo "sweep engines agree"
