#!/usr/bin/env bash
# KHGPS, one sample: glassvib vs a NumPy/SciPy version (khgps_scipy.py), same parameters and
# tolerance: h = 0.01, J = 0.1, kappa0 = 1, gtol = 1e-10 (max-norm), minimisation from x = 0.
#   peer "eigvalsh" (the issue's peer): scipy.optimize CG + numpy.linalg.eigvalsh (all eigenvalues)
#   peer "eigsh"    (stronger):         scipy.optimize CG + scipy.sparse.linalg.eigsh(sigma=0), the K lowest
#   glassvib "low": --nlow K (K = N/200 lowest: what A_g needs; float Cholesky + shift-invert block
#                   Krylov + exact double-precision Rayleigh-Ritz, docs/meanfield.md)
#   glassvib "all": --nlow 0 (all eigenvalues, LAPACK dsyevd_2stage)
# Prints wall and CPU (user + system) seconds of every run, glassvib's phases, and the ratios
# peer/glassvib. Then (VERIFY_MAX_N) the peer recomputes glassvib's sample (same kappa, same float J
# regenerated from glassvib's Philox stream): energy and eigenvalues at glassvib's minimum must agree.
#
# Usage: bench/khgps/run.sh [path/to/glassvib]
# Environment:
#   SIZES="4000 16000"   sizes N
#   THREADS=2            threads for both (glassvib --threads; OMP/OPENBLAS_NUM_THREADS for numpy)
#   ALL_MAX_N=4000       glassvib --nlow 0 only up to this N
#   PEER_MAX_N=16000     the eigsh peer only up to this N (N = 16000: ~2-3 min quiet, 4 GB)
#   PEER_ALL_MAX_N=4000  the eigvalsh peer only up to this N. At N = 16000 it is slow: measured
#                        2026-11-23 516 s wall / 389 s CPU at load 4-6 (906 s / 369 s at load
#                        4-13); set PEER_ALL_MAX_N=16000 to include it (+6-9 min).
#   VERIFY_MAX_N=4000    same-sample verification only up to this N (0 = none)
#   GTOL=1e-10
#   REPS=3, REPEAT_MAX_N=4000  every timed run (glassvib and peers) is repeated REPS times for
#                        N <= REPEAT_MAX_N and the run of median wall time is kept (all printed)
#   GV_OMP_WAIT=passive  OMP_WAIT_POLICY for glassvib (its threads are OpenMP; the peer's are
#                        OpenBLAS pthreads, not affected). With other jobs on the 2 cores GOMP's
#                        default busy-waiting costs 2-3x (N = 4000 at load 4: 2.6-3.6 s wall,
#                        2.5-3.4 s CPU vs 0.8-1.3 s wall, 0.8 s CPU passive); on an idle machine
#                        passive costs only futex wake-ups (~400 parallel regions at N = 4000;
#                        not measured idle). GV_OMP_WAIT=default leaves it unset.
# OpenBLAS 0.3.21 (Debian 12) does not recognise the development machine's AMD EPYC (AVX-512)
# and runs its Haswell (AVX2) kernels; OPENBLAS_CORETYPE=SkylakeX in the environment (inherited
# by both codes) made glassvib's float Cholesky 1.5x faster (N = 4000: 0.13 vs 0.195 s CPU, the
# sample 0.26-0.29 vs 0.28-0.33 s wall) and the eigvalsh peer 4.7 -> 3.8 s; not set here.
# Duration with the defaults: ~4 min (measured at load 2-6: N = 16000 glassvib 37 s + eigsh
# peer 128 s; N = 4000 runs and the same-sample verification ~45 s).
# Memory at N = 16000: glassvib 1.1 GB (J and the float Cholesky factor share one float
# matrix), numpy 2 GB (J, reused as the Hessian) + 2 GB (LU copy in eigsh).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=${1:-$HERE/../../build/glassvib}
SIZES=${SIZES:-4000 16000}
THREADS=${THREADS:-2}
ALL_MAX_N=${ALL_MAX_N:-4000}
PEER_MAX_N=${PEER_MAX_N:-16000}
PEER_ALL_MAX_N=${PEER_ALL_MAX_N:-4000}
VERIFY_MAX_N=${VERIFY_MAX_N:-4000}
GTOL=${GTOL:-1e-10}
REPS=${REPS:-3}
REPEAT_MAX_N=${REPEAT_MAX_N:-4000}
GV_OMP_WAIT=${GV_OMP_WAIT:-passive}
GVENV=()
[ "$GV_OMP_WAIT" != default ] && GVENV=(env OMP_WAIT_POLICY="$GV_OMP_WAIT")
PY=/usr/bin/python3
TMP=$(mktemp -d /tmp/gv_bench_khgps.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
[ -x "$BIN" ] || { echo "glassvib binary not found: $BIN" >&2; exit 2; }
echo "KHGPS one sample, h 0.01, J 0.1, kappa0 1, gtol $GTOL, $THREADS thread(s), glassvib OMP_WAIT_POLICY=$GV_OMP_WAIT, started $(date -u +%H:%M:%S) UTC"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "(CPU = user + system seconds; with other jobs on the machine compare CPU times)"

# run LABEL CMD... : times CMD (REPS times when N <= REPEAT_MAX_N, keeping the run of median
# wall time: the first process after an idle spell runs at a lower clock and with cold caches),
# appends "LABEL wall cpu" to $TMP/times
run() {
  local label=$1; shift
  local reps=1
  [ "$N" -le "$REPEAT_MAX_N" ] && reps=$REPS
  : > "$TMP/reps"
  for ((r = 0; r < reps; r++)); do
    /usr/bin/time -f '%e %U %S' -o "$TMP/t" "$@" > "$TMP/$label.out.$r"
    read -r wall usr sys < <(tail -1 "$TMP/t")
    echo "$wall $(awk -v a="$usr" -v b="$sys" 'BEGIN { print a + b }') $r" >> "$TMP/reps"
  done
  read -r wall cpu r < <(sort -n "$TMP/reps" | sed -n "$(((reps + 1) / 2))p")
  mv "$TMP/$label.out.$r" "$TMP/$label.out"
  rm -f "$TMP/$label.out".*
  echo "$label $wall $cpu" >> "$TMP/times"
  [ "$reps" -gt 1 ] && echo "  ($label: $reps runs, wall $(cut -d' ' -f1 "$TMP/reps" | tr '\n' ' ')s; median kept)"
  return 0
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
    run "gv_$mode" "${GVENV[@]}" "$BIN" khgps --n "$N" --h 0.01 --J 0.1 --kappa0 1 --samples 1 --seed 1 --nlow $nl \
      --gtol "$GTOL" --threads "$THREADS" --json --quiet -o "$TMP/gv_$mode.h5"
    $PY - "$TMP/gv_$mode.h5" "$(tail -1 "$TMP/times")" <<'PYEOF'
import h5py, sys
s = h5py.File(sys.argv[1], "r")["/samples"]
lab, wall, cpu = sys.argv[2].split()
ne = s["eigenvalues"].shape[1]
print(f"  glassvib        {lab[3:]:4s} wall {float(wall):7.2f} s  cpu {float(cpu):7.2f} s | minimise {s['wall_minimise_s'][0]:.2f} s "
      f"({int(s['cg_iterations'][0])} CG iterations + {int(s['newton_steps'][0])} float Cholesky, max|g| {s['grad_max'][0]:.1e}), "
      f"eigen {s['wall_eigen_s'][0]:.2f} s ({ne} eigenvalues, lowest {s['eigenvalues'][0][0]:.10g}, error est. {s['eig_bound'][0]:.1e})")
PYEOF
  done
  pmodes=""
  [ "$N" -le "$PEER_MAX_N" ] && pmodes="low"
  [ "$N" -le "$PEER_ALL_MAX_N" ] && pmodes="$pmodes all"
  for mode in $pmodes; do
    OMP_NUM_THREADS=$THREADS OPENBLAS_NUM_THREADS=$THREADS \
      run "np_$mode" $PY "$HERE/khgps_scipy.py" --n "$N" --gtol "$GTOL" --eig $mode --nlow $K
    $PY - "$(cat "$TMP/np_$mode.out")" "$(tail -1 "$TMP/times")" <<'PYEOF'
import json, sys
s = json.loads(sys.argv[1]); lab, wall, cpu = sys.argv[2].split()
name = {"low": "eigsh", "all": "eigvalsh"}[lab[3:]]
print(f"  numpy {name:9s} {lab[3:]:4s} wall {float(wall):7.2f} s  cpu {float(cpu):7.2f} s | draw {s['t_draw']:.2f} s, CG {s['t_min']:.2f} s "
      f"({s['nit']} iterations, {s['nfev']} evaluations, max|g| {s['grad_max']:.1e}), eigen {s['t_eig']:.2f} s "
      f"(lowest {s['lambda_min']:.10g})")
PYEOF
  done
  [ "$N" -gt "$PEER_ALL_MAX_N" ] && echo "  numpy eigvalsh peer skipped (N > PEER_ALL_MAX_N = $PEER_ALL_MAX_N)"
  [ "$N" -gt "$PEER_MAX_N" ] && echo "  numpy eigsh peer skipped (N > PEER_MAX_N = $PEER_MAX_N)"
  $PY - "$TMP/times" <<'PYEOF'
import sys
t = {l.split()[0]: (float(l.split()[1]), float(l.split()[2])) for l in open(sys.argv[1])}
for p, g, what in (("np_all", "gv_low", "issue's peer CG+eigvalsh / glassvib low tail"),
                   ("np_all", "gv_all", "issue's peer CG+eigvalsh / glassvib all eigenvalues"),
                   ("np_low", "gv_low", "stronger peer CG+eigsh(sigma=0) / glassvib low tail")):
    if p in t and g in t:
        print(f"  RATIO {what:52s}: wall {t[p][0] / t[g][0]:5.1f}x, cpu {t[p][1] / t[g][1]:5.1f}x")
PYEOF
  if [ "$N" -le "$VERIFY_MAX_N" ]; then
    for mode in $modes; do
      OMP_NUM_THREADS=$THREADS OPENBLAS_NUM_THREADS=$THREADS $PY "$HERE/khgps_scipy.py" --n "$N" --gtol "$GTOL" \
        --eig $mode --nlow $K --same-as "$TMP/gv_$mode.h5" > "$TMP/verify_$mode.out"
      $PY - "$(cat "$TMP/verify_$mode.out")" "$mode" <<'PYEOF'
import json, sys
s = json.loads(sys.argv[1])
ok = s["energy_rel_diff"] < 1e-12 and s["eig_max_rel_diff"] < 1e-8 and s["grad_max"] <= 10 * s["gtol"]
print(f"  verify {sys.argv[2]:3s} (numpy on glassvib's sample): energy rel diff {s['energy_rel_diff']:.1e}, "
      f"{s['eig_compared']} eigenvalues max rel diff {s['eig_max_rel_diff']:.1e}, max|g| at glassvib's x* {s['grad_max']:.1e}; "
      f"SciPy CG (max|g| {s['grad_max_scipy_cg']:.1e} before Newton polish) "
      + ("reached the same minimum" if s["same_minimum"] else
         f"ended in ANOTHER minimum (energy {s['energy_own_minimum']:.12g} vs {s['energy_glassvib']:.12g})")
      + (" -> OK" if ok else " -> MISMATCH"))
PYEOF
    done
  fi
done
echo
echo "finished $(date -u +%H:%M:%S) UTC, load after: $(cut -d' ' -f1-3 /proc/loadavg)"
