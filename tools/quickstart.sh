#!/usr/bin/env bash
# quickstart.sh - the README's first command: install what is missing, build,
# and run the default scenario into results/quickstart/.
set -euo pipefail
cd "$(dirname "$0")/.."

tools/deps.sh
if [ ! -f build/build.ninja ]; then
  meson setup build >/dev/null
fi
ninja -C build >/dev/null

scenario=scenarios/01-multi-az-instance-failover.yaml
out=results/quickstart
echo "rdsim: running $scenario"
status=0
build/src/cli/rdsim run "$scenario" -o "$out" || status=$?
echo
echo "Results are in $out/: report.md tells the story, plots/ holds the figures."
echo "The other lessons: build/src/cli/rdsim lessons; run one with"
echo "  build/src/cli/rdsim run scenarios/<name>.yaml (docs/workshop.md is the guide)"
exit $status
