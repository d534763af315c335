#!/usr/bin/env bash
# Seed 000 (M. G. Izzo, Les Houches 2023): sound in a disordered elastic medium in the Born and
# generalized Born approximations (GBA), next to the microscopic S_L(q,w) of a simulated glass.
# The glass's own sound speeds (glassvib moduli) set c_L, c_T of the continuum theory, so both
# are in the glass's model units (q in 1/lambda, omega in sqrt(eps/m)/lambda). Figures: S_L, S_T
# maps (GBA), cuts at fixed q (Born, GBA, microscopic, f-sum normalised), Omega_P(q) and
# Gamma_P(q) with the Rayleigh q^4 law. Prints Gamma_L/q^4 against R_L at the smallest q and
# the weight of the transverse line in S_L (mixing of polarizations).
# Usage: run.sh [--quick] [--out DIR]      (full: ~10 minutes on 2 cores; --quick: seconds)
source "$(dirname "$0")/../common.sh"
need prepare moduli modes sqw born gba plot
A_COR=1.0  # correlation length a of the fluctuations [lambda]; eps^2 follows from the glass
if [ $QUICK = 1 ]; then N=250; W="0:30:0.05"; QM="0.02,0.05,0.1,0.2,0.5,1,2"; QS="0.8,1.6"
else N=2000; W="0:40:0.01"; QM=$(seq -s, 0.04 0.04 4); QS="0.5,1,1.5"; fi
QP="0.01,0.02,0.05,0.1,0.2,0.3,0.5,0.7,1,1.5,2,3"
step "3D IPL glass N = $N, its moduli and all normal modes"
"$GV" prepare --model ipl --dim 3 --n $N --tp 1.0 -o glass.h5 -q >/dev/null
"$GV" moduli glass.h5 --local auto --json -q > moduli.json
"$GV" modes glass.h5 --all --vectors -o modes.h5 -q >/dev/null
step "microscopic S_L, S_T at q = $QS (nearest shells)"
"$GV" sqw glass.h5 modes.h5 --q $QS --width 0.1 -o sqw_glass.tsv --json -q > sqw.json
EPS2=$(awk -v a=$A_COR -v dv=$(json disorder_volume < moduli.json) 'BEGIN { printf "%.6g", dv / (8 * 3.141592653589793 * a^3) }')
step "Born and GBA with the glass's c_L, c_T and its measured elastic heterogeneity (eps^2 = $EPS2 at a = $A_COR lambda)"
for approx in born gba; do
  "$GV" $approx --from-moduli moduli.json --a $A_COR --q $QP --poles poles_$approx.tsv --json -q > $approx.json 2>/dev/null
  "$GV" $approx --from-moduli moduli.json --a $A_COR --q $QS --omega $W -o cuts_$approx.tsv -q >/dev/null 2>&1
done
"$GV" gba --from-moduli moduli.json --a $A_COR --q $QM --omega $W -o map_gba.tsv -q >/dev/null 2>&1
"$GV" plot map_gba.tsv -o fig_map_gba -q --title "GBA: S_L(q,ω), S_T(q,ω)"
# Mixing of polarizations beyond the Rayleigh regime (q ~ 1/a): with stronger disorder the
# longitudinal spectrum S_L picks up a transverse feature near c_T q (through Sigma_LT).
EPS2_MIX=0.3
"$GV" gba --from-moduli moduli.json --eps2 $EPS2_MIX --a $A_COR --q $QM --omega $W -o map_gba_mixing.tsv -q >/dev/null
"$GV" plot map_gba_mixing.tsv -o fig_map_gba_mixing -q \
  --title "GBA, eps^2 = $EPS2_MIX: mixing of polarizations, S_L near c_T q (dotted)"
"$GV" plot cuts_born.tsv cuts_gba.tsv sqw_glass.tsv --kind sqw-cuts --normalize fsum -o fig_cuts -q \
  --title "S(q,ω) at fixed q: Born, GBA, simulated glass (f-sum normalised)"
"$GV" plot poles_born.tsv poles_gba.tsv -o fig_poles -q --title "Brillouin lines: Born vs GBA"
echo "glass: c_L = $(json c_L < moduli.json), c_T = $(json c_T < moduli.json) (model units)"
echo "glass: local shear moduli fitted with eps^2 G^2 exp(-r/a): eps^2 = $(json eps2 < moduli.json), a = $(json a_corr < moduli.json),"
echo "       disorder volume eps^2 a^3 8 pi = $(json disorder_volume < moduli.json) lambda^3 -> eps^2 = $EPS2 at a = $A_COR"
for approx in born gba; do
  # Rayleigh regime: Gamma_L/q^4 at the smallest q against the analytic R_L
  awk -v a=$approx 'BEGIN { FS = "\t" } /^#/ { if (match($0, /rayleigh_coeff_L = [0-9.e+-]+/)) R = substr($0, RSTART + 19, RLENGTH - 19); next }
       !done && $3 != "nan" { printf "%-5s Gamma_L/q^4 at q = %s: %.4g, R_L = %.4g (ratio %.4f)\n", a, $1, $10, R, $10 / R; done = 1 }' poles_$approx.tsv
done
# mixing of polarizations: fraction of the f-sum of S_L carried below (c_L + c_T)/2 q, i.e. by the TA line
awk 'BEGIN { FS = "\t" } /^#/ { if (match($0, /c_L = [0-9.e+-]+/)) cl = substr($0, RSTART + 6, RLENGTH - 6);
                               if (match($0, /c_T = [0-9.e+-]+/)) ct = substr($0, RSTART + 6, RLENGTH - 6); next }
     { q = $1; w = $2; s = $15; if (q != lq && lq != "") { printf "GBA q = %s: TA share of the S_L f-sum %.3g\n", lq, lo / (lo + hi); lo = hi = 0 }
       lq = q; if (w < 0.5 * (cl + ct) * q) lo += w * w * s; else hi += w * w * s }
     END { printf "GBA q = %s: TA share of the S_L f-sum %.3g\n", lq, lo / (lo + hi) }' cuts_gba.tsv
# the transverse feature of S_L: a local maximum of S_L(q, omega) below (c_L + c_T) q / 2
awk -v e=$EPS2_MIX 'BEGIN { FS = "\t" } /^#/ { if (match($0, /c_L = [0-9.e+-]+/)) cl = substr($0, RSTART + 6, RLENGTH - 6);
                               if (match($0, /c_T = [0-9.e+-]+/)) ct = substr($0, RSTART + 6, RLENGTH - 6); next }
     { q = $1; if (q != lq) { n = 0; lq = q; found[q] = 0 }
       if ($2 > 0 && $2 < 0.5 * (cl + ct) * q) { s[n] = $15; w[n] = $2; n++
         if (n >= 3 && s[n-2] > s[n-3] && s[n-2] > s[n-1] && !found[q]) { found[q] = 1; f++
           if (f <= 3 || q == 2 || q == 3) printf "GBA eps^2 = %s, q = %s: transverse feature in S_L at omega = %.3g (c_T q = %.3g)\n", e, q, w[n-2], ct * q } } }
     END { printf "GBA eps^2 = %s: S_L has a transverse feature at %d of the q values\n", e, f }' map_gba_mixing.tsv
finish
