#!/usr/bin/env bash
# Lattice model, 3D L = 21 (9261 sites): realisations per second, glassvib vs a
# vectorised NumPy version (one thread: NumPy's generator and pow are serial), and
# how close glassvib is to the machine's random-number and floating-point floors.
# Usage: bench/lattice/run.sh [path/to/glassvib] [glassvib samples] [numpy samples]
# Rates are from wall time (and CPU time for the 1-thread runs, robust to load).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=${1:-$HERE/../../build/glassvib}
MG=${2:-2000000}
MN=${3:-20000}
PY=/usr/bin/python3
export OPENBLAS_NUM_THREADS=1  # the NumPy peer on exactly one thread
THREADS=${OMP_NUM_THREADS:-$(nproc)}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-), load $(cut -d' ' -f1-3 /proc/loadavg)"
G=$("$BIN" lattice --dim 3 --L 21 --samples "$MG" --json --quiet --threads "$THREADS")
/usr/bin/time -f '%U' -o "$TMP/g1.cpu" "$BIN" lattice --dim 3 --L 21 --samples $((MG / 2)) --json --quiet --threads 1 >"$TMP/g1.json"
G1=$(cat "$TMP/g1.json")
G1CPU=$(tail -1 "$TMP/g1.cpu")
/usr/bin/time -f '%U' -o "$TMP/n.cpu" $PY "$HERE/lattice_numpy.py" --dim 3 --L 21 --samples "$MN" >"$TMP/n.json"
N=$(cat "$TMP/n.json")
NCPU=$(tail -1 "$TMP/n.cpu")
TP=""
if gcc -O3 -march=native -o "$TMP/tp" "$HERE/throughput.c" -lm 2>/dev/null; then TP=$("$TMP/tp"); fi
$PY - "$G" "$G1" "$N" "$TP" "$THREADS" "$G1CPU" "$NCPU" "$MG" "$MN" <<'PYEOF'
import json, sys
g, g1, n = (json.loads(s) for s in sys.argv[1:4])
tp = json.loads(sys.argv[4]) if sys.argv[4] else None
th = int(sys.argv[5]); g1cpu, ncpu = float(sys.argv[6]), float(sys.argv[7]); S = 21 ** 3
rg, rg1 = g["samples"] / g["wall_s"], g1["samples"] / g1["wall_s"]
rg1c, rnc = g1["samples"] / g1cpu, n["samples"] / ncpu
ns1 = 1e9 / (rg1c * S)
print(f"glassvib ({th} threads): {rg:10.0f} realisations/s  ({g['wall_s']:.2f} s for {g['samples']}, <kappa> {g['kappa_mean']:.5f}, eta {g['eta']:.3f})")
print(f"glassvib (1 thread):   {rg1:10.0f} realisations/s wall, {rg1c:.0f}/s CPU = {ns1:.3f} ns per site")
print(f"numpy (1 thread):      {n['rate']:10.0f} realisations/s wall, {rnc:.0f}/s CPU = {1e9 / (rnc * S):.2f} ns per site (<kappa> {n['kappa_mean']:.5f})")
print(f"ratio glassvib/numpy: {rg / n['rate']:.1f}x ({th} threads vs numpy, wall); {rg1c / rnc:.1f}x per thread (CPU)")
if tp:
    print(f"machine (1 thread): ARS-7 in VAES registers {tp['ars_ns_per_word']:.3f} ns/word (RNG floor; Philox4x32-10 "
          f"in AVX-512 lanes, the previous generator, {tp['philox_ns_per_word']:.3f}); + single-precision u^-0.4 "
          f"{tp['rng_power_ns_per_site']:.3f} ns/site; libm pow {tp['libm_pow_ns']:.1f} ns")
    print(f"machine FMA peak {tp['fma_gflops_sp']:.0f} Gflop/s (single), {tp['fma_gflops_dp']:.0f} (double); kernel flops "
          f"per site at peak = {tp['flop_floor_ns_per_site']:.3f} ns/site (FLOP floor)")
    print(f"glassvib per site = {ns1 / tp['ars_ns_per_word']:.2f} x the RNG floor, "
          f"{ns1 / tp['rng_power_ns_per_site']:.2f} x the RNG + power floor, {ns1 / tp['flop_floor_ns_per_site']:.1f} x the FLOP floor")
PYEOF
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
