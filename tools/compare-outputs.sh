#!/usr/bin/env bash
# compare-outputs.sh - prove a refactor changed no behaviour: build two commits
# in temporary folders, run every scenario the project ships and every scenario
# file the tests use, each with its own seed and with two others, and compare
# summary.json, timeseries.csv, events.csv and report.md byte for byte (and the
# exit status of each run).
#
# Usage: tools/compare-outputs.sh [--keep DIR] [--head-build DIR] BASE [HEAD]
#   BASE, HEAD     commits (anything git rev-parse takes); HEAD defaults to
#                  HEAD; both run the scenario files of the current checkout
#   --keep DIR     keep builds and outputs in DIR; a later call with the same
#                  DIR reuses the base's build and outputs
#   --head-build DIR
#                  use this existing build folder for the HEAD side instead of
#                  building a commit (to check uncommitted work)
# RDSIM_COMPARE_JOBS sets how many runs go at once (default 2).
# Exit status: 0 all identical, 1 some output differs, 2 bad usage or build.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

keep=
head_build=
while [ $# -gt 0 ]; do
  case "$1" in
    --keep) keep=$2; shift 2 ;;
    --head-build) head_build=$(cd "$2" && pwd); shift 2 ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "compare-outputs: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
[ $# -ge 1 ] && [ $# -le 2 ] || {
  echo "usage: $0 [--keep DIR] [--head-build DIR] BASE [HEAD]" >&2
  exit 2
}
base=$(git rev-parse --verify "$1^{commit}")
head=$(git rev-parse --verify "${2:-HEAD}^{commit}")

if [ -n "$keep" ]; then
  mkdir -p "$keep"
  work=$(cd "$keep" && pwd)
  # One comparison at a time per kept folder: they share the base's outputs.
  exec 9>"$work/.lock"
  flock 9
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi

find_bin() {
  find "$1" -maxdepth 3 -type f -name rdsim -perm -u+x | head -n 1
}

# build COMMIT: prints the path of its rdsim binary.
build() {
  local c=$1 src="$work/src-$1" b="$work/build-$1"
  if [ -z "$(find_bin "$b" 2>/dev/null)" ]; then
    rm -rf "$src" "$b"
    mkdir -p "$src"
    git -C "$root" archive "$c" | tar -x -C "$src"
    meson setup "$b" "$src" -Dtests=disabled >/dev/null
    ninja -C "$b" >/dev/null || { echo "compare-outputs: build of $c failed" >&2; exit 2; }
  fi
  find_bin "$b"
}

echo "base $base"
base_bin=$(build "$base")
if [ -n "$head_build" ]; then
  echo "head $head_build (build folder)"
  head_bin=$(find_bin "$head_build")
else
  echo "head $head"
  head_bin=$(build "$head")
fi
[ -n "$base_bin" ] && [ -n "$head_bin" ] || { echo "compare-outputs: no rdsim binary" >&2; exit 2; }

# The scenario files: the shipped ones and every one the tests run (not the
# bad corpus, whose files must fail to load).
mapfile -t files < <(git -C "$root" ls-files 'scenarios/*.yaml' 'tests/*.yaml' |
                     grep -v '/bad/' | sort)
seeds=(own 7 1234567)
outputs=(summary.json timeseries.csv events.csv report.md)

# run_one BIN OUTDIR FILE SEED: results into OUTDIR/<file>-<seed>/
run_one() {
  local bin=$1 out=$2 f=$3 seed=$4
  local d="$out/${f//\//_}-$seed"
  [ -s "$d/status" ] && return 0
  rm -rf "$d"
  mkdir -p "$d"
  local args=("$f" -o "$d/r" --quiet --force --no-plots)
  [ "$seed" = own ] || args+=(--seed "$seed")
  "$bin" run "${args[@]}" >"$d/stdout" 2>"$d/stderr"
  echo $? >"$d/status.tmp"
  mv "$d/status.tmp" "$d/status"
}
export -f run_one

# The base's outputs depend on the base alone, so a kept folder reuses them;
# the head's are made afresh (and kept, per head, for a look afterwards).
base_out="$work/out-$base"
if [ -n "$head_build" ]; then
  head_out="$work/out-head-build"
else
  head_out="$work/out-head-$head"
fi
rm -rf "$head_out"
for f in "${files[@]}"; do
  for s in "${seeds[@]}"; do
    printf '%s\0%s\0%s\0%s\0' "$base_bin" "$base_out" "$f" "$s"
    printf '%s\0%s\0%s\0%s\0' "$head_bin" "$head_out" "$f" "$s"
  done
done | xargs -0 -n 4 -P "${RDSIM_COMPARE_JOBS:-2}" bash -c 'set +e; run_one "$@"' run_one

same=0
differ=0
for f in "${files[@]}"; do
  for s in "${seeds[@]}"; do
    a="$base_out/${f//\//_}-$s"
    b="$head_out/${f//\//_}-$s"
    bad=
    cmp -s "$a/status" "$b/status" || bad+=" status($(cat "$a/status")->$(cat "$b/status"))"
    for o in "${outputs[@]}"; do
      if [ -e "$a/r/$o" ] || [ -e "$b/r/$o" ]; then
        cmp -s "$a/r/$o" "$b/r/$o" || bad+=" $o"
      fi
    done
    if [ -n "$bad" ]; then
      echo "DIFFER $f seed=$s:$bad"
      differ=$((differ + 1))
    else
      same=$((same + 1))
    fi
  done
done
echo "compare-outputs: ${#files[@]} scenario files x ${#seeds[@]} seeds:" \
     "$same identical, $differ differ"
[ "$differ" -eq 0 ]
