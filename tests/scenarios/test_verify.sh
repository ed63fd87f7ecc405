#!/usr/bin/env bash
# test_verify.sh RDSIM SOURCE_ROOT - the rows rdsim keeps in memory (the
# writer's images, the replicas' deferred changes) are SQLite's: lessons
# that fail over, promote, lag and read from replicas run with --verify,
# which compares each image with SQLite every time it is used and fails the
# run on any difference, and their outputs are byte-identical to a plain run.
set -u
rdsim=$1
root=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
for lesson in 01-multi-az-instance-failover 05b-read-scaling-with-replicas \
  07-read-replica-promote 08a-multi-az-cluster-failover 11-aurora-replica-lag \
  13b-aurora-global-unplanned 13c-aurora-global-failover-during-outage; do
  s=$root/scenarios/$lesson.yaml
  "$rdsim" run "$s" -o "$tmp/plain" --quiet --force --no-plots >/dev/null
  a=$?
  "$rdsim" run "$s" -o "$tmp/verify" --quiet --force --no-plots --verify >/dev/null
  b=$?
  if [ $a != 0 ] || [ $b != 0 ]; then
    echo "FAIL $lesson: exit $a plain, $b with --verify"
    status=1
    continue
  fi
  for f in summary.json timeseries.csv events.csv report.md; do
    if ! cmp -s "$tmp/plain/$f" "$tmp/verify/$f"; then
      echo "FAIL $lesson: $f differs with --verify"
      status=1
    fi
  done
  echo "ok $lesson"
done
exit $status
