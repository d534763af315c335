#!/bin/bash
# Bench: dipole stiffnesses kappa = (d.M^+.d)/(d.M^+2.d) of ALL pairs with
# |f| < 1e-3 in a 3D IPL glass of N = 16000 (seed 003), glassvib vs SciPy with
# one splu factorisation reused for every pair (what a careful user writes:
# symmetric ordering MMD_AT_PLUS_A, no pivoting, SymmetricMode), one run each;
# prints both times, the ratio, and the estimated cost of a fresh solve per pair.
#
# Usage: bench/dipoles/run.sh [GLASS.h5]
# env:  GV_BIN        glassvib binary (default build/glassvib)
#       THREADS       threads for glassvib (default 1: SciPy's splu is serial)
#       SCIPY_PAIRS   SciPy solves this many evenly spaced pairs and its solve
#                     time is extrapolated to all pairs (the per-pair cost of a
#                     solve with a fixed factor is uniform); 0 = all pairs.
#                     Default 500. The output says when it extrapolates.
#       FRESH_PAIRS   pairs timed with a fresh spsolve each (default 2)
#       FRESH_LIMIT   seconds allowed for them (default 900; beyond: lower bound)
#       N             glass size when no GLASS.h5 is given (default 16000)
# Without GLASS.h5 the glass is made with `glassvib prepare` (IPL, 3D, instant
# quench from T_p = 0.6; ~1-3 min at N = 16000).
# Times: wall seconds of each whole computation (glassvib: the whole command,
# reading the glass included; SciPy: factorisation + solves, reading the .mtx
# not counted) and CPU seconds; on a loaded machine compare CPU.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
B=${GV_BIN:-$HERE/../../build/glassvib}
PY=/usr/bin/python3
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
G=${1:-}
NP=${N:-16000}
TH=${THREADS:-1}
if [ -z "$G" ]; then
  G=$W/ipl3d_$NP.h5
  echo "preparing a 3D IPL glass, N = $NP (glassvib prepare) ..."
  $B prepare --model ipl --dim 3 --n "$NP" --tp 0.6 --equil-time 5 -o "$G" --quiet >/dev/null
fi
echo "machine: $(nproc) cores, load: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/time -f '%U %S %e' -o $W/gv.time $B dipoles "$G" --max-force 1e-3 -o $W/kappa.tsv --json --quiet \
  --threads "$TH" > $W/gv.json
echo "glassvib dipoles: $(cat $W/gv.json)"
$B hessian "$G" -o $W/H.mtx --quiet >/dev/null
echo "load before SciPy: $(cut -d' ' -f1-3 /proc/loadavg)"
# SuperLU is serial; one BLAS thread keeps OpenBLAS from spinning a second core (CPU times honest)
OPENBLAS_NUM_THREADS=1 $PY "$HERE/scipy_dipoles.py" $W/H.mtx $W/kappa.tsv 3 "${FRESH_PAIRS:-2}" "${SCIPY_PAIRS:-500}" MMD_AT_PLUS_A \
  "${FRESH_LIMIT:-900}" > $W/py.json
echo "scipy splu:       $(cat $W/py.json)"
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
$PY - $W/gv.json $W/py.json $W/gv.time "$TH" <<'PY'
import json, sys
g, p = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
gu, gs, tg = (float(x) for x in open(sys.argv[3]).read().split()[-3:])
cg = gu + gs
npairs = p["n_pairs"]
tp = p["t_factor"] + p["t_solve_per_pair"] * npairs
cp = p["cpu_factor"] + p["cpu_solve_per_pair"] * npairs
ext = "all pairs solved" if p["n_solved"] == npairs else \
    f"EXTRAPOLATED: SciPy solved {p['n_solved']} of {npairs} pairs, solve time scaled by {npairs / p['n_solved']:.1f}"
print(f"pairs: {g['n_pairs']} with |f| < 1e-3; max relative kappa difference glassvib vs SciPy {p['max_rel_diff']:.1e}")
print(f"glassvib ({sys.argv[4]} thread(s)): {tg:.1f} s wall, {cg:.1f} s CPU (whole command; {g['wall_s']:.1f} s wall in factor + solves)")
print(f"scipy splu ({p['permc']}, one factor): {tp:.1f} s wall = factor {p['t_factor']:.1f} s + solves "
      f"{p['t_solve_per_pair'] * npairs:.1f} s; CPU {cp:.1f} s [{ext}]; nnz(L+U) = {p['nnz_LU']}")
print(f"ratio scipy/glassvib: {tp / tg:.1f}x wall, {cp / cg:.1f}x CPU (goal >= 5x)")
fr = p["t_fresh_per_pair"] * npairs
if p.get("fresh_timeout"):
    print(f"fresh spsolve per pair (SciPy defaults): one pair did not finish in {p['t_fresh_per_pair']:.0f} s -> "
          f"> {fr / 3600:.0f} h for all pairs, > {fr / tg:.0f}x glassvib")
else:
    print(f"fresh spsolve per pair (SciPy defaults, timed on {p['n_fresh']} pairs): {p['t_fresh_per_pair']:.1f} s/pair -> "
          f"{fr:.0f} s = {fr / 3600:.1f} h for all pairs, {fr / tg:.0f}x glassvib")
PY
