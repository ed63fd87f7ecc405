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
r run "$tmp/small.yaml" --bogus
check "unknown option exits 2" test $status -eq 2
r run "$tmp/missing.yaml"
check "missing scenario exits 2" test $status -eq 2
check "missing scenario is named" grep -q "missing.yaml" "$tmp/err"

# A good run: files, terminal story, results mark.
r run "$tmp/small.yaml" -o "$tmp/a"
check "run exits 0" test $status -eq 0
for f in summary.json timeseries.csv events.csv .rdsim-result; do
  check "run writes $f" test -s "$tmp/a/$f"
done
check "terminal story names the outage" grep -q "writer outage: instance-failure at 10.0 s" "$tmp/out"
check "terminal story gives lost writes" grep -q "lost writes: 0 of" "$tmp/out"
r run "$tmp/small.yaml" -o "$tmp/a" --quiet
check "rerun into an earlier result exits 0" test $status -eq 0
check "--quiet prints nothing" test ! -s "$tmp/out"

# Same seed, same bytes; another seed, other bytes (separate processes).
r run "$tmp/small.yaml" -o "$tmp/b" --quiet
for f in summary.json timeseries.csv events.csv; do
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

# rdsim check: every shipped scenario is valid; every corpus file gives its
# exact message and exit 2.
r check "$root"/scenarios/*.yaml
check "shipped scenarios are valid" test $status -eq 0
cd "$root/tests/scenario" || exit 1
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
check "written lessons are the files" diff -r "$root/scenarios" "$tmp/kit" -x meson.build
r lessons --write "$tmp/kit"
check "lessons --write refuses to replace" test $status -eq 2
check "lessons --write says how to proceed" grep -q "pass --force" "$tmp/err"
r lessons --write "$tmp/kit" --force
check "lessons --write --force replaces" test $status -eq 0

echo "$passed passed, $failures failed"
test $failures -eq 0
