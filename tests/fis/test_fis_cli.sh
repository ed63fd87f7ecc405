#!/usr/bin/env bash
# test_fis_cli.sh - rdsim fis and rdsim run --fis as a user meets them:
# help, arguments, exit codes, warnings on stderr, the file written, and the
# two-step and one-step runs giving the same results.
# Usage: test_fis_cli.sh RDSIM_BINARY SOURCE_ROOT
set -u
rdsim=$1
root=$2
here=$root/tests/fis
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

r() {
  "$rdsim" "$@" >"$tmp/out" 2>"$tmp/err"
  status=$?
}

reboot=$here/templates/reboot-force-failover.json
wait_cut=$here/templates/az-outage-after-wait.json
power=$here/templates/az-power-interruption.json
maz=$here/clusters/multi-az-instance.yaml
aurora=$here/clusters/aurora.yaml

r --help
check "--help lists fis" grep -q "fis TEMPLATE --cluster SCENARIO" "$tmp/out"
r fis --help
check "fis --help exits 0" test $status -eq 0
check "fis --help documents --subnet" grep -q -- "--subnet ID=AZ" "$tmp/out"
r run --help
check "run --help documents --fis" grep -q -- "--fis T.json" "$tmp/out"
check "run --help documents --junit" grep -q -- "--junit FILE" "$tmp/out"

r fis
check "no template exits 2" test $status -eq 2
r fis "$reboot"
check "no --cluster exits 2" test $status -eq 2
check "no --cluster is explained" grep -q -- "--cluster SCENARIO.yaml is required" "$tmp/err"
r fis "$reboot" "$reboot" --cluster "$maz"
check "two templates exit 2" test $status -eq 2
r fis "$reboot" --cluster "$maz" --bogus
check "unknown option exits 2" test $status -eq 2
r fis "$reboot" --cluster "$maz" --subnet subnet-1
check "--subnet without = exits 2" test $status -eq 2
check "--subnet form is explained" grep -q -- "--subnet: must be SUBNET_ID=AZ" "$tmp/err"
r fis "$reboot" --cluster "$maz" --subnet a=us-east-1a --subnet a=us-east-1b
check "--subnet twice exits 2" test $status -eq 2
cp "$maz" "$tmp/maz.yaml"
r fis "$reboot" --cluster "$tmp/maz.yaml" -o "$tmp/maz.yaml"
check "-o onto the scenario exits 2" test $status -eq 2
check "-o onto the scenario leaves it" cmp -s "$maz" "$tmp/maz.yaml"
r fis "$tmp/missing.json" --cluster "$maz"
check "a missing template exits 2" test $status -eq 2
check "a missing template is named" grep -q "missing.json: cannot read" "$tmp/err"
r fis "$here/bad/start-after-cycle.json" --cluster "$maz"
check "a bad template exits 2" test $status -eq 2
check "a bad template's message names the JSON path" \
  grep -q "start-after-cycle.json: actions.B.startAfter\[0\]: a startAfter cycle" "$tmp/err"
r fis "$power" --cluster "$aurora"
check "an unsupported action exits 2" test $status -eq 2
check "an unsupported action is named" grep -q "aws:ec2:stop-instances cannot be simulated" "$tmp/err"
check "nothing is written on error" test ! -s "$tmp/out"
r fis "$reboot" --cluster "$tmp/missing.yaml"
check "a missing scenario exits 2" test $status -eq 2
r fis "$reboot" --cluster "$maz" -o "$tmp/no/such/dir/out.yaml"
check "an unwritable -o exits 2" test $status -eq 2

# Standard output, or -o: the same bytes; warnings on stderr only.
r fis "$power" --cluster "$aurora" --skip-unsupported
check "--skip-unsupported exits 0" test $status -eq 0
check "warnings on stderr" test "$(grep -c '^rdsim: warning: .*dropped (--skip-unsupported)' "$tmp/err")" -eq 3
cp "$tmp/out" "$tmp/stdout.yaml"
r fis "$power" --cluster "$aurora" --skip-unsupported -o "$tmp/power.yaml"
check "-o writes what stdout had" cmp -s "$tmp/stdout.yaml" "$tmp/power.yaml"
check "-o prints nothing on stdout" test ! -s "$tmp/out"
r check "$tmp/power.yaml"
check "rdsim check accepts the file written" test $status -eq 0

# Two steps and one step: the same results (report.md differs only in the
# command its Reproduce line gives).
r fis "$wait_cut" --cluster "$maz" -o "$tmp/wait-cut.yaml"
check "fis exits 0" test $status -eq 0
r run "$tmp/wait-cut.yaml" -o "$tmp/two" --no-plots --quiet
check "run of the file written exits 0" test $status -eq 0
r run --fis "$wait_cut" "$maz" -o "$tmp/one" --no-plots --quiet
check "run --fis exits 0" test $status -eq 0
for f in summary.json timeseries.csv events.csv; do
  check "run --fis gives the same $f" cmp -s "$tmp/one/$f" "$tmp/two/$f"
done
check "run --fis's report names both files" \
  grep -qF 'rdsim run --fis az-outage-after-wait.json multi-az-instance.yaml --seed 7' "$tmp/one/report.md"
check "the outage starts at 120 s" \
  grep -q '"at_s": 120.0*, *$' "$tmp/one/summary.json"
check "the description names the template" \
  grep -q "az-outage-after-wait.json" "$tmp/one/report.md"
r run --fis "$here/bad/start-after-cycle.json" "$maz" -o "$tmp/bad" --quiet
check "run --fis with a bad template exits 2" test $status -eq 2
r run "$maz" --subnet a=us-east-1a -o "$tmp/x" --quiet
check "--subnet without --fis exits 2" test $status -eq 2
r run --fis "$power" "$aurora" -o "$tmp/power-run" --no-plots --skip-unsupported --json
check "run --fis --skip-unsupported --json exits 0" test $status -eq 0
check "run --fis warns on stderr" grep -q "^rdsim: warning: " "$tmp/err"
check "run --fis --json prints only summary.json" cmp -s "$tmp/out" "$tmp/power-run/summary.json"

echo "$passed passed, $failures failed"
test $failures -eq 0
