#!/usr/bin/env bash
# glassvib plot end to end: every figure kind renders a non-empty PNG and SVG
# (plus OUT.tsv and OUT.gp) from small inputs made by glassvib itself; bad
# input gives a message, a non-zero exit and no output file.
set -u
B=${GV_BIN:?GV_BIN must name the glassvib executable}
S=${GV_SHARED:-/work/shared}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"
fail=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }

if ! command -v gnuplot >/dev/null; then
  echo "SKIP: gnuplot is not installed (apt-get install gnuplot-nox)"
  exit 0
fi

# ---------------------------------------------------------------- inputs
run() { "$@" >/dev/null 2>log || { echo "input step failed: $*"; cat log; exit 1; }; }
run "$B" convert "$S/reference_snapshots/ipl2D_snap.dat" g2.h5 --model ipl --dim 2
run "$B" modes g2.h5 --all --vectors -o m2.h5 -q
run "$B" dos m2.h5 -o dos.tsv -q
run "$B" sqw g2.h5 m2.h5 --q 0.6,1.2,2 -o sqw.tsv -q
run "$B" dipoles g2.h5 --hist pk.tsv --fields resp.h5 --save 2 -q
run "$B" lattice --dim 2 --L 9 --samples 3000 -o lat.tsv -q
run "$B" khgps --n 200 --h 0.01 --J 0.3 --kappa0 0.4 --samples 3 -o kh1.h5 -q
run "$B" khgps --n 200 --h 0.01 --J 0.5 --kappa0 0.4 --samples 3 -o kh2.h5 -q
run "$B" scba --gamma 0.2 --points 200 -o scba.tsv
run "$B" gba --cl 2 --ct 1.1 --A 0.2 --a 0.15 --q 0.5,1,2,4,8 --omega 0:20:0.05 -o gmap.tsv --poles gpoles.tsv -q
run "$B" born --cl 2 --ct 1.1 --A 0.2 --a 0.15 --q 0.5,1,2,4,8 --omega 0:20:0.05 -o bmap.tsv --poles bpoles.tsv -q
have3d=0
if "$B" prepare --model ipl --dim 3 --n 250 --tp 1.0 --equil-time 2 -o g3.h5 -q >/dev/null 2>&1 &&
   "$B" nlmodes g3.h5 --count 1 --pairs 40 -o nl3.h5 -q >/dev/null 2>&1 &&
   "$B" anatomy g3.h5 nl3.h5 --mode 0 --shell-in 1.2 --shell-out 3 --shells shells.tsv -o core.tsv -q >/dev/null 2>&1; then
  have3d=1
else
  echo "note: 3D glass / nlmodes / anatomy not available in this build; shells, core and 3D field skipped"
fi

# ------------------------------------------------------------- each kind
# check KIND OUT INPUT... : renders OUT.png OUT.svg OUT.tsv OUT.gp, JSON kind matches
check() {
  local kind=$1 out=$2
  shift 2
  local js
  if ! js=$("$B" plot "$@" --kind "$kind" -o "$out" --json 2>err); then bad "$kind: failed ($(cat err))"; return; fi
  for ext in png svg tsv gp; do
    [ -s "$out.$ext" ] || { bad "$kind: $out.$ext missing or empty"; return; }
  done
  file "$out.png" 2>/dev/null | grep -q 'PNG image' || head -c 8 "$out.png" | grep -q PNG || { bad "$kind: $out.png is not a PNG"; return; }
  grep -q '<svg' "$out.svg" || { bad "$kind: $out.svg is not SVG"; return; }
  echo "$js" | grep -q "\"kind\":\"$kind\"" || { bad "$kind: JSON $js"; return; }
  for key in images data script series wall_s; do
    echo "$js" | grep -q "\"$key\":" || { bad "$kind: JSON key $key missing"; return; }
  done
  ls "$out".*.tmp.* >/dev/null 2>&1 && { bad "$kind: temporary files left"; return; }
  ok "$kind"
}
check dos f_dos dos.tsv
check dos f_khdos kh1.h5 kh2.h5
check dos-exponent f_dexp dos.tsv
check participation f_part m2.h5
check levels f_lev m2.h5
# P(r) is a normalised density, and the bulk of a glass spectrum repels its levels like the GOE
awk -F'\t' '/^# block [0-9]*: P\(r\)/{b=1;next} /^#/{next} NF==0{if(b&&n)exit;next} b{s+=$2*0.05;n++} END{exit !(n==20 && s>0.999 && s<1.001)}' f_lev.tsv &&
  ok "levels: P(r) integrates to 1" || bad "levels: P(r) not normalised"
rl=$("$B" dos m2.h5 --json -q 2>/dev/null | sed 's/.*"r_mean":\([0-9.eE+-]*\).*/\1/')
awk -v r="$rl" 'BEGIN{exit !(r > 0.48 && r < 0.58)}' && ok "levels: <r> = $rl is GOE-like" || bad "levels: <r> = $rl not near GOE 0.5307"
check pkappa f_pk pk.tsv lat.tsv
check khgps-collapse f_col kh1.h5 kh2.h5
check ag-vs-j f_ag kh1.h5 kh2.h5
check scba f_scba scba.tsv
check sqw-map f_map gmap.tsv gpoles.tsv
check sqw-cuts f_cuts bmap.tsv gmap.tsv
check sqw-cuts f_mcuts sqw.tsv
check poles f_poles bpoles.tsv gpoles.tsv
check field f_field g2.h5 m2.h5
check field f_resp g2.h5 resp.h5
check glass f_glass g2.h5
if [ $have3d = 1 ]; then
  check shells f_shells shells.tsv
  check core f_core core.tsv
  check field f_nl3 g3.h5 nl3.h5
fi

# detection (no --kind) and the format chosen by the extension
"$B" plot dos.tsv -o only.png >/dev/null 2>&1 && [ -s only.png ] && [ ! -e only.svg ] && ok "extension .png: PNG only" || bad "extension .png"
"$B" plot scba.tsv -o only2.svg >/dev/null 2>&1 && [ -s only2.svg ] && [ ! -e only2.png ] && ok "extension .svg: SVG only" || bad "extension .svg"
js=$("$B" plot gpoles.tsv -o det --json 2>/dev/null) && echo "$js" | grep -q '"kind":"poles"' && ok "detect poles" || bad "detect poles: $js"
js=$("$B" plot m2.h5 -o det2 --json 2>/dev/null) && echo "$js" | grep -q '"kind":"participation"' && ok "detect modes" || bad "detect modes"
js=$("$B" plot g2.h5 m2.h5 -o det3 --json 2>/dev/null) && echo "$js" | grep -q '"kind":"field"' && ok "detect glass+modes" || bad "detect field"
# a title's ~ & @ are literal, not enhanced-text operators (^ and _ stay live)
"$B" plot gpoles.tsv -o tit.png --title 'q ~ 1/a & b @ c, eps^2' >/dev/null 2>&1 &&
  grep -qF 'set title "q \\~ 1/a \\& b \\@ c, eps^2"' tit.gp && ok "title escapes ~ & @" || bad "title escaping: $(grep 'set title' tit.gp)"
# the data table holds the A_g guide, and the script re-renders the figure
grep -q 'guide A_g omega^4' f_dos.tsv && ok "guide in data table" || bad "A_g guide missing in f_dos.tsv"
(mkdir -p rr && cp f_dos.gp f_dos.tsv rr/ && cd rr && gnuplot f_dos.gp 2>/dev/null && [ -s f_dos.png ] && [ -s f_dos.svg ]) &&
  ok "gnuplot OUT.gp re-renders" || bad "gnuplot f_dos.gp"
"$B" plot --list-kinds | grep -q '^sqw-map' && ok "--list-kinds" || bad "--list-kinds"

# ------------------------------------------------------------- bad input
# expect_fail NAME OUT ARGS... : non-zero exit, a message, no OUT.* left
expect_fail() {
  local name=$1 out=$2
  shift 2
  if "$B" plot "$@" >/dev/null 2>err; then bad "$name: exit 0"; return; fi
  [ -s err ] || { bad "$name: no message"; return; }
  ls "$out".* >/dev/null 2>&1 && { bad "$name: output left: $(ls "$out".*)"; return; }
  ok "$name: $(head -1 err)"
}
expect_fail "missing file" x1 nonexistent.tsv -o x1
expect_fail "unknown kind" x2 dos.tsv --kind nosuchkind -o x2
expect_fail "wrong input for kind" x3 scba.tsv --kind pkappa -o x3
expect_fail "unwritable output" /nonexistent/dir/x4 dos.tsv -o /nonexistent/dir/x4
expect_fail "not a glassvib table" x5 log -o x5
printf 'hello\n1 2\n' > junk.tsv
expect_fail "junk table" x6 junk.tsv -o x6
expect_fail "mode out of range" x7 g2.h5 resp.h5 --mode 99 -o x7
run "$B" modes g2.h5 --all -o m2nv.h5 -q
expect_fail "modes without vectors" x8 g2.h5 m2nv.h5 -o x8
"$B" plot dos.tsv -o dos >/dev/null 2>err && bad "overwrite input: exit 0" ||
  { [ ! -e dos.png ] && [ ! -e dos.gp ] && [ -s err ] && ok "overwrite input: $(head -1 err)" || bad "overwrite input: outputs left"; }
[ -s dos.tsv ] && grep -q 'glassvib dos' dos.tsv && ok "input intact" || bad "input dos.tsv was damaged"
expect_fail "bad --format" x10 dos.tsv --format gif -o x10
expect_fail "bad --normalize" x11 gmap.tsv --kind sqw-cuts --normalize area -o x11
GV_GNUPLOT=/nonexistent/gnuplot "$B" plot dos.tsv -o x12 >/dev/null 2>err && bad "missing gnuplot: exit 0" ||
  { grep -qi gnuplot err && ! ls x12.* >/dev/null 2>&1 && ok "missing gnuplot: $(head -1 err)" || bad "missing gnuplot: $(cat err)"; }
# a failing gnuplot (exit 1) leaves nothing
printf '#!/bin/sh\necho "gnuplot: simulated failure" >&2\nexit 1\n' > fakegp && chmod +x fakegp
GV_GNUPLOT=$T/fakegp "$B" plot dos.tsv -o x13 >/dev/null 2>err && bad "failing gnuplot: exit 0" ||
  { grep -q 'simulated failure' err && ! ls x13* >/dev/null 2>&1 && ok "failing gnuplot: $(head -1 err)" || bad "failing gnuplot: $(cat err); $(ls x13* 2>&1)"; }
ls ./*.tmp.* >/dev/null 2>&1 && bad "temporary files left: $(ls ./*.tmp.*)"

exit $fail
