#!/bin/bash
# Bench: lowest 100 non-trivial modes of 3D IPL glasses, glassvib (CHOLMOD
# supernodal Cholesky + ARPACK shift-invert) vs SciPy eigsh(sigma, which='LM')
# (SuperLU + ARPACK) on the Matrix Market Hessian written by glassvib.
# Same machine, one run each; prints times, the ratio and peak memory.
#   usage: bench/modes/run.sh [BUILD_DIR]      (env NS="2000 16000 128000", K=100)
# SciPy is skipped above SCIPY_MAX (default 20000: SuperLU needs ~5 GB at N = 16000).
# A missing glass of N = 8 M is made as a 2x2x2 replica of the N = M glass
# (replicate.c: an inherent state stays one; exact multiplicities make the
# Lanczos work harder, so its timing is conservative).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
B=$(cd "${1:-$ROOT/build}" && pwd)
GV=$B/glassvib
NS=${NS:-"2000 16000"}
K=${K:-100}
SCIPY_MAX=${SCIPY_MAX:-20000}
PY=/usr/bin/python3
W=${WORK:-$(mktemp -d /tmp/gvbench_modes.XXXXXX)}
mkdir -p "$W"
echo "# bench/modes: K=$K, build $B, work $W, $(nproc) cores, load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# OMP_NUM_THREADS=${OMP_NUM_THREADS:-unset} OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-unset}"

# Glasses: `glassvib prepare` if available, else the bench helper make_glass.c
MG=$W/make_glass
LIBS="-L/usr/lib/x86_64-linux-gnu/hdf5/serial -lhdf5 -lgsl -lgslcblas -lcholmod -larpack -llapacke -llapack -lblas -lm"
gcc -O2 -std=gnu17 -fopenmp -I"$ROOT/include" "$HERE/replicate.c" -o "$W/replicate" "$B/libglassvib.a" $LIBS
if ! "$GV" prepare --help >/dev/null 2>&1; then
  gcc -O2 -std=gnu17 -fopenmp -I"$ROOT/include" "$HERE/make_glass.c" -o "$MG" "$B/libglassvib.a" \
    -L/usr/lib/x86_64-linux-gnu/hdf5/serial -lhdf5 -lgsl -lgslcblas -lcholmod -larpack -llapacke -llapack -lblas -lm
fi
peak() { grep "Maximum resident" "$1" | awk '{printf "%.0f MB", $NF/1024}'; }
printf "%-8s %-7s %-10s %-10s %-10s %-10s %-10s %-8s %-9s %-9s %s\n" N n gv_total gv_eigen gv_factor scipy_eig scipy_tot ratio gv_RSS sp_RSS "max|dw|"
for N in $NS; do
  G=$W/ipl3d_$N.h5
  if [ ! -f "$G" ] && [ $((N % 8)) -eq 0 ] && [ -f "$W/ipl3d_$((N / 8)).h5" ]; then
    "$W/replicate" "$W/ipl3d_$((N / 8)).h5" 2 "$G" > "$W/make_$N.log"
  fi
  if [ ! -f "$G" ]; then
    if [ -x "$MG" ]; then "$MG" "$N" 1 "$G" > "$W/make_$N.log"; else
      "$GV" prepare --model ipl --dim 3 --n "$N" --tp 1.0 --equil-time 2 --ftol 1e-8 --allow-unconverged \
        --seed 1 -o "$G" --quiet > "$W/make_$N.log"; fi
  fi
  # glassvib: the whole command (read glass, Hessian, factorisation, Lanczos, residuals)
  /usr/bin/time -v "$GV" modes "$G" --lowest "$K" --no-moduli --json > "$W/gv_$N.json" 2> "$W/gv_$N.time"
  gvt=$(grep "Elapsed (wall" "$W/gv_$N.time" | awk '{print $NF}' | awk -F: '{print ($1*60+$2)}')
  if [ "$N" -gt "$SCIPY_MAX" ]; then
    $PY -c "import json; d=json.load(open('$W/gv_$N.json')); print(f\"{$N:<8} {3*$N:<7} {$gvt:<10.2f} {d['wall_s']:<10.2f} {d['factor_s']:<10.2f} {'-':<10} {'-':<10} {'-':<8} $(peak "$W/gv_$N.time" | tr ' ' '_') (scipy skipped) solves {d['n_solves']}\")"
    continue
  fi
  # peer: the Hessian written by glassvib, same shift as glassvib used
  "$GV" hessian "$G" -o "$W/H_$N.mtx" > /dev/null
  sigma=$($PY -c "import json; print(json.load(open('$W/gv_$N.json'))['sigma'])")
  /usr/bin/time -v $PY "$HERE/eigsh.py" "$W/H_$N.mtx" "$K" 3 "$sigma" > "$W/sp_$N.json" 2> "$W/sp_$N.time" || {
    echo "scipy failed for N=$N (see $W/sp_$N.time)"; continue; }
  spt=$(grep "Elapsed (wall" "$W/sp_$N.time" | awk '{print $NF}' | awk -F: '{print ($1*60+$2)}')
  $PY - "$W/gv_$N.json" "$W/sp_$N.json" "$N" "$gvt" "$spt" "$(peak "$W/gv_$N.time")" "$(peak "$W/sp_$N.time")" <<'PYEOF'
import json, sys
g = json.load(open(sys.argv[1])); s = json.load(open(sys.argv[2]))
N, gvt, spt, grss, srss = sys.argv[3], float(sys.argv[4]), float(sys.argv[5]), sys.argv[6], sys.argv[7]
dw = max(abs(a - b) for a, b in zip(g["omega"], s["omega"]))
print(f"{N:<8} {s['n']:<7} {gvt:<10.2f} {g['wall_s']:<10.2f} {g['factor_s']:<10.2f} {s['eigsh_s']:<10.2f} "
      f"{spt:<10.2f} {s['eigsh_s']/gvt:<8.1f} {grss:<9} {srss:<9} {dw:.1e}")
PYEOF
done
echo "# gv_total: glassvib modes process wall time (read, Hessian, factor, Lanczos, residuals)"
echo "# gv_eigen: eigen-solver part; gv_factor: the one CHOLMOD factorisation"
echo "# scipy_eig: eigsh alone (excludes mmread); scipy_tot: whole python process; ratio = scipy_eig / gv_total"
