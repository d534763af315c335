#!/bin/bash
# End-to-end tests of glassvib dipoles, nlmodes and anatomy: --json keys,
# outputs, and bad input (unstable glass, mode index out of range, 2D glass to
# the 3D-only anatomy, material without its constants): non-zero exit, a
# message, no output file.
set -u
B=${GV_BIN:?}
S=${GV_SHARED:?}/reference_snapshots
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }
has_keys() { # json keys...
  local js=$1; shift
  for k in "$@"; do
    echo "$js" | /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); sys.exit(0 if '$k' in d else 1)" \
      || { bad "missing JSON key $k"; return; }
  done
  ok "keys $*"
}
expect_fail() { # description, output file that must not exist, command...
  local what=$1 outf=$2; shift 2
  local err
  err=$("$@" 2>&1 >/dev/null); local rc=$?
  if [ $rc -ne 0 ] && [ -n "$err" ] && [ ! -e "$outf" ]; then ok "$what -> exit $rc: $err"
  else bad "$what (rc $rc, message '$err', output exists: $([ -e "$outf" ] && echo yes || echo no))"; fi
}
G2="$S/ipl2D_snap.dat --model ipl --dim 2"

# dipoles on the 2D inherent state
js=$($B dipoles $G2 --json -o $T/k.tsv --hist $T/h.tsv --check-residual --fields $T/f.h5 --save 3) || bad "dipoles failed"
has_keys "$js" n_pairs kappa_mean kappa_median kappa_min eta wall_s
echo "$js" | /usr/bin/python3 -c "
import json,sys; d=json.load(sys.stdin)
assert d['n_pairs'] > 10 and 0 < d['kappa_min'] <= d['kappa_median'], d
assert d['max_residual'] < 1e-7, d" && ok "dipole numbers sane" || bad "dipole numbers"
[ -s $T/k.tsv ] && [ -s $T/h.tsv ] && [ -s $T/f.h5 ] && ok "outputs written" || bad "outputs missing"
n=$(grep -vc '^#' $T/k.tsv); [ "$n" -gt 10 ] && ok "$n rows" || bad "rows $n"
grep -q '^# command:' $T/k.tsv && ok "provenance" || bad "no provenance"
# all pairs (no threshold) and random subsets are reproducible
a=$($B dipoles $G2 --max-force 0 --pairs 25 --seed 7 --json | /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)['kappa_mean'])")
b=$($B dipoles $G2 --max-force 0 --pairs 25 --seed 7 --json | /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)['kappa_mean'])")
[ "$a" == "$b" ] && ok "random subset reproducible" || bad "subset $a vs $b"
# ensemble of two glasses pools the pairs
js1=$($B dipoles $G2 --json | /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)['n_pairs'])")
js2=$($B dipoles $S/ipl2D_snap.dat $S/ipl2D_snap.dat --model ipl --dim 2 --json | /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)['n_pairs'])")
[ "$js2" -eq $((2 * js1)) ] && ok "ensemble pools" || bad "ensemble $js1 $js2"

# nlmodes
js=$($B nlmodes $G2 --count 2 --pairs 60 --json -o $T/nl.h5) || bad "nlmodes failed"
has_keys "$js" kappa participation
echo "$js" | /usr/bin/python3 -c "
import json,sys; d=json.load(sys.stdin)
assert len(d['kappa']) == 2 and all(k > 0 for k in d['kappa']), d
assert all(r < 1e-6 for r in d['residual']), d" && ok "nlmodes numbers" || bad "nlmodes numbers"
[ -s $T/nl.h5 ] && ok "NL.h5 written" || bad "NL.h5 missing"

# bad input
expect_fail "anatomy of a 2D glass" $T/a.tsv $B anatomy $G2 $T/nl.h5 --mode 0 -o $T/a.tsv
expect_fail "mode index out of range" $T/a.tsv $B anatomy $G2 $T/nl.h5 --mode 5 -o $T/a.tsv
expect_fail "custom material without constants" $T/a.tsv $B anatomy $G2 $T/nl.h5 --mode 0 --material custom -o $T/a.tsv
expect_fail "custom material with part of the constants" $T/a.tsv $B anatomy $G2 $T/nl.h5 --mode 0 --material custom --mass-amu 91.3 -o $T/a.tsv
expect_fail "unknown material" $T/a.tsv $B anatomy $G2 $T/nl.h5 --mode 0 --material kryptonite -o $T/a.tsv
expect_fail "damping with a material lacking omega_D" $T/a.tsv $B anatomy $G2 $T/nl.h5 --mode 0 --material pd78si16cu6 --dos $T/k.tsv -o $T/a.tsv
L3="$S/ipl3D_snap_with_velocities.dat --model ipl --dim 3"
expect_fail "dipoles of a liquid (not an inherent state)" $T/u.tsv $B dipoles $L3 -o $T/u.tsv
expect_fail "dipoles of an unstable configuration (negative modes)" $T/u.tsv $B dipoles $L3 --force -o $T/u.tsv
expect_fail "nlmodes of an unstable configuration" $T/u.h5 $B nlmodes $L3 --force -o $T/u.h5
expect_fail "bad --pairs" $T/u.tsv $B dipoles $G2 --pairs many -o $T/u.tsv
expect_fail "missing glass" $T/u.tsv $B dipoles $T/none.h5 -o $T/u.tsv
ls $T/.*tmp* 2>/dev/null && bad "temporary files left" || ok "no temporary files"

# 3D anatomy end to end on a small quenched 3D IPL glass (N = 500, ~1 s)
if $B prepare --model ipl --dim 3 --n 500 --tp 0.6 --equil-time 1 -o $T/g3.h5 --quiet >/dev/null 2>&1; then
  $B nlmodes $T/g3.h5 --count 1 -o $T/nl3.h5 --quiet >/dev/null || bad "nlmodes 3D"
  js=$($B anatomy $T/g3.h5 $T/nl3.h5 --mode 0 --shell-in 2 --es-rc 2.2 --es-amax 1.5 --es-step 0.1 \
       --material pd78si16cu6 --creation $T/cr.tsv -o $T/an.tsv --json) || bad "anatomy 3D"
  has_keys "$js" center D2 D4 P_principal lambda_t lambda_l Ne W A0 Es dA Es_plus Es_minus Aout_plus back_frac \
    A_rigid random_share radial_frac omega_r center_frac
  echo "$js" | /usr/bin/python3 -c "
import json,sys; d=json.load(sys.stdin)
assert d['es_ncore'] > 5 and d['es_unconverged'] == 0, d
if d['Es'] is not None: assert d['Es'] > 0 and d['dA'] > 0, d
assert d['W_K'] > 0 and len(d['P_principal']) == 3, d" && ok "anatomy 3D numbers" || bad "anatomy 3D numbers"
  n=$(grep -vc '^#' $T/cr.tsv); [ "$n" -eq 31 ] && ok "creation scan: $n rows" || bad "creation scan rows $n"
  grep -q 'D2_elastic_only' $T/an.tsv && ok "D2 table has the elastic-only column" || bad "D2 table columns"
  expect_fail "creation radius without atoms" $T/c2.tsv $B anatomy $T/g3.h5 $T/nl3.h5 --mode 0 --shell-in 2 --es-rc 0.01 --creation $T/c2.tsv
  expect_fail "--creation with --no-creation" $T/c3.tsv $B anatomy $T/g3.h5 $T/nl3.h5 --mode 0 --shell-in 2 --no-creation --creation $T/c3.tsv
else
  bad "could not prepare the 3D glass fixture"
fi
exit $fail
