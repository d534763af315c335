#!/usr/bin/env bash
# Seed 004 (Schirmacher et al. 2025, point (iii) and Fig. 1): does the low-frequency DOS exponent s
# (D ~ omega^s, F ~ omega^(s+1)) of a STABLE glass depend on the cutoff taper phi ~ (r_c - r)^(m+1)?
# Seed: s ~ 4 for m = 2 and s ~ 3 (or 5) for m = infinity; Lerner & Bouchbinder: s = 4 for any m.
#
# Glass former: 3D polydisperse soft spheres r^-12 (poly-nbc, Ninarello-Berthier-Coslovich), whose
# standard taper is the polynomial q = 2 (the seed's m = 2). Each parent liquid is equilibrated by
# swap Monte Carlo at T_p with that potential and saved unquenched; the SAME parent is then quenched
# twice: with q = 2 and with cinf (every derivative continuous, m = infinity). Only the taper differs.
# Two parent temperatures: T_p = 0.06 (below T_MCT ~ 0.1: stable glasses, the seed's regime) and
# T_p = 0.2 (liquid: poorly annealed glasses, the seed's point (i)). Many small glasses (N = 150),
# all modes (dense); the exponent is fitted below the first phonon band found by `glassvib dos`.
# Figures: Fig. 1 (F/omega^5, F/omega^4) per T_p, D(omega), participation, level statistics.
#
# Usage: run.sh [--quick] [--out DIR]   (full: ~12 CPU minutes, ~7 min on 2 idle cores; --quick: seconds)
# Environment: SEED004_LOW, SEED004_HIGH (parents per T_p, default 128 and 64), SEED004_JOBS (2).
# Resumable: glasses already in the output directory (same parameters) are reused.
source "$(dirname "$0")/../common.sh"
need prepare minimize modes dos plot
N=150; TP_LO=0.06; TP_HI=0.2
if [ $QUICK = 1 ]; then M_LO=3; M_HI=2; SW_LO=300; SW_HI=200
else M_LO=${SEED004_LOW:-128}; M_HI=${SEED004_HIGH:-64}; SW_LO=8000; SW_HI=1000; fi
JOBS=${SEED004_JOBS:-2}
# small systems run serially inside glassvib: parallelise over glasses, one thread each
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 GV

# parent TAG TP SWEEPS SEED: equilibrate, save the liquid before the quench (prepare --parent-out),
# quench it with q = 2 and with cinf, all modes of both. Writes m_TAG_{2,cinf}_SEED.h5 and a line
# "TAG taper seed E/N pressure" per glass to e_TAG_SEED.txt.
parent() {
  set -euo pipefail
  local tag=$1 tp=$2 sw=$3 seed=$4 b=$1_$4
  [ -s m_${tag}_cinf_$seed.h5 ] && [ -s e_$b.txt ] && return 0   # done by an earlier run: resume
  "$GV" prepare --model poly-nbc --dim 3 --n $N --tp $tp --sweeps $sw --seed $seed \
    -o tmp_$b.h5 --parent-out liq_$b.h5 -q --threads 1 >/dev/null
  : > e_$b.txt
  for taper in 2 cinf; do   # the same parent, quenched with each taper
    "$GV" minimize liq_$b.h5 --smoothing $taper -o g_${tag}_${taper}_$seed.h5 --json -q --threads 1 |
      sed "s/.*\"energy_per_particle\":\([^,]*\),\"pressure\":\([^,]*\).*/$tag $taper $seed \1 \2/" >> e_$b.txt
    "$GV" modes g_${tag}_${taper}_$seed.h5 --all -o m_${tag}_${taper}_$seed.h5 -q --threads 1 >/dev/null
  done
  rm -f liq_$b.h5 tmp_$b.h5
}
export -f parent
export N
# a different protocol in the same directory: start afresh rather than mix glasses
stamp="N=$N lo=$TP_LO:$SW_LO hi=$TP_HI:$SW_HI"
if [ -e protocol.txt ] && [ "$(cat protocol.txt)" != "$stamp" ]; then rm -f m_*.h5 g_*.h5 e_*.txt; fi
echo "$stamp" > protocol.txt
files() { for s in $(seq $3 $4); do echo m_$1_$2_$s.h5; done; }   # files TAG TAPER FIRST LAST
step "$M_LO parents at T_p = $TP_LO ($SW_LO swap MC sweeps) and $M_HI at T_p = $TP_HI ($SW_HI sweeps), N = $N, 3D poly-nbc; each quenched with q = 2 and cinf, all modes; $JOBS jobs"
{ for s in $(seq 1 $M_LO); do echo lo $TP_LO $SW_LO $s; done
  for s in $(seq 1 $M_HI); do echo hi $TP_HI $SW_HI $((1000 + s)); done; } |
  xargs -P $JOBS -L 1 bash -c 'parent "$@"' _
{ for s in $(seq 1 $M_LO); do cat e_lo_$s.txt; done
  for s in $(seq 1001 $((1000 + M_HI))); do cat e_hi_$s.txt; done; } > energies.txt

# DOS per (T_p, taper); the table name is the figure legend. glassvib dos fits below the ensemble's
# band edge (the LOWEST edge of all glasses); as a cross-check each glass's own edge is also used.
for tag in lo hi; do
  tp=$([ $tag = lo ] && echo $TP_LO || echo $TP_HI)
  m=$([ $tag = lo ] && echo $M_LO || echo $M_HI)
  first=$([ $tag = lo ] && echo 1 || echo 1001)
  for taper in 2 cinf; do
    name=${taper/#2/q2}_Tp$tp
    "$GV" dos $(files $tag $taper $first $((first + m - 1))) -o $name.tsv --json -q > $name.json
    # Fig. 1 shows the lowest 5 % of all modes, as the seed (first 5e4 of ~1e6): keep those rows of block 2
    awk -F'\t' -v kmax=$(( (3 * N - 3) * m / 20 )) '/^#/ || $1 != 2 || $6 <= kmax' $name.tsv > taper_$name.tsv
    # per glass: its own first phonon band (glassvib dos of that glass) and its modes below it
    for f in $(files $tag $taper $first $((first + m - 1))); do
      "$GV" dos $f -o one.tsv --json -q > one.json
      awk -F'\t' -v c="$(json omega_min_phonon < one.json)" '!/^#/ && $1 == 2 && $2 > 0 && $2 < c * (1 - 1e-8) { print $2, c }' one.tsv
    done > below_own_$name.txt
    awk -F'\t' -v c="$(json omega_min_phonon < $name.json)" '!/^#/ && $1 == 2 && $2 > 0 && $2 < c * (1 - 1e-8) { print $2, c }' \
      $name.tsv > below_common_$name.txt
  done
done
rm -f one.tsv one.json
# Hill estimator (maximum likelihood of D ~ omega^s on [0, f c], c = the band edge, f <= 1):
# s + 1 = n / sum log(f c/omega), error (s + 1)/sqrt(n). glassvib dos's s_mle truncates at
# [lowest mode, c] instead (larger error). hill FILE [f]; hill_diff FILE1 FILE2 [f].
hill() { awk -v f=${2:-1} '$1 < f * $2 { L += log(f * $2 / $1); n++ } END { if (n < 3) { printf "n/a (%d modes)", n; exit }
  s = n / L - 1; printf "%.2f +- %.2f (%d)", s, (s + 1) / sqrt(n), n }' "$1"; }
hill_diff() { awk -v f=${3:-1} 'FNR == 1 { k++ } $1 < f * $2 { L[k] += log(f * $2 / $1); n[k]++ }
  END { if (n[1] < 3 || n[2] < 3) { printf "n/a (< 3 modes)"; exit }
        a = n[1] / L[1] - 1; b = n[2] / L[2] - 1; ea = (a + 1) / sqrt(n[1]); eb = (b + 1) / sqrt(n[2])
        e = sqrt(ea * ea + eb * eb); printf "%.2f +- %.2f (%.1f sigma)", a - b, e, (a - b) / e }' "$1" "$2"; }
ln -sf m_lo_2_1.h5 q2_Tp${TP_LO}_glass1.h5; ln -sf m_lo_cinf_1.h5 cinf_Tp${TP_LO}_glass1.h5
ln -sf m_hi_2_1001.h5 q2_Tp${TP_HI}_glass1.h5; ln -sf m_hi_cinf_1001.h5 cinf_Tp${TP_HI}_glass1.h5
"$GV" plot taper_q2_Tp$TP_LO.tsv taper_cinf_Tp$TP_LO.tsv --kind dos-exponent -o fig1_F_over_omega -q \
  --title "stable glasses (T_p = $TP_LO): 3D poly-nbc, N = $N, $M_LO parents, each quenched with taper q = 2 (m = 2) and cinf (m = ∞); lowest 5 % of the modes"
"$GV" plot taper_q2_Tp$TP_HI.tsv taper_cinf_Tp$TP_HI.tsv --kind dos-exponent -o fig1_F_over_omega_high_tp -q \
  --title "poorly annealed glasses (T_p = $TP_HI): 3D poly-nbc, N = $N, $M_HI parents, taper q = 2 vs cinf; lowest 5 % of the modes"
"$GV" plot q2_Tp$TP_LO.tsv cinf_Tp$TP_LO.tsv q2_Tp$TP_HI.tsv cinf_Tp$TP_HI.tsv -o dos_both -q \
  --title "D(ω), 3D poly-nbc N = $N: taper q = 2 vs cinf at T_p = $TP_LO and $TP_HI"
"$GV" plot q2_Tp${TP_LO}_glass1.h5 cinf_Tp${TP_LO}_glass1.h5 q2_Tp${TP_HI}_glass1.h5 cinf_Tp${TP_HI}_glass1.h5 \
  -o participation -q --title "participation ratio: one parent per T_p, quenched with both tapers"
for taper in 2 cinf; do
  "$GV" plot $(files lo $taper 1 $M_LO) --kind levels -o levels_taper_$taper -q \
    --title "T_p = $TP_LO, taper $taper: level-spacing ratios (all modes of $M_LO glasses of N = $N)"
done

# numbers
mean() { awk -v t=$1 -v p=$2 -v c=$3 '$1 == t && $2 == p { s += $c; q += $c * $c; n++ }
  END { m = s / n; printf "%.4f +- %.4f", m, (n > 1 ? sqrt((q / n - m * m) / (n - 1)) : 0) }' energies.txt; }
echo "3D poly-nbc, N = $N. E_IS/N: mean +- standard error. s from F ~ omega^(s+1) below the first phonon band"
echo "omega_ph (glassvib dos: least squares, and truncated MLE +- Fisher error). A_g: D = A_g omega^4 below omega_ph."
printf "%-6s %-5s %-4s %-17s %-8s %-7s %-9s %-15s %-16s %s\n" T_p taper M "E_IS/N" "s (LSQ)" n_below omega_ph "s (MLE)" "A_g" "<r> (GOE 0.5307)"
for tag in lo hi; do
  tp=$([ $tag = lo ] && echo $TP_LO || echo $TP_HI)
  for taper in 2 cinf; do
    j=${taper/#2/q2}_Tp$tp.json
    printf "%-6s %-5s %-4s %-17s %-8.2f %-7s %-9.3f %-15s %-16s %s\n" $tp $taper "$(json n_samples < $j)" "$(mean $tag $taper 4)" \
      "$(json s < $j)" "$(json n_below < $j)" "$(json omega_min_phonon < $j)" \
      "$(printf '%.2f +- %.2f' "$(json s_mle < $j)" "$(json s_err < $j)")" \
      "$(printf '%.3g +- %.2g' "$(json A_g < $j)" "$(json A_g_err < $j)")" \
      "$(printf '%.4f +- %.4f' "$(json r_mean < $j)" "$(json r_err < $j)")"
  done
done
echo "Hill estimate of s (MLE on [0, edge]; n modes): below the ensemble edge omega_ph, below each glass's own"
echo "edge c, and deeper: below 0.8 c and 0.6 c (the DOS bends near the edge; fewer modes, larger errors)"
echo "(glassvib dos's s_own is the own-edge estimate computed by glassvib itself from the pooled files)"
printf "%-6s %-5s %-22s %-22s %-22s %-22s %s\n" T_p taper "common edge" "own edges c" "dos s_own" "0.8 c" "0.6 c"
for tag in lo hi; do
  tp=$([ $tag = lo ] && echo $TP_LO || echo $TP_HI)
  for taper in 2 cinf; do
    name=${taper/#2/q2}_Tp$tp
    printf "%-6s %-5s %-22s %-22s %-22s %-22s %s\n" $tp $taper "$(hill below_common_$name.txt)" "$(hill below_own_$name.txt)" \
      "$(printf '%.2f +- %.2f (%s)' "$(json s_own < $name.json)" "$(json s_own_err < $name.json)" "$(json n_below_own < $name.json)")" \
      "$(hill below_own_$name.txt 0.8)" "$(hill below_own_$name.txt 0.6)"
  done
  printf "%-6s s(q = 2) - s(cinf): common edge %s; own edges %s; 0.8 c %s; 0.6 c %s\n" $tp \
    "$(hill_diff below_common_q2_Tp$tp.txt below_common_cinf_Tp$tp.txt)" \
    "$(hill_diff below_own_q2_Tp$tp.txt below_own_cinf_Tp$tp.txt)" \
    "$(hill_diff below_own_q2_Tp$tp.txt below_own_cinf_Tp$tp.txt 0.8)" \
    "$(hill_diff below_own_q2_Tp$tp.txt below_own_cinf_Tp$tp.txt 0.6)"
done
echo "seed 004: s ~ 4 (m = 2) vs s ~ 3 or 5 (m = infinity) for stable glasses; Lerner & Bouchbinder: s = 4 for both"
finish
