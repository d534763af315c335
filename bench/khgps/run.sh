#!/usr/bin/env bash
# KHGPS, one sample: glassvib vs a NumPy/SciPy version (khgps_scipy.py: scipy.optimize CG,
# then numpy.linalg.eigvalsh for all eigenvalues, or scipy.sparse.linalg.eigsh(sigma=0) =
# ARPACK shift-invert on a dense LU for the K lowest), same parameters and tolerance:
# h = 0.01, J = 0.1, kappa0 = 1, gtol = 1e-10 (max-norm), K = N/200 lowest eigenvalues.
# Prints wall and CPU times of both, glassvib's phases, and the ratios numpy/glassvib.
#
# Usage: bench/khgps/run.sh [path/to/glassvib]
# Environment:
#   SIZES="4000 16000"   sizes N
#   THREADS=2            threads for both (glassvib --threads; OMP/OPENBLAS_NUM_THREADS for numpy)
#   PEER_MAX_N=16000     skip the NumPy peer above this N (its N = 16000 run takes minutes and 4 GB)
#   ALL_MAX_N=4000       all-eigenvalue runs (glassvib --nlow 0, numpy eigvalsh) only up to this N
#   GTOL=1e-10
# Memory at N = 16000: glassvib 1.1 GB (J and the float Cholesky factor share one float matrix),
# numpy 2 GB (J, reused as the Hessian) + 2 GB (LU copy in eigsh).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=${1:-$HERE/../../build/glassvib}
SIZES=${SIZES:-4000 16000}
THREADS=${THREADS:-2}
PEER_MAX_N=${PEER_MAX_N:-16000}
ALL_MAX_N=${ALL_MAX_N:-4000}
GTOL=${GTOL:-1e-10}
PY=/usr/bin/python3
TMP=$(mktemp -d /tmp/gv_bench_khgps.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
[ -x "$BIN" ] || { echo "glassvib binary not found: $BIN" >&2; exit 2; }
echo "KHGPS one sample, h 0.01, J 0.1, kappa0 1, gtol $GTOL, $THREADS thread(s)"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "(CPU = user + system seconds; with other jobs on the machine compare CPU times)"

# run LABEL CMD... : times CMD, appends "LABEL wall cpu" to $TMP/times
run() {
  local label=$1; shift
  /usr/bin/time -f '%e %U %S' -o "$TMP/t" "$@" > "$TMP/$label.out"
  read -r wall usr sys < <(tail -1 "$TMP/t")
  echo "$label $wall $(awk -v a="$usr" -v b="$sys" 'BEGIN { print a + b }')" >> "$TMP/times"
}

for N in $SIZES; do
  K=$((N / 200))
  rm -f "$TMP/times"
  echo
  echo "N = $N (K = $K lowest eigenvalues for the low-tail runs)"
  modes="low"
  [ "$N" -le "$ALL_MAX_N" ] && modes="low all"
  for mode in $modes; do
    nl=$K; [ $mode = all ] && nl=0
    run "gv_$mode" "$BIN" khgps --n "$N" --h 0.01 --J 0.1 --kappa0 1 --samples 1 --seed 1 --nlow $nl \
      --gtol "$GTOL" --threads "$THREADS" --json --quiet -o "$TMP/gv_$mode.h5"
    $PY - "$TMP/gv_$mode.h5" "$(tail -1 "$TMP/times")" <<'PYEOF'
import h5py, sys
s = h5py.File(sys.argv[1], "r")["/samples"]
lab, wall, cpu = sys.argv[2].split()
ne = s["eigenvalues"].shape[1]
print(f"  glassvib {lab[3:]:4s} wall {float(wall):7.2f} s  cpu {float(cpu):7.2f} s | minimise {s['wall_minimise_s'][0]:.2f} s "
      f"({int(s['cg_iterations'][0])} CG iterations + {int(s['newton_steps'][0])} float Cholesky, max|g| {s['grad_max'][0]:.1e}), "
      f"eigen {s['wall_eigen_s'][0]:.2f} s ({ne} eigenvalues, lowest {s['eigenvalues'][0][0]:.4g}, bound {s['eig_bound'][0]:.1e})")
PYEOF
  done
  if [ "$N" -le "$PEER_MAX_N" ]; then
    for mode in $modes; do
      OMP_NUM_THREADS=$THREADS OPENBLAS_NUM_THREADS=$THREADS \
        run "np_$mode" $PY "$HERE/khgps_scipy.py" --n "$N" --gtol "$GTOL" --eig $mode --nlow $K
      $PY - "$(cat "$TMP/np_$mode.out")" "$(tail -1 "$TMP/times")" <<'PYEOF'
import json, sys
s = json.loads(sys.argv[1]); lab, wall, cpu = sys.argv[2].split()
print(f"  numpy    {lab[3:]:4s} wall {float(wall):7.2f} s  cpu {float(cpu):7.2f} s | draw {s['t_draw']:.2f} s, CG {s['t_min']:.2f} s "
      f"({s['nit']} iterations, {s['nfev']} evaluations, max|g| {s['grad_max']:.1e}), eigen {s['t_eig']:.2f} s "
      f"(lowest {s['lambda_min']:.4g})")
PYEOF
    done
    $PY - "$TMP/times" <<'PYEOF'
import sys
t = {l.split()[0]: (float(l.split()[1]), float(l.split()[2])) for l in open(sys.argv[1])}
for mode in ("low", "all"):
    if f"gv_{mode}" in t and f"np_{mode}" in t:
        g, p = t[f"gv_{mode}"], t[f"np_{mode}"]
        print(f"  RATIO numpy/glassvib ({mode}): wall {p[0] / g[0]:.1f}x, cpu {p[1] / g[1]:.1f}x")
PYEOF
  else
    echo "  numpy peer skipped (N > PEER_MAX_N = $PEER_MAX_N)"
  fi
done
echo
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
