#!/usr/bin/env bash
# test_sweep_slurm.sh RDSIM SRCDIR - rdsim sweep --engine slurm on a real,
# one-node Slurm cluster started here: munged, slurmctld and slurmd as root,
# with a slurm.conf written into a temporary folder, on free ports, without
# systemd (ProctrackType=proctrack/linuxproc, TaskPlugin=task/none). The
# sweep of 3 points x 8 seeds is submitted as a job array of 6 tasks of 4
# runs, waited for, collected, and compared byte for byte with --jobs 2 on
# this machine. Every daemon started here is stopped by its pid at exit.
#
# Installs nothing: exits 77 (skipped) unless munged, slurmctld, slurmd and
# sbatch are present (tools/deps.sh --tests installs slurm-wlm and munge)
# and it runs as root.
set -euo pipefail
rdsim=$1
src=$2
for prog in munged slurmctld slurmd sbatch squeue; do
  if ! command -v "$prog" >/dev/null && [ ! -x "/usr/sbin/$prog" ]; then
    echo "SKIP: $prog is not installed (tools/deps.sh --tests installs slurm-wlm and munge)"
    exit 77
  fi
done
if [ "$(id -u)" != 0 ]; then
  echo "SKIP: starting Slurm's daemons needs root"
  exit 77
fi
export PATH=$PATH:/usr/sbin

tmp=$(mktemp -d /tmp/rdsim-slurm-XXXXXX)
chmod 700 "$tmp"
pids=()
stop() {
  local rc=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  if [ $rc != 0 ]; then
    for log in "$tmp"/*.log; do echo "--- $log" >&2; tail -20 "$log" >&2; done
  fi
  rm -rf "$tmp"
  exit $rc
}
trap stop EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# Two free TCP ports (the kernel picks; a race with other programs is
# possible but harmless: the daemons would fail to start and the test says so).
read -r ctld_port slurmd_port < <(python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
host=$(hostname -s)

# munge: a key of our own and a socket in the temporary folder.
mkdir -m 700 "$tmp/munge"
dd if=/dev/urandom of="$tmp/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$tmp/munge/munge.key"
munged -F -f --key-file="$tmp/munge/munge.key" --socket="$tmp/munge/munge.sock" \
  --pid-file="$tmp/munge/munged.pid" --seed-file="$tmp/munge/munged.seed" \
  --log-file="$tmp/munged.log" >"$tmp/munged.out.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do [ -S "$tmp/munge/munge.sock" ] && break; sleep 0.1; done
[ -S "$tmp/munge/munge.sock" ] || fail "munged did not start"

mkdir -p "$tmp/state" "$tmp/spool"
cat >"$tmp/slurm.conf" <<CONF
ClusterName=rdsimtest
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
AuthInfo=socket=$tmp/munge/munge.sock
CredType=cred/munge
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=$host NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN
PartitionName=rdsim Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$tmp/slurm.conf
slurmctld -D -i -f "$SLURM_CONF" >"$tmp/slurmctld.out.log" 2>&1 &
pids+=($!)
sleep 1
slurmd -D -f "$SLURM_CONF" >"$tmp/slurmd.out.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  state=$(sinfo -h -n "$host" -o %T 2>/dev/null || true)
  [ "$state" = idle ] && break
  sleep 0.2
done
[ "$state" = idle ] || fail "the node did not come up (state \"$state\")"

cd "$src/tests/sweep"
timeout 300 "$rdsim" sweep three.sweep.yaml -o "$tmp/slurm" --engine slurm --chunk 4 --wait \
  --no-plots -q || fail "rdsim sweep --engine slurm --wait failed"
ls "$tmp/slurm/slurm/"task-*.out >/dev/null || fail "no task output files"
[ "$(ls "$tmp/slurm/slurm/"task-*.out | wc -l)" = 6 ] || fail "expected 6 array tasks"
"$rdsim" sweep three.sweep.yaml -o "$tmp/local" --jobs 2 --no-plots -q
for f in runs.csv points.csv report.md sweep.sqlite; do
  cmp -s "$tmp/slurm/$f" "$tmp/local/$f" || fail "$f from Slurm differs from --jobs 2"
done
echo "Slurm sweep equals the local one"
