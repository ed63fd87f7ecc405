#!/usr/bin/env bash
# fuzz.sh - build the libFuzzer harnesses of tests/fuzz with clang,
# AddressSanitizer and UndefinedBehaviorSanitizer (into build-fuzz), and run
# each for a while on its corpus. Any crash, leak, undefined behaviour or
# broken invariant fails: the input is left in build-fuzz/findings/NAME/.
#
#   tools/fuzz.sh [--seconds N] [HARNESS...]   run (default 300 s each; all harnesses)
#   tools/fuzz.sh --coverage [HARNESS...]      line coverage of src/ by the corpora so far
#   tools/fuzz.sh --keep FILE NAME             adopt a finding as a regression case
#
# Harnesses are tests/fuzz/fuzz_NAME.c (scenario, event, sql, sweep, ...). The
# corpus grows in build-fuzz/corpus/NAME (not in git), seeded each run from
# the seeds below. --keep puts a scenario finding into the bad-input corpus
# (tests/loader/bad/NAME.yaml, its message in NAME.expected, checked by
# the scenario-bad-corpus test) and any other into tests/fuzz/corpus/HARNESS/,
# which every run replays first. See tests/fuzz/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=300
mode=run
harnesses=()
while [ $# -gt 0 ]; do
  case $1 in
    --seconds) seconds=$2; shift 2 ;;
    --coverage) mode=coverage; shift ;;
    --keep) mode=keep; keep_file=$2; keep_name=$3; shift 3 ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) harnesses+=("$1"); shift ;;
  esac
done
if [ ${#harnesses[@]} -eq 0 ]; then
  for f in tests/fuzz/fuzz_*.c; do
    n=${f#tests/fuzz/fuzz_}
    harnesses+=("${n%.c}")
  done
fi

# Seed corpora: what each harness starts from besides its own corpus.
seeds() {
  case $1 in
    scenario) echo scenarios tests/loader/good tests/loader/bad tests/live tools/bench ;;
    sweep) echo scenarios/sweeps tests/sweep tests/sweep/bad ;;
  esac
  if [ -d "tests/fuzz/corpus/$1" ]; then echo "tests/fuzz/corpus/$1"; fi
}

# The finding a harness was given last, as a regression case.
if [ $mode = keep ]; then
  harness=${keep_file#*findings/}
  harness=${harness%%/*}
  if [ "$harness" = scenario ] || [ "${keep_file%.yaml}" != "$keep_file" ]; then
    cp "$keep_file" "tests/loader/bad/$keep_name.yaml"
    test -x build-test/src/cli/rdsim || { echo "fuzz.sh: build build-test first (tools/test.sh)" >&2; exit 1; }
    (cd tests/loader && ../../build-test/src/cli/rdsim check "bad/$keep_name.yaml" \
      2>"bad/$keep_name.expected" >/dev/null) || true
    echo "fuzz.sh: tests/loader/bad/$keep_name.yaml, expecting: $(cat "tests/loader/bad/$keep_name.expected")"
    echo "fuzz.sh: check that message, then commit both files with the fix"
  else
    mkdir -p "tests/fuzz/corpus/$harness"
    cp "$keep_file" "tests/fuzz/corpus/$harness/$keep_name"
    echo "fuzz.sh: tests/fuzz/corpus/$harness/$keep_name (replayed by every run)"
  fi
  exit 0
fi

tools/deps.sh --fuzz
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

setup() { # setup DIR EXTRA-MESON-OPTIONS...
  local dir=$1
  shift
  if [ ! -f "$dir/build.ninja" ]; then
    CC=clang meson setup "$dir" -Dfuzz=true -Dtests=disabled -Db_lundef=false "$@" >/dev/null
  fi
  ninja -C "$dir" "${harnesses[@]/#/tests/fuzz/fuzz_}" >/dev/null
}

if [ $mode = coverage ]; then
  # Each harness runs its corpus once (-runs=0) in a build that records
  # which lines ran (clang's source-based coverage).
  dir=build-fuzz-cov
  setup "$dir" -Db_sanitize=none \
    -Dc_args='-fprofile-instr-generate -fcoverage-mapping' \
    -Dc_link_args='-fprofile-instr-generate -fcoverage-mapping'
  rm -rf "$dir/profiles"
  mkdir -p "$dir/profiles"
  objects=()
  for h in "${harnesses[@]}"; do
    mkdir -p "build-fuzz/corpus/$h"
    # shellcheck disable=SC2046
    LLVM_PROFILE_FILE="$dir/profiles/$h.profraw" "$dir/tests/fuzz/fuzz_$h" -runs=0 \
      "build-fuzz/corpus/$h" $(seeds "$h") >/dev/null 2>&1
    objects+=(-object "$dir/tests/fuzz/fuzz_$h")
  done
  llvm-profdata-14 merge -sparse "$dir"/profiles/*.profraw -o "$dir/profiles/all.profdata"
  llvm-cov-14 report "${objects[@]:1}" -instr-profile="$dir/profiles/all.profdata" \
    | sed "s#$(pwd)/##" >"$dir/profiles/report.txt"
  echo "fuzz.sh: line coverage by the corpora of ${harnesses[*]} (full table: $dir/profiles/report.txt)"
  # Columns: regions, missed, %, functions, missed, %, lines, missed, %, ...
  for part in src/scenario src/db src/live src/sweep; do
    awk -v part="$part/" 'index($1, part) == 1 && $8 > 0 {
        printf "  %-30s lines %5d, missed %4d: %6.2f%%\n", $1, $8, $9, 100 * ($8 - $9) / $8
        n += $8; m += $9 }
      END { if (n) printf "  %-30s lines %5d, missed %4d: %6.2f%%\n", part " (all)", n, m, 100 * (n - m) / n }' \
      "$dir/profiles/report.txt"
  done
  exit 0
fi

dir=build-fuzz
setup "$dir" -Db_sanitize=address,undefined
status=0
for h in "${harnesses[@]}"; do
  mkdir -p "$dir/corpus/$h" "$dir/findings/$h"
  dict=()
  if [ -f "tests/fuzz/$h.dict" ]; then dict=(-dict="tests/fuzz/$h.dict"); fi
  echo "fuzz.sh: $h for $seconds s (log: $dir/fuzz-$h.log)"
  # shellcheck disable=SC2046
  if "$dir/tests/fuzz/fuzz_$h" -max_total_time="$seconds" -timeout=10 -max_len=16384 \
      -print_final_stats=1 -artifact_prefix="$dir/findings/$h/" "${dict[@]}" \
      "$dir/corpus/$h" $(seeds "$h") >"$dir/fuzz-$h.log" 2>&1; then
    { grep -E '^#[0-9]+[[:space:]]+DONE' "$dir/fuzz-$h.log" || true; } | tail -1 | sed "s/^/fuzz.sh: $h: /"
    { grep -E '^stat::(number_of_executed_units|peak_rss_mb)' "$dir/fuzz-$h.log" || true; } | sed "s/^/fuzz.sh: $h: /"
  else
    status=1
    echo "fuzz.sh: $h FAILED; the end of its log:" >&2
    tail -40 "$dir/fuzz-$h.log" >&2
    echo "fuzz.sh: the input is in $dir/findings/$h/; once fixed: tools/fuzz.sh --keep FILE NAME" >&2
  fi
done
exit $status
