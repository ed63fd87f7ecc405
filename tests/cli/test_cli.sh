#!/usr/bin/env bash
# test_cli.sh - the rdsim command as a user meets it: help, version, exit
# codes, messages, results folders, determinism across processes.
# Usage: test_cli.sh RDSIM_BINARY SOURCE_ROOT
set -u
rdsim=$1
root=$2
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

differ() { ! cmp -s "$1" "$2"; }
lacks() { ! grep -q -- "$1" "$2"; } # lacks TEXT FILE

# says FILE TEXT: TEXT is in FILE once its lines are joined (the story is
# wrapped to the terminal's width).
says() { tr '\n' ' ' <"$1" | tr -s ' ' | grep -qF -- "$2"; }

# Run rdsim, keep stdout, stderr and the exit status.
r() {
  "$rdsim" "$@" >"$tmp/out" 2>"$tmp/err"
  status=$?
}

cat >"$tmp/small.yaml" <<'YAML'
name: small
duration: 30s
cluster:
  deployment: single-az
  instances: [{name: db, role: writer, az: us-east-1a}]
workload: {rows: 100, reads: 50/s, writes: 20/s}
events:
  - {at: 10s, action: instance-failure, target: db, for: 5s}
YAML

r --help
check "--help exits 0" test $status -eq 0
check "--help lists run" grep -q "run SCENARIO" "$tmp/out"
r run --help
check "run --help exits 0" test $status -eq 0
check "run --help documents -o" grep -q -- "-o, --output DIR" "$tmp/out"
r check --help
check "check --help exits 0" test $status -eq 0
r --version
check "--version" grep -qE "^rdsim [0-9]+\.[0-9]+\.[0-9]+$" "$tmp/out"
r
check "no command exits 2" test $status -eq 2
r frobnicate
check "unknown command exits 2" test $status -eq 2
check "unknown command is named" grep -q 'unknown command "frobnicate"' "$tmp/err"
r run
check "run without scenario exits 2" test $status -eq 2
r run "$tmp/small.yaml" --seed abc
check "bad seed exits 2" test $status -eq 2
check "bad seed is explained" grep -q 'seed: must be a whole number' "$tmp/err"
# --seed is digits only, 0..2^63-1 (what summary.json can hold): no spaces,
# no sign, no wrap-around of a huge negative number.
for bad in " 5" "+5" " -18446744073709551615" "-1" "9223372036854775808" "5 " ""; do
  r run "$tmp/small.yaml" -o "$tmp/seedbad" --seed "$bad"
  check "--seed \"$bad\" exits 2" test $status -eq 2
  check "--seed \"$bad\" is explained" grep -q 'seed: must be a whole number 0..9223372036854775807' "$tmp/err"
done
r run "$tmp/small.yaml" -o "$tmp/seedmax" --quiet --seed 9223372036854775807
check "--seed 2^63-1 runs" test $status -eq 0
check "--seed 2^63-1 is recorded" grep -q '"seed": 9223372036854775807,' "$tmp/seedmax/summary.json"
repro=$(grep -o 'rdsim run [^`]* --seed [0-9]*' "$tmp/seedmax/report.md" | sed 's/.*--seed //')
check "report.md's reproduce command has the seed" test "$repro" = 9223372036854775807
sed 's/^name: small/name: small\nseed: 18446744073709551615/' "$tmp/small.yaml" >"$tmp/bigseed.yaml"
r run "$tmp/bigseed.yaml" -o "$tmp/bigseed"
check "a scenario seed above 2^63-1 exits 2" test $status -eq 2
check "a scenario seed above 2^63-1 names the range" grep -q 'seed: must be an integer 0..9223372036854775807' "$tmp/err"
r run "$tmp/small.yaml" --bogus
check "unknown option exits 2" test $status -eq 2
r run "$tmp/missing.yaml"
check "missing scenario exits 2" test $status -eq 2
check "missing scenario is named" grep -q "missing.yaml" "$tmp/err"

# A good run: files, terminal story, results mark.
r run "$tmp/small.yaml" -o "$tmp/a"
check "run exits 0" test $status -eq 0
for f in summary.json timeseries.csv events.csv report.md plots/run.gp plots/marks.gp \
  plots/render.gp .rdsim-result; do
  check "run writes $f" test -s "$tmp/a/$f"
done
check "terminal story names the fault" says "$tmp/out" "At 10 s: db fails, for 5 s."
check "terminal story gives the downtime" says "$tmp/out" \
  "No write succeeded again after the instance failure at 10.0 s (20.0 s of writer downtime"
check "terminal story gives lost writes" grep -q "lost writes: 0 of" "$tmp/out"
check "report.md tells the same story" says "$tmp/a/report.md" "At 10 s: db fails, for 5 s."
r run "$tmp/small.yaml" -o "$tmp/a" --quiet
check "rerun into an earlier result exits 0" test $status -eq 0
check "--quiet prints nothing" test ! -s "$tmp/out"

# Same seed, same bytes; another seed, other bytes (separate processes).
r run "$tmp/small.yaml" -o "$tmp/b" --quiet
for f in summary.json timeseries.csv events.csv report.md plots/run.gp plots/marks.gp; do
  check "same seed, identical $f" cmp -s "$tmp/a/$f" "$tmp/b/$f"
done
r run "$tmp/small.yaml" -o "$tmp/c" --quiet --seed 5
check "another seed changes timeseries.csv" differ "$tmp/a/timeseries.csv" "$tmp/c/timeseries.csv"
check "--seed is reported" grep -q '"seed": 5,' "$tmp/c/summary.json"

# A folder with someone else's files is refused, unless --force.
mkdir "$tmp/mine"
echo precious >"$tmp/mine/notes.txt"
r run "$tmp/small.yaml" -o "$tmp/mine"
check "non-empty folder refused with exit 2" test $status -eq 2
check "refusal says how to proceed" grep -q "pass --force" "$tmp/err"
check "refusal wrote nothing" test ! -e "$tmp/mine/summary.json"
r run "$tmp/small.yaml" -o "$tmp/mine" --force --quiet
check "--force writes" test -s "$tmp/mine/summary.json"
check "--force keeps other files" test -s "$tmp/mine/notes.txt"

# A folder rdsim cannot write into is bad input (exit 2), found before the
# run. root writes anywhere, so as root the check runs as nobody.
mkdir "$tmp/ro"
chmod 555 "$tmp/ro"
as_other=()
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
  chmod 755 "$tmp"
  as_other=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi
if [ "$(id -u)" -ne 0 ] || [ ${#as_other[@]} -gt 0 ]; then
  "${as_other[@]}" "$rdsim" run "$tmp/small.yaml" -o "$tmp/ro" >"$tmp/out" 2>"$tmp/err"
  status=$?
  check "a read-only -o folder exits 2" test $status -eq 2
  check "a read-only -o folder is explained" grep -q "ro: cannot write into this folder" "$tmp/err"
fi

# rdsim serve finds bad --save and --bind at once, not at exit (the session
# would be lost) and not as "Success".
timeout 30 "$rdsim" serve "$tmp/small.yaml" --port 0 --save "$tmp/no/such/s.yaml" >"$tmp/out" 2>"$tmp/err"
status=$?
check "serve --save into a missing folder exits 2 at start" test $status -eq 2
check "serve --save into a missing folder is explained" grep -q "no folder $tmp/no/such to write it in" "$tmp/err"
timeout 30 "$rdsim" serve "$tmp/small.yaml" --port 0 --save "$tmp" >"$tmp/out" 2>"$tmp/err"
status=$?
check "serve --save onto a folder exits 2 at start" test $status -eq 2
timeout 30 "$rdsim" serve "$tmp/small.yaml" --port 0 --bind 999.1.1.1 >"$tmp/out" 2>"$tmp/err"
status=$?
check "serve --bind 999.1.1.1 exits 2" test $status -eq 2
check "serve --bind 999.1.1.1 names the address" grep -q "cannot listen on 999.1.1.1" "$tmp/err"
check "serve --bind 999.1.1.1 gives a reason, not Success" lacks "Success" "$tmp/err"

for opt in "--timeout 0" "--timeout 3601" "--max-connections x" "--max-streams -1"; do
  # shellcheck disable=SC2086
  timeout 30 "$rdsim" serve "$tmp/small.yaml" --port 0 $opt >"$tmp/out" 2>"$tmp/err"
  status=$?
  check "serve $opt exits 2" test $status -eq 2
  check "serve $opt is explained" grep -q "must be a whole number 1\.\." "$tmp/err"
done

# --keep-db leaves a database the sqlite3 shell opens.
r run "$tmp/small.yaml" -o "$tmp/k" --quiet --keep-db "$tmp/dbs"
check "--keep-db writes the instance's database" test -s "$tmp/dbs/db.sqlite"
if command -v sqlite3 >/dev/null; then
  rows=$(sqlite3 "$tmp/dbs/db.sqlite" "select count(*) from kv")
  check "--keep-db database has the workload table" test "$rows" = 100
fi

# An unmet expectation exits 3 and says FAIL.
sed 's/^events:/expect: {max_writer_downtime: 1s}\nevents:/' "$tmp/small.yaml" >"$tmp/strict.yaml"
r run "$tmp/strict.yaml" -o "$tmp/s"
check "unmet expectation exits 3" test $status -eq 3
check "unmet expectation printed" grep -q "max_writer_downtime.*FAIL" "$tmp/out"
check "unmet expectation in summary" grep -q '"expectations_met": false' "$tmp/s/summary.json"

# Plots: drawn when gnuplot is on PATH; without it the run still succeeds,
# keeps data and scripts, and says how to draw them.
if command -v gnuplot >/dev/null; then
  for f in latency availability throughput roles; do
    check "run draws $f.png" test -s "$tmp/a/plots/$f.png"
    check "run draws $f.svg" test -s "$tmp/a/plots/$f.svg"
  done
  check "no lag figure for a single instance" test ! -e "$tmp/a/plots/lag.png"
  check "report.md embeds the latency figure" grep -q "(plots/latency.png)" "$tmp/a/report.md"
  rm "$tmp/a/plots/"*.png
  r plot "$tmp/a" --format png
  check "plot DIR exits 0" test $status -eq 0
  check "plot DIR draws again" test -s "$tmp/a/plots/roles.png"
  r plot --compare "$tmp/a" "$tmp/c" -o "$tmp/cmp"
  check "plot --compare exits 0" test $status -eq 0
  check "plot --compare draws latency" test -s "$tmp/cmp/compare-latency.png"
  check "plot --compare draws availability" test -s "$tmp/cmp/compare-availability.svg"
  check "plot --compare names both runs" grep -q "B = small, seed 5" "$tmp/cmp/run.gp"
  r plot --compare "$tmp/a" "$tmp/c" -o "$tmp/cmp"
  check "plot --compare again into its own folder exits 0" test $status -eq 0
  r plot --compare "$tmp/a" "$tmp/c" -o "$tmp/mine"
  check "plot --compare into a folder of other files exits 2" test $status -eq 2
  check "plot --compare refusal says how to proceed" grep -q "pass --force" "$tmp/err"
  r plot --compare "$tmp/a" "$tmp/c" -o "$tmp/mine" --force
  check "plot --compare --force writes" test -s "$tmp/mine/compare-latency.png"
fi
PATH=/nonexistent "$rdsim" run "$tmp/small.yaml" -o "$tmp/np" >"$tmp/out" 2>"$tmp/err"
check "run without gnuplot exits 0" test $? -eq 0
check "run without gnuplot writes the scripts" test -s "$tmp/np/plots/latency.gp"
check "run without gnuplot draws nothing" test ! -e "$tmp/np/plots/latency.png"
check "run without gnuplot says so" grep -q "gnuplot was not found" "$tmp/err"
check "run without gnuplot gives the command" grep -q "run: rdsim plot $tmp/np" "$tmp/err"
check "report.md without gnuplot says how to draw" says "$tmp/np/report.md" "No figure had been drawn"
PATH=/nonexistent "$rdsim" plot "$tmp/np" >"$tmp/out" 2>"$tmp/err"
check "plot without gnuplot exits 1" test $? -eq 1
check "plot without gnuplot says so" grep -q "gnuplot was not found" "$tmp/err"
# A gnuplot that fails: the run still succeeds and warns; plot exits 1.
mkdir "$tmp/badgp"
printf '#!/bin/sh\necho "line 3: undefined variable: x" >&2\nexit 1\n' >"$tmp/badgp/gnuplot"
chmod +x "$tmp/badgp/gnuplot"
PATH="$tmp/badgp" "$rdsim" run "$tmp/small.yaml" -o "$tmp/bg" --quiet 2>"$tmp/err"
check "run with a failing gnuplot exits 0" test $? -eq 0
check "run with a failing gnuplot warns with its message" grep -q "warning: gnuplot failed.*undefined variable" "$tmp/err"
check "run with a failing gnuplot still writes report.md" test -s "$tmp/bg/report.md"
PATH="$tmp/badgp" "$rdsim" plot "$tmp/bg" >/dev/null 2>"$tmp/err"
check "plot with a failing gnuplot exits 1" test $? -eq 1
check "plot with a failing gnuplot names its log" grep -q "gnuplot.log" "$tmp/err"
r plot "$tmp/nothing-here"
check "plot of a missing folder exits 2" test $status -eq 2
check "plot of a missing folder is explained" grep -q "an rdsim results folder?" "$tmp/err"
r plot --format jpeg "$tmp/a"
check "plot --format jpeg exits 2" test $status -eq 2
check "plot --format is explained" grep -q "must be png, svg or both" "$tmp/err"
r plot --compare "$tmp/a"
check "plot --compare with one folder exits 2" test $status -eq 2
r plot -o "$tmp/x" "$tmp/a"
check "plot -o without --compare exits 2" test $status -eq 2
r plot "$tmp/a" "$tmp/c"
check "plot of two folders without --compare exits 2" test $status -eq 2
r run "$tmp/small.yaml" -o "$tmp/f" --format gif
check "run --format gif exits 2" test $status -eq 2
r run "$tmp/small.yaml" -o "$tmp/n" --no-plots --quiet
check "run --no-plots writes scripts only" test -s "$tmp/n/plots/run.gp" -a ! -e "$tmp/n/plots/latency.png"

# rdsim check: every shipped scenario is valid; every corpus file gives its
# exact message and exit 2.
r check "$root"/scenarios/*.yaml
check "shipped scenarios are valid" test $status -eq 0
cd "$root/tests/loader" || exit 1
for y in bad/*.yaml; do
  want=$(cat "${y%.yaml}.expected")
  "$rdsim" check "$y" >/dev/null 2>"$tmp/err"
  status=$?
  check "$y exits 2" test $status -eq 2
  check "$y message" test "$(cat "$tmp/err")" = "$want"
done

# rdsim lessons: the lessons built into the binary are exactly the files of
# scenarios/, in order, one line each (number, name, question), from any
# folder; --show prints a file byte for byte; --write writes them all.
r --help
check "--help lists lessons" grep -q "^  lessons" "$tmp/out"
r lessons --help
check "lessons --help exits 0" test $status -eq 0
check "lessons --help documents --show" grep -q -- "--show N" "$tmp/out"
(cd / && "$rdsim" lessons >"$tmp/lessons" 2>"$tmp/err")
check "lessons exits 0 from another folder" test $? -eq 0
ls "$root"/scenarios/*.yaml | sed 's#.*/##; s#\.yaml$##' >"$tmp/files"
awk '{print $2}' "$tmp/lessons" >"$tmp/listed"
check "lessons lists every scenario file, in order" cmp -s "$tmp/files" "$tmp/listed"
check "at least 12 lessons" test "$(wc -l <"$tmp/lessons")" -ge 12
check "each line starts with the lesson's number" \
  test -z "$(awk '{n = $2; sub(/-.*/, "", n); if (n != $1) print}' "$tmp/lessons")"
check "each line asks its question" \
  test -z "$(awk '$NF !~ /\?$/ || NF < 5' "$tmp/lessons")"
check "lesson 01 is the Multi-AZ failover" \
  grep -q "^01 *01-multi-az-instance-failover *How long does a Multi-AZ" "$tmp/lessons"
r lessons --show 1
check "lessons --show 1 exits 0" test $status -eq 0
check "lessons --show prints the file" cmp -s "$tmp/out" "$root/scenarios/01-multi-az-instance-failover.yaml"
r lessons --show 03B
check "lessons --show takes a part, any case" cmp -s "$tmp/out" "$root/scenarios/03b-dns-cache-forever.yaml"
r lessons --show 04-rds-proxy
check "lessons --show takes a name" cmp -s "$tmp/out" "$root/scenarios/04-rds-proxy.yaml"
r lessons --show 3
check "lessons --show with two parts exits 2" test $status -eq 2
check "lessons --show names the parts" grep -q 'lesson "3" has parts 03a, 03b' "$tmp/err"
r lessons --show 99
check "lessons --show unknown exits 2" test $status -eq 2
check "lessons --show unknown is named" grep -q 'no lesson "99"' "$tmp/err"
r lessons --bogus
check "lessons unknown option exits 2" test $status -eq 2
r lessons --write "$tmp/kit"
check "lessons --write exits 0" test $status -eq 0
check "lessons --write writes every lesson" \
  test "$(ls "$tmp/kit" | wc -l)" -eq "$(wc -l <"$tmp/files")"
# (scenarios/sweeps holds the sweep files of docs/sweeps.md, not lessons)
check "written lessons are the files" diff -r "$root/scenarios" "$tmp/kit" -x meson.build -x sweeps
r lessons --write "$tmp/kit"
check "lessons --write refuses to replace" test $status -eq 2
check "lessons --write says how to proceed" grep -q "pass --force" "$tmp/err"
r lessons --write "$tmp/kit" --force
check "lessons --write --force replaces" test $status -eq 0

echo "$passed passed, $failures failed"
test $failures -eq 0
