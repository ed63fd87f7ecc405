#!/usr/bin/env bash
# test.sh - the README's second command: install what is missing, build with
# warnings as errors, and run the whole test suite (unit and scenario tests).
# With RDSIM_SANITIZE=1 it builds into build-asan with AddressSanitizer and
# UndefinedBehaviorSanitizer instead.
set -euo pipefail
cd "$(dirname "$0")/.."

tools/deps.sh --tests
dir=build-test
opts=(--werror)
if [ "${RDSIM_SANITIZE:-0}" = 1 ]; then
  dir=build-asan
  opts+=(-Db_sanitize=address,undefined -Db_lundef=false)
fi
if [ ! -f "$dir/build.ninja" ]; then
  meson setup "$dir" "${opts[@]}" >/dev/null
fi
ninja -C "$dir"
meson test -C "$dir" --print-errorlogs --num-processes 2
