#!/usr/bin/env bash
# Seed 002 (U. Buchenau 2020): anatomy of the softest modes of a 3D binary 1/r^10 (IPL) glass.
# Table I: per mode f_r, the dipole tensor's principal values, the creation energy E_s and
# inside displacement Delta A (Sec. II F), N e, D4, and kappa, the couplings lambda_t,
# lambda_l, W, A0; Fig. 3: <e^2>_shell r_s^4 of a mode against its elastic
# dipole field; the core coefficients D2(r_c), D4(r_c).
# Usage: run.sh [--quick] [--out DIR]      (full: ~15 minutes on 2 cores; --quick: seconds)
source "$(dirname "$0")/../common.sh"
need prepare nlmodes anatomy plot
if [ $QUICK = 1 ]; then N=250; K=1; PAIRS=40; SHELL="--shell-in 1.2 --shell-out 3"; ES="--es-amax 1.5 --es-step 0.1"
else N=4000; K=5; PAIRS=400; SHELL="--shell-in 6"; ES=""; fi
step "3D IPL glass, N = $N (instant quench from T_p = 1)"
"$GV" prepare --model ipl --dim 3 --n $N --tp 1.0 -o glass.h5 -q >/dev/null
step "$K softest quartic (nonlinear) modes"
"$GV" nlmodes glass.h5 --count $K --pairs $PAIRS -o nl.h5 -q >/dev/null
printf "# mode\tf_r\tP11\tP22\tP33\tE_s\tdA\tNe\tD4\tkappa\tlambda_t\tlambda_l\tW\tA0\n" > table1.tsv
for k in $(seq 0 $((K - 1))); do
  step "anatomy of mode $k"
  js=$("$GV" anatomy glass.h5 nl.h5 --mode $k $SHELL $ES --shells shells_$k.tsv -o core_$k.tsv \
       --creation creation_$k.tsv --json -q)
  P=$(echo "$js" | json P_principal | tr -d '[]' | awk -F, '{ printf "%.1f\t%.1f\t%.1f", $1, $2, $3 }')
  num() { local v; v=$(echo "$js" | json "$1"); [ "$v" = null ] && echo nan || echo "$v"; }
  printf "%d\t%.3g\t%s\t%.3g\t%.3g\t%.1f\t%.4g\t%.4g\t%.4g\t%.4g\t%.4g\t%.4g\n" $k "$(num f_r)" "$P" "$(num Es)" \
    "$(num dA)" "$(num Ne)" "$(num D4)" "$(num kappa)" "$(num lambda_t)" "$(num lambda_l)" "$(num W)" "$(num A0)" \
    >> table1.tsv
done
"$GV" plot shells_0.tsv -o fig3_shells -q --title "mode 0: ⟨e^2⟩_{shell} r_s^4"
"$GV" plot core_0.tsv -o core_mode0 -q
"$GV" plot glass.h5 nl.h5 --mode 0 -o mode0_field -q
echo "Table I (model units; seed 002 Table I, ten modes: <lambda_t> = 21, <lambda_l> = 29.5, W = 1.33):"
column -t table1.tsv
awk 'NR > 1 { t += $11; l += $12; n++ } END { if (n) printf "mean lambda_t = %.3g, mean lambda_l = %.3g over %d modes\n", t / n, l / n, n }' table1.tsv
finish
