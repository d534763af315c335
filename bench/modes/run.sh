#!/bin/bash
# Bench: lowest 100 non-trivial modes of 3D IPL glasses, glassvib (one CHOLMOD
# supernodal Cholesky + block shift-invert Lanczos, solves with 24 right-hand
# sides; and, for reference, its single-vector ARPACK path) vs SciPy
# eigsh(sigma, which='LM') (SuperLU + ARPACK) on the Matrix Market Hessian
# written by glassvib. Same machine, one run each; prints wall and user CPU
# times, the ratio, peak memory and the factorisation's share.
#   usage: bench/modes/run.sh [BUILD_DIR]      (env NS="2000 16000", K=100,
#          BIG=1 adds N=128000, ARPACK=0 skips the ARPACK reference run,
#          PHASES=1 adds a 1-thread phase breakdown per N (phase_bench.c; with
#          BIG=1 that is ~15 more minutes at N = 128000),
#          BLOCKS="16 32" also times those block sizes (default block: 24))
# SciPy is skipped above SCIPY_MAX (default 20000: SuperLU needs ~5 GB and
# ~6 min at N = 16000; at N = 128000 its fill is out of reach), the ARPACK
# reference above ARPACK_MAX (default 20000; ~16 min at N = 128000).
# Duration on 2 quiet cores: ~7 min without BIG (SciPy at N = 16000 is most of
# it), ~+10 min with BIG=1 (glassvib at N = 128000, peak ~16 GB).
# A missing glass of N = 8 M is made as a 2x2x2 replica of the N = M glass
# (replicate.c: an inherent state stays one; exact multiplicities make the
# Lanczos work harder, so its timing is conservative).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
B=$(cd "${1:-$ROOT/build}" && pwd)
GV=$B/glassvib
NS=${NS:-"2000 16000"}
[ "${BIG:-0}" = 1 ] && NS="$NS 128000"
ARPACK=${ARPACK:-1}
ARPACK_MAX=${ARPACK_MAX:-20000}
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
peak() { grep "Maximum resident" "$1" | awk '{printf "%.0f", $NF/1024}'; }
wall() { grep "Elapsed (wall" "$1" | awk '{print $NF}' | awk -F: '{if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2}'; }
user() { grep "User time" "$1" | awk '{print $NF}'; }
echo "# uptime: $(uptime)"
printf "%-7s %-7s %-9s %-9s %-9s %-7s %-9s %-9s %-9s %-9s %-9s %-7s %-7s %-7s %-8s %s\n" N n gv_wall gv_user gv_factor fshare arp_wall arp_user sp_eigsh sp_wall sp_user ratio gv_MB sp_MB "max|dw|" "max|dl|/l"
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
  # glassvib: the whole command (read glass, Hessian, factorisation, eigensolver, residuals)
  /usr/bin/time -v "$GV" modes "$G" --lowest "$K" --no-moduli --json > "$W/gv_$N.json" 2> "$W/gv_$N.time"
  if [ "$ARPACK" = 1 ] && [ "$N" -le "$ARPACK_MAX" ]; then
    /usr/bin/time -v "$GV" modes "$G" --lowest "$K" --no-moduli --json --solver arpack > "$W/arp_$N.json" 2> "$W/arp_$N.time"
    aw=$(wall "$W/arp_$N.time"); au=$(user "$W/arp_$N.time")
  else aw=-; au=-; fi
  # other block sizes (env BLOCKS="12 16 32"): wall time and vector solves only
  for bb in ${BLOCKS:-}; do
    /usr/bin/time -v "$GV" modes "$G" --lowest "$K" --no-moduli --json --block "$bb" > "$W/gvb${bb}_$N.json" 2> "$W/gvb${bb}_$N.time"
    echo "#   N=$N --block $bb: wall $(wall "$W/gvb${bb}_$N.time") s, user $(user "$W/gvb${bb}_$N.time") s, $($PY -c "import json; g=json.load(open('$W/gvb${bb}_$N.json')); print(g['n_solves'], 'vector solves, factor', round(g['factor_s'], 2), 's')")"
  done
  sw=-; su=-; srss=-
  if [ "$N" -le "$SCIPY_MAX" ]; then
    # peer: the Hessian written by glassvib, same shift as glassvib used
    "$GV" hessian "$G" -o "$W/H_$N.mtx" > /dev/null
    sigma=$($PY -c "import json; print(json.load(open('$W/gv_$N.json'))['sigma'])")
    if /usr/bin/time -v $PY "$HERE/eigsh.py" "$W/H_$N.mtx" "$K" 3 "$sigma" > "$W/sp_$N.json" 2> "$W/sp_$N.time"; then
      sw=$(wall "$W/sp_$N.time"); su=$(user "$W/sp_$N.time"); srss=$(peak "$W/sp_$N.time")
    else echo "scipy failed for N=$N (see $W/sp_$N.time)"; fi
  fi
  $PY - "$W" "$N" "$(wall "$W/gv_$N.time")" "$(user "$W/gv_$N.time")" "$aw" "$au" "$sw" "$su" "$(peak "$W/gv_$N.time")" "$srss" <<'PYEOF'
import json, os, sys
W, N, gw, gu, aw, au, sw, su, grss, srss = sys.argv[1:]
g = json.load(open(f"{W}/gv_{N}.json"))
sp = json.load(open(f"{W}/sp_{N}.json")) if sw != "-" else None
a = json.load(open(f"{W}/arp_{N}.json")) if aw != "-" else None
dw = dl = "-"
ref = sp or a
if ref:
    dw = f"{max(abs(x - y) for x, y in zip(g['omega'], ref['omega'])):.1e}"
    # relative eigenvalue difference, lambda = omega^2 (signed)
    sq = lambda w: w * abs(w)
    dl = f"{max(abs(sq(x) - sq(y)) / abs(sq(y)) for x, y in zip(g['omega'], ref['omega'])):.1e}"
ratio = f"{float(sp['eigsh_s']) / float(gw):.1f}" if sp else "-"
eig = sp["eigsh_s"] if sp else "-"
n = 3 * int(N)
f = lambda x: x if x == "-" else f"{float(x):.2f}"
print(f"{N:<7} {n:<7} {f(gw):<9} {f(gu):<9} {g['factor_s']:<9.2f} {g['factor_s'] / g['wall_s']:<7.2f} {f(aw):<9} {f(au):<9} "
      f"{f(eig):<9} {f(sw):<9} {f(su):<9} {ratio:<7} {grss:<7} {srss:<7} {dw:<8} {dl}   "
      f"[{g['method']}, {g['n_solves']} vector solves = {g['n_solves'] / len(g['omega']):.1f} per mode, "
      f"sigma {g['sigma']:.3g}, max residual {g['max_residual']:.1e}"
      + (f"; scipy max residual {sp['max_residual']:.1e}]" if sp else "]"))
PYEOF
done
echo "# gv_wall/gv_user: glassvib modes process (read, Hessian, factor, eigensolver, residuals), seconds"
echo "# gv_factor: the one CHOLMOD factorisation (wall); fshare = gv_factor / glassvib modes wall_s"
echo "# arp_*: the same command with --solver arpack (single-vector solves), for reference"
echo "# sp_eigsh: scipy eigsh alone (excludes mmread); sp_wall/sp_user: whole python process"
echo "# ratio = sp_eigsh / gv_wall; *_MB: peak resident memory; max|dw|: largest frequency difference,"
echo "# max|dl|/l: largest relative eigenvalue difference (vs SciPy, else vs the ARPACK path)"
# Where the time goes (1 thread, CPU seconds: robust on a shared machine): PHASES=1
if [ "${PHASES:-0}" = 1 ]; then
  gcc -O2 -std=gnu17 -fopenmp -I"$ROOT/include" "$HERE/phase_bench.c" -o "$W/phase_bench" "$B/libglassvib.a" $LIBS
  for N in $NS; do
    echo "# phases, N = $N, 1 thread (uptime: $(uptime | sed 's/.*load/load/'))"
    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 "$W/phase_bench" "$W/ipl3d_$N.h5" "$K" 2>&1 |
      grep -v "converged (" | sed 's/^glassvib: /  /'
  done
fi
# Orderings and block-solve cost per vector (why blocks of 24): SOLVE_BENCH=1
if [ "${SOLVE_BENCH:-0}" = 1 ]; then
  gcc -O2 -std=gnu17 -fopenmp -I"$ROOT/include" -I/usr/include/suitesparse "$HERE/solve_bench.c" -o "$W/solve_bench" "$B/libglassvib.a" $LIBS
  for N in $NS; do [ -f "$W/H_$N.mtx" ] && "$W/solve_bench" "$W/H_$N.mtx" all; done
fi
