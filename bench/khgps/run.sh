#!/usr/bin/env bash
# KHGPS, one sample: glassvib vs NumPy/SciPy (scipy.optimize CG + numpy.linalg.eigvalsh),
# h = 0.01, J = 0.1, kappa0 = 1, sizes N (default 4000 16000). Prints wall and CPU times
# and the ratios. glassvib runs twice: all eigenvalues (--nlow 0, dsyevd, like numpy)
# and the low tail only (--nlow N/50: Cholesky + block Krylov, what A_g needs).
# Usage: bench/khgps/run.sh [path/to/glassvib] [sizes...]
# N = 16000 needs ~2.6 GB (glassvib) and ~2.1 GB (NumPy, J reused as the Hessian).
# SCIPY_NO_EIG_ABOVE=N skips numpy's eigvalsh above N and extrapolates it as N^3 from
# the measured N = 4000 time; GV_ALL_ABOVE=N skips glassvib --nlow 0 above N.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=${1:-$HERE/../../build/glassvib}
shift || true
SIZES=${*:-4000 16000}
PY=/usr/bin/python3
NOEIG_ABOVE=${SCIPY_NO_EIG_ABOVE:-100000}
ALL_ABOVE=${GV_ALL_ABOVE:-100000}
TIMEFORMAT='%R %U %S'
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg) (other jobs share the cores: wall times are inflated, CPU times less so)"
T4000=""
for N in $SIZES; do
  echo "N = $N"
  for NL in 0 $((N / 50)); do
    if [ "$NL" = 0 ] && [ "$N" -gt "$ALL_ABOVE" ]; then continue; fi
    { time "$BIN" khgps --n "$N" --h 0.01 --J 0.1 --kappa0 1 --samples 1 --seed 1 --nlow "$NL" --json --quiet \
        -o /tmp/gv_bench_khgps_$$.h5 > /tmp/gv_bench_khgps_$$.json ; } 2> /tmp/gv_bench_khgps_$$.time
    $PY - /tmp/gv_bench_khgps_$$.h5 "$(tail -1 /tmp/gv_bench_khgps_$$.time)" "$NL" <<'PYEOF'
import h5py, sys
f = h5py.File(sys.argv[1], "r"); s = f["/samples"]
real, user, syst = map(float, sys.argv[2].split()); nl = int(sys.argv[3])
print(f"  glassvib --nlow {nl:<5d} wall {real:8.2f} s  cpu {user + syst:8.2f} s | minimise {s['wall_minimise_s'][0]:.2f} s "
      f"({int(s['cg_iterations'][0])} CG + {int(s['newton_steps'][0])} Cholesky), eigen {s['wall_eigen_s'][0]:.2f} s "
      f"({s['eigenvalues'].shape[1]} eigenvalues), max|g| {s['grad_max'][0]:.1e}")
open("/tmp/gv_bench_khgps_last", "a").write(f"{nl} {real} {user + syst}\n")
PYEOF
    rm -f /tmp/gv_bench_khgps_$$.h5 /tmp/gv_bench_khgps_$$.json
  done
  extra=""
  [ "$N" -gt "$NOEIG_ABOVE" ] && extra="--no-eig"
  { time $PY "$HERE/khgps_scipy.py" --n "$N" $extra > /tmp/gv_bench_khgps_$$.json ; } 2> /tmp/gv_bench_khgps_$$.time
  $PY - "$(cat /tmp/gv_bench_khgps_$$.json)" "$(tail -1 /tmp/gv_bench_khgps_$$.time)" "$N" "$T4000" <<'PYEOF'
import json, sys
s = json.loads(sys.argv[1]); real, user, syst = map(float, sys.argv[2].split()); N = int(sys.argv[3])
cpu = user + syst; note = ""
if "t_eig" not in s and sys.argv[4]:
    te = float(sys.argv[4]) * (N / 4000) ** 3
    real += te; cpu += te; note = f" + eigvalsh extrapolated {te:.0f} s (N^3 from N = 4000)"
print(f"  numpy/scipy       wall {real:8.2f} s  cpu {cpu:8.2f} s | CG {s['t_min']:.2f} s ({s['nfev']} evaluations, "
      f"max|g| {s['grad_max']:.1e}), eigvalsh {s.get('t_eig', float('nan')):.2f} s{note}")
rows = [l.split() for l in open("/tmp/gv_bench_khgps_last")]
for nl, gr, gc in rows:
    print(f"  ratio numpy/glassvib (--nlow {nl}): wall {real / float(gr):.1f}x, cpu {cpu / float(gc):.1f}x")
if N == 4000 and "t_eig" in s: open("/tmp/gv_bench_khgps_t4000", "w").write(str(s["t_eig"]))
PYEOF
  rm -f /tmp/gv_bench_khgps_last /tmp/gv_bench_khgps_$$.json /tmp/gv_bench_khgps_$$.time
  [ -s /tmp/gv_bench_khgps_t4000 ] && T4000=$(cat /tmp/gv_bench_khgps_t4000)
done
rm -f /tmp/gv_bench_khgps_t4000
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
