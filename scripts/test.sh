#!/usr/bin/env bash
# Install what is missing, build, and run the test suite (everything but the
# `slow` label). Usage: scripts/test.sh [--sanitize] [--all]
set -euo pipefail
cd "$(dirname "$0")/.."
sanitize=0; label=(-LE slow)
for arg in "$@"; do
  case "$arg" in
    --sanitize) sanitize=1 ;;
    --all) label=() ;;
    *) echo "test.sh: unknown option '$arg'" >&2; exit 2 ;;
  esac
done
scripts/install-deps.sh
if [ $sanitize -eq 1 ]; then
  dir=build-sanitize
  cmake -S . -B $dir -DCMAKE_BUILD_TYPE=Debug -DGV_SANITIZE=ON >/dev/null
else
  dir=build
  cmake -S . -B $dir -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build $dir -j"$(nproc)"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1
(cd $dir && ctest --output-on-failure -j"$(nproc)" "${label[@]}")
