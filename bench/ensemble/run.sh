#!/usr/bin/env bash
# Ensemble benchmarks (issue 8):
#  1. cost of the per-sample checkpointing for every routed command at realistic
#     sizes (prepare, modes and dipoles over N = 4000 glasses, khgps N = 4000,
#     lattice): the engine's own accounting = scan of the run directory + record
#     commits (pack, CRC, write, fsync, rename) + the ordered merge (read back,
#     verify, products' CRC), as a fraction of the command's wall time; for
#     khgps and lattice also the plain in-memory loop (no -o) vs the engine;
#  2. strong scaling over 1 and 2 MPI ranks (and 1 rank x 2 threads) of a KHGPS
#     ensemble, a lattice run, a modes ensemble and a dipoles ensemble.
#
# usage: bench/ensemble/run.sh [BUILD_DIR]   (default build-ens; an MPI build for part 2)
# sizes: PR_N PR_M (glasses), MO_K (modes), KHO_N KHO_M (khgps overhead), LAO_L LAO_M
#        LAO_C (lattice overhead: realistic chunks of ~2 s), KH_N KH_M (khgps scaling),
#        LA_L LA_M LA_C (lattice scaling), SC_REP (glass list repeats in the scaling runs)
# "commits" = the file-system work per sample: record checks, claim file, pack, CRC,
# write, fsync, rename, unclaim (the engine's log line "record commits X s").
# The machine is shared: compare ratios and the engine's percentages, not absolute times.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BD=${1:-$ROOT/build-ens}
B=$BD/glassvib
[ -x "$B" ] || { echo "no executable $B (build first)"; exit 2; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
MPI="mpiexec --oversubscribe --allow-run-as-root"
HAVE_MPI=0
ldd "$B" | grep -q libmpi && command -v mpiexec > /dev/null && HAVE_MPI=1
now() { date +%s.%N; }
wall() { local t0; t0=$(now); "$@" > "$T/out" 2> "$T/err"; echo "$(now) - $t0" | bc -l; }
ratio() { echo "scale=3; $1 / $2" | bc -l; }
# engine accounting from the log of the last run ($T/err) against wall time $1
acct() {
  awk -v w="$1" '
    /record commits/ { for (i = 1; i <= NF; i++) { if ($i == "scan") sc = $(i + 1); if ($i == "commits") cm = $(i + 1) } n = $3 }
    /merged/ { for (i = 1; i <= NF; i++) if ($i == "in") mg = $(i + 1); nr = $4 }
    END { tot = sc + cm + mg; printf "%d samples: scan %.3f s + commits %.3f s + merge %.3f s = %.3f s = %.2f%% of %.1f s", nr, sc, cm, mg, tot, 100 * tot / w, w }' "$T/err"
}
echo "# glassvib ensemble bench, $(date -u +%FT%TZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $B"
export OMP_NUM_THREADS=1

PR="--model ipl --dim 2 --n ${PR_N:-4000} --tp 1.0 --equil-time 2 --seed 7 --threads 1"
MO="--lowest ${MO_K:-100} --threads 1"
DI="--threads 1"
KHO="--n ${KHO_N:-4000} --h 0.012 --J 0.13 --kappa0 1.1 --samples ${KHO_M:-3} --seed 5"
KH="--n ${KH_N:-1000} --h 0.012 --J 0.13 --kappa0 1.1 --samples ${KH_M:-24} --seed 5"
LA="--dim 3 --L ${LA_L:-15} --samples ${LA_M:-400000} --chunk ${LA_C:-20000} --seed 8"
LAO="--dim 3 --L ${LAO_L:-15} --samples ${LAO_M:-2000000} --chunk ${LAO_C:-200000} --seed 8"

echo
echo "## 1. checkpoint overhead (1 rank, 1 thread): engine accounting / wall time; goal < 2%"
mkdir -p "$T/gl" "$T/md"
tw=$(wall $B prepare $PR --samples ${PR_M:-4} -o "$T/gl/g.h5")
printf "%-8s %s\n" prepare "$(acct "$tw")"
GL=$(ls "$T"/gl/g_*.h5)
tw=$(wall $B modes $GL $MO -o "$T/md/m.h5")
printf "%-8s %s\n" modes "$(acct "$tw")"
tw=$(wall $B dipoles $GL $DI -o "$T/k.tsv")
printf "%-8s %s\n" dipoles "$(acct "$tw")"
tp=$(wall $B khgps $KHO --threads 1 --quiet)
te=$(wall $B khgps $KHO --threads 1 -o "$T/kh.h5")
printf "%-8s %s   (plain loop %.1f s, engine/plain %s)\n" khgps "$(acct "$te")" "$tp" "$(ratio "$te" "$tp")"
tp=$(wall $B lattice $LAO --threads 1 --quiet)
te=$(wall $B lattice $LAO --threads 1 -o "$T/la.tsv")
printf "%-8s %s   (plain loop %.1f s, engine/plain %s)\n" lattice "$(acct "$te")" "$tp" "$(ratio "$te" "$tp")"
rm -rf "$T/kh.h5" "$T/la.tsv" "$T/md"/* "$T/k.tsv"

echo
echo "## 2. strong scaling (each rank 1 OpenMP thread; modes/dipoles: the glasses listed ${SC_REP:-2} times)"
if [ $HAVE_MPI = 1 ]; then
  LIST=""
  for _ in $(seq 1 ${SC_REP:-2}); do LIST="$LIST $GL"; done
  for cmd in khgps lattice modes dipoles; do
    case $cmd in
      khgps) args=$KH ;;
      lattice) args=$LA ;;
      modes) args="$LIST $MO" ;;
      dipoles) args="$LIST $DI" ;;
    esac
    ext=h5; [ $cmd = lattice ] || [ $cmd = dipoles ] && ext=tsv
    t1=$(wall $B $cmd $args --threads 1 -o "$T/s1.$ext" --quiet)
    t2=$(wall $MPI -n 2 $B $cmd $args --threads 1 -o "$T/s2.$ext" --quiet)
    tt=$(wall $B $cmd $args --threads 2 -o "$T/st.$ext" --quiet)
    printf "%-8s 1 rank %7.2f s   2 ranks %7.2f s   speed-up %s   (1 rank x 2 threads %7.2f s)\n" $cmd "$t1" "$t2" \
      "$(ratio "$t1" "$t2")" "$tt"
    rm -rf "$T"/s1* "$T"/s2* "$T"/st*
  done
else
  echo "skipped: $B is not an MPI build (configure with -DGV_MPI=ON)"
fi
echo
echo "# load at the end: $(cut -d' ' -f1-3 /proc/loadavg); the machine is shared: compare ratios, not absolute times"
