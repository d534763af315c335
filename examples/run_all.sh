#!/usr/bin/env bash
# Run every paper reproduction: examples/run_all.sh [--quick] [--out DIR]
# (--quick: seconds each, as in CI; without it, ~15-20 minutes on 2 idle cores in total).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
args=()
out=$PWD/out
while [ $# -gt 0 ]; do
  case $1 in --quick) args+=(--quick) ;; --out) out=$2; shift ;; *) echo "usage: run_all.sh [--quick] [--out DIR]" >&2; exit 2 ;; esac
  shift
done
for ex in "$here"/seed*/; do
  name=$(basename "$ex")
  echo "################ $name"
  "$ex/run.sh" "${args[@]}" --out "$out/$name"
done
