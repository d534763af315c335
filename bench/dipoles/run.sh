#!/bin/bash
# Bench: dipole stiffnesses of all pairs with |f| < 1e-3 in a 3D IPL glass of
# N = 16000, glassvib (one CHOLMOD factorisation, blocked multi-RHS solves,
# threads) vs SciPy with one splu factorisation reused for every pair (what a
# careful user writes), one run each; prints both times, the ratio, and the
# estimated cost of a fresh solve per pair.
# Usage: bench/dipoles/run.sh [GLASS.h5]   (env GV_BIN: glassvib binary;
#   SCIPY_PAIRS=M: SciPy solves M evenly spaced pairs and its solve time is
#   extrapolated to all pairs (per-pair cost is uniform); default 0 = all pairs)
# Without GLASS.h5 the glass is made with `glassvib prepare` (IPL, 3D, N = 16000).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
B=${GV_BIN:-$HERE/../../build/glassvib}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
G=${1:-}
if [ -z "$G" ]; then
  G=$W/ipl3d_16000.h5
  echo "preparing a 3D IPL glass, N = 16000 (glassvib prepare) ..."
  $B prepare --model ipl --dim 3 -n 16000 -o "$G" --quiet
fi
echo "machine: $(nproc) cores, load: $(cut -d' ' -f1-3 /proc/loadavg)"
t0=$(date +%s.%N)
GJ=$($B dipoles "$G" --max-force 1e-3 -o $W/kappa.tsv --json --quiet)
t1=$(date +%s.%N)
tg=$(echo "$t1 - $t0" | bc -l)
echo "glassvib dipoles: $GJ"
$B hessian "$G" -o $W/H.mtx --quiet >/dev/null
PJ=$(/usr/bin/python3 "$HERE/scipy_dipoles.py" $W/H.mtx $W/kappa.tsv 3 3 "${SCIPY_PAIRS:-0}")
echo "scipy splu:       $PJ"
/usr/bin/python3 - "$GJ" "$PJ" "$tg" <<'PY'
import json, sys
g, p, tg = json.loads(sys.argv[1]), json.loads(sys.argv[2]), float(sys.argv[3])
tp = p["t_factor"] + p["t_solve_per_pair"] * p["n_pairs"]
fresh = p["t_fresh_per_pair"] * p["n_pairs"]
print(f"pairs: {g['n_pairs']} (scipy solved {p['n_solved']}), max relative kappa difference {p['max_rel_diff']:.1e}")
print(f"glassvib: {tg:.1f} s (whole command incl. reading, pair list, factor, solves; wall_s {g['wall_s']:.1f} s in solves)")
ext = "" if p["n_solved"] == p["n_pairs"] else f", solves extrapolated from {p['n_solved']} pairs"
print(f"scipy   : {tp:.1f} s (factor {p['t_factor']:.1f} s + solves {p['t_solve_per_pair'] * p['n_pairs']:.1f} s{ext}; reading the .mtx not counted)")
print(f"ratio scipy/glassvib: {tp / tg:.2f}x (goal >= 5x)")
print(f"fresh solve per pair (spsolve each time, estimated from a few pairs): {fresh:.0f} s -> {fresh / tg:.0f}x slower than glassvib")
PY
