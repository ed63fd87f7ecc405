#!/usr/bin/env bash
# bench.sh - how fast rdsim simulates, and whether memory grows with the
# simulated duration. Builds an optimised binary into build-bench, runs each
# benchmark scenario once and prints wall time, simulated events per second
# and peak resident memory. Rerun it after a change; numbers on the 2-core
# development machines are in docs/model.md.
#
# It also measures the event queue alone (tests/engine/bench_sim: events/s
# with 1,000 and 100,000 pending events), and SimPy's rate on the same
# model when Debian's python3-simpy3 is installed.
#
# Usage: tools/bench.sh [SCENARIO.yaml...]   (default: tools/bench/*.yaml)
set -euo pipefail
cd "$(dirname "$0")/.."

tools/deps.sh
if ! command -v /usr/bin/time >/dev/null || [ ! -x /usr/bin/time ]; then
  echo "bench: installing GNU time" >&2
  ${SUDO:-$( [ "$(id -u)" -ne 0 ] && echo sudo )} apt-get install -y -qq time >/dev/null
fi
if [ ! -f build-bench/build.ninja ]; then
  meson setup build-bench --buildtype=release >/dev/null
fi
ninja -C build-bench src/cli/rdsim tests/engine/bench_sim >/dev/null

echo "event queue alone (hold model, mean delay 1 ms):"
build-bench/tests/engine/bench_sim 1000 20000000
build-bench/tests/engine/bench_sim 100000 20000000
if /usr/bin/python3 -c 'import simpy' 2>/dev/null; then
  tools/bench/engine_simpy.py 1000 1000000
else
  echo "simpy: not installed (apt-get install python3-simpy3 to compare)"
fi
echo

scenarios=("$@")
if [ ${#scenarios[@]} -eq 0 ]; then
  scenarios=(tools/bench/*.yaml)
fi

printf '%-28s %10s %12s %12s %14s %10s\n' scenario simulated_s wall_s events "events/s" peak_MiB
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for s in "${scenarios[@]}"; do
  name=$(basename "$s" .yaml)
  /usr/bin/time -f '%e %M' -o "$out/time" \
    build-bench/src/cli/rdsim run "$s" -o "$out/$name" --quiet --force
  read -r wall kib <"$out/time"
  events=$(grep -o '"simulator_events": [0-9]*' "$out/$name/summary.json" | grep -o '[0-9]*$')
  simulated=$(grep -o '"simulated_s": [0-9.]*' "$out/$name/summary.json" | grep -o '[0-9.]*$')
  awk -v n="$name" -v sim="$simulated" -v w="$wall" -v e="$events" -v k="$kib" 'BEGIN {
    printf "%-28s %10.0f %12.2f %12d %14.0f %10.1f\n", n, sim, w, e, (w > 0 ? e / w : 0), k / 1024 }'
done
