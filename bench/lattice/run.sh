#!/usr/bin/env bash
# Lattice model, 3D L = 21 (9261 sites): realisations per second, glassvib vs a
# vectorised NumPy version; plus the machine's RNG / floating-point references.
# Usage: bench/lattice/run.sh [path/to/glassvib] [glassvib samples] [numpy samples]
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=${1:-$HERE/../../build/glassvib}
MG=${2:-200000}
MN=${3:-5000}
PY=/usr/bin/python3
THREADS=${OMP_NUM_THREADS:-$(nproc)}
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); glassvib threads $THREADS"
G=$("$BIN" lattice --dim 3 --L 21 --samples "$MG" --json --quiet --threads "$THREADS")
G1=$("$BIN" lattice --dim 3 --L 21 --samples $((MG / 4)) --json --quiet --threads 1)
N=$($PY "$HERE/lattice_numpy.py" --dim 3 --L 21 --samples "$MN")
TP=""
if gcc -O3 -march=native -o /tmp/gv_lattice_tp_$$ "$HERE/throughput.c" -lm 2>/dev/null; then
  TP=$(/tmp/gv_lattice_tp_$$); rm -f /tmp/gv_lattice_tp_$$
fi
$PY - "$G" "$G1" "$N" "$TP" "$THREADS" <<'PYEOF'
import json, sys
g, g1, n = (json.loads(s) for s in sys.argv[1:4])
tp = json.loads(sys.argv[4]) if sys.argv[4] else None
th = int(sys.argv[5]); S = 21 ** 3
rg, rg1 = g["samples"] / g["wall_s"], g1["samples"] / g1["wall_s"]
print(f"glassvib ({th} threads): {rg:10.0f} realisations/s  ({g['wall_s']:.2f} s for {g['samples']}, <kappa> {g['kappa_mean']:.5f})")
print(f"glassvib (1 thread):   {rg1:10.0f} realisations/s  = {1e9 / (rg1 * S):.2f} ns per site")
print(f"numpy (1 thread):      {n['rate']:10.0f} realisations/s  = {n['ns_per_site']:.2f} ns per site (<kappa> {n['kappa_mean']:.5f})")
print(f"ratio glassvib/numpy: {rg / n['rate']:.1f}x ({th} threads), {rg1 / n['rate']:.1f}x per thread")
if tp:
    print(f"machine (1 thread): Philox4x64-10 {tp['philox_ns_per_word']:.2f} ns/word; RNG + accumulate bound "
          f"{tp['rng_bound_ns_per_site']:.2f} ns/site; libm pow {tp['libm_pow_ns']:.2f} ns; scalar FMA {tp['scalar_fma_gflops']:.1f} GFlop/s")
    print(f"glassvib per site = {1e9 / (rg1 * S) / tp['rng_bound_ns_per_site']:.2f} x the RNG-bound lower bound")
PYEOF
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
