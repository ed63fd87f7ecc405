#!/usr/bin/env bash
# deps.sh - install the Debian 12 packages rdsim needs, if any are missing.
# GNU parallel is rdsim sweep --engine parallel's engine. With --tests, also
# what only the test suite needs (headless Chromium and its WebDriver for the
# dashboard test; Slurm and munge for the sweep test that starts a one-node
# Slurm cluster); with --fuzz, what tools/fuzz.sh
# needs (clang with its libFuzzer runtime, llvm-profdata and llvm-cov).
# Uses sudo when not root. Safe to run again: it installs nothing when all
# packages are present. What each package is for: README.md, "Dependencies".
set -euo pipefail

packages=(
  build-essential pkg-config meson ninja-build
  libsqlite3-dev sqlite3
  libyaml-dev
  libjansson-dev
  libcmocka-dev
  libevent-dev
  gnuplot-nox
  parallel
)
for arg in "$@"; do
  case $arg in
    --tests) packages+=(chromium chromium-driver fonts-dejavu-core slurm-wlm munge) ;;
    --fuzz) packages+=(clang libclang-rt-14-dev llvm) ;;
    *) echo "deps.sh: unknown option $arg (expected --tests, --fuzz)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "rdsim: installing missing packages: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null; then
    echo "rdsim: need root or sudo to install: ${missing[*]}" >&2
    exit 1
  fi
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
