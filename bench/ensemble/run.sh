#!/usr/bin/env bash
# Ensemble benchmarks (issue 8): strong scaling of a KHGPS ensemble and a lattice
# run over 1 and 2 MPI ranks on this machine, and the cost of the per-sample
# checkpointing (record commits + ordered merge from disk) relative to the run.
#
# usage: bench/ensemble/run.sh [BUILD_DIR]   (default build-ensemble-mpi; needs an MPI build
#        for the scaling part; the overhead part runs with any build)
# The "peer" of an ensemble run is the same command without the engine: without
# -o, khgps/lattice run the plain in-memory loop (no records), so
#   overhead = (engine wall - plain wall) / plain wall, and the engine's own
#   accounting (log line "record commits X s (Y%)") is printed as well.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=${1:-$ROOT/build-ensemble-mpi}/glassvib
[ -x "$B" ] || { echo "no executable $B (build first)"; exit 2; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
MPI="mpiexec --oversubscribe --allow-run-as-root"
HAVE_MPI=0
ldd "$B" | grep -q libmpi && command -v mpiexec > /dev/null && HAVE_MPI=1
now() { date +%s.%N; }
wall() { local t0; t0=$(now); "$@" > "$T/out" 2> "$T/err"; echo "$(now) - $t0" | bc -l; }
ratio() { echo "scale=3; $1 / $2" | bc -l; }
echo "# glassvib ensemble bench, $(date -u +%FT%TZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

KH="--n ${KH_N:-1000} --h 0.012 --J 0.13 --kappa0 1.1 --samples ${KH_M:-12} --seed 5"
LA="--dim 3 --L ${LA_L:-15} --samples ${LA_M:-400000} --chunk ${LA_C:-20000} --seed 8"

echo
echo "## checkpoint overhead (1 rank, 1 thread): plain loop vs engine with per-sample records"
export OMP_NUM_THREADS=1
for cmd in khgps lattice; do
  args=$KH; [ $cmd = lattice ] && args=$LA
  tp=$(wall $B $cmd $args --threads 1 --quiet)
  te=$(wall $B $cmd $args --threads 1 -o "$T/$cmd.out")
  acct=$(grep -o 'record commits.*' "$T/err" | head -1)
  merge=$(grep -o 'merged .*' "$T/err" | head -1)
  printf "%-8s plain %7.2f s   engine+records %7.2f s   ratio %s   (%s; %s)\n" $cmd "$tp" "$te" "$(ratio "$te" "$tp")" "$acct" "$merge"
  rm -rf "$T/$cmd.out" "$T/$cmd.out.parts"
done

echo
echo "## strong scaling (each rank 1 OpenMP thread)"
if [ $HAVE_MPI = 1 ]; then
  for cmd in khgps lattice; do
    args=$KH; [ $cmd = lattice ] && args=$LA
    t1=$(wall $B $cmd $args --threads 1 -o "$T/s1.out" --quiet)
    t2=$(wall $MPI -n 2 $B $cmd $args --threads 1 -o "$T/s2.out" --quiet)
    tt=$(wall $B $cmd $args --threads 2 -o "$T/st.out" --quiet)
    printf "%-8s 1 rank %7.2f s   2 ranks %7.2f s   speed-up %s   (1 rank x 2 threads %7.2f s)\n" $cmd "$t1" "$t2" \
      "$(ratio "$t1" "$t2")" "$tt"
    rm -rf "$T"/s*.out*
  done
else
  echo "skipped: $B is not an MPI build (configure with -DGV_MPI=ON)"
fi
echo
echo "# note: the machine is shared; compare ratios, not absolute times"
