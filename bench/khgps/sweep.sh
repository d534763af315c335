#!/usr/bin/env bash
# KHGPS parameter sweeps reproducing seed 001 at laptop scale (docs/meanfield.md):
#  1. weak regime, J = 0.02, kappa0 = 1, h = 1e-3 .. 1e-1: omega_x ~ h^(1/3), <x*^2> ~ h^(4/3)/kappa0
#  2. h = 0.01, kappa0 = 1, J = 0.03 .. 0.4: A_g(J) non-monotonic, peak near J_x
# Usage: bench/khgps/sweep.sh [path/to/glassvib] [N] [samples]
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=${1:-$HERE/../../build/glassvib}
N=${2:-1000}
M=${3:-100}
PY=/usr/bin/python3
row() { $PY -c "
import json,sys
d=json.loads(sys.argv[1]); x=float(sys.argv[2]); h=float(sys.argv[3])
print('%8g  %10.4g %9.2g  %8.3f  %10.5g %9.2g  %8.4f  %8.4f  %7.1f' % (x, d['A_g'] or float('nan'), d['A_g_err'] or float('nan'),
  d['low_exponent'] or float('nan'), d['x2_mean'], d['x2_err'] or float('nan'), d['omega_x'], d['omega_x']/(6*h)**(1/3), d['wall_s']))" "$@"; }
echo "# sweep 1: N=$N samples=$((M / 5)) J=0.02 kappa0=1"
echo "#       h         A_g       err  exponent     <x*^2>       err   omega_x  w_x/(6h)^1/3  wall_s"
for h in 0.001 0.003 0.01 0.03 0.1; do
  row "$("$BIN" khgps --n "$N" --h $h --J 0.02 --kappa0 1 --samples $((M / 5)) --json --quiet)" $h $h
done
echo "# sweep 2: N=$N samples=$M h=0.01 kappa0=1"
echo "#       J         A_g       err  exponent     <x*^2>       err   omega_x  w_x/(6h)^1/3  wall_s"
for J in 0.03 0.05 0.07 0.1 0.14 0.2 0.3; do
  row "$("$BIN" khgps --n "$N" --h 0.01 --J $J --kappa0 1 --samples "$M" --json --quiet)" $J 0.01
done
