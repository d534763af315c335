#!/bin/bash
# End-to-end: glassvib prepare / minimize, --json keys, exit codes, and bad input
# (non-zero exit, one-line message, no output file left behind).
set -u
B=${GV_BIN:?}
S=${GV_SHARED:?}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0
check() { if ! eval "$1"; then echo "FAIL: $2"; fail=1; fi; }

# a small 2D IPL glass, instant quench
out=$($B prepare --model ipl --dim 2 --n 300 --tp 1.0 --equil-time 2 --seed 5 -o "$T/g.h5" --json --quiet)
rc=$?
check "[ $rc -eq 0 ]" "prepare exit code $rc"
check "[ -s $T/g.h5 ]" "prepare wrote no file"
for k in model dim n density energy_per_particle pressure max_force seed wall_s converged iterations; do
  check "echo '$out' | grep -q '\"$k\":'" "prepare --json lacks key $k"
done
check "echo '$out' | grep -q '\"converged\":true'" "prepare did not converge: $out"
mf=$(echo "$out" | sed 's/.*"max_force":\([^,]*\).*/\1/')
check "awk 'BEGIN{exit !($mf < 1e-10)}'" "max_force $mf >= 1e-10"

# same seed, same glass (bitwise positions through the .xyz text, 17 digits)
$B prepare --model ipl --dim 2 --n 300 --tp 1.0 --equil-time 2 --seed 5 -o "$T/g2.xyz" --quiet --threads 1 >/dev/null
$B prepare --model ipl --dim 2 --n 300 --tp 1.0 --equil-time 2 --seed 5 -o "$T/g3.xyz" --quiet --threads 2 >/dev/null
check "cmp -s <(tail -n +3 $T/g2.xyz) <(tail -n +3 $T/g3.xyz)" "same seed gives different glasses with 1 and 2 threads"

# rate protocol and swap MC
out=$($B prepare --model ipl --dim 2 --n 200 --tp 1.0 --equil-time 1 --protocol rate:0.5 -o "$T/r.h5" --json --quiet)
check "[ $? -eq 0 ] && echo '$out' | grep -q '\"protocol\":\"rate\"'" "rate protocol: $out"
out=$($B prepare --model poly --dim 2 --n 200 --tp 0.5 --sweeps 200 -o "$T/p.h5" --json --quiet)
check "[ $? -eq 0 ] && echo '$out' | grep -q '\"swap_sweeps\":200'" "poly swap MC: $out"

# minimize: the reference 2D inherent state and the 3D liquid
out=$($B minimize "$S/reference_snapshots/ipl2D_snap.dat" --model ipl --dim 2 -o "$T/m.h5" --json --quiet)
check "[ $? -eq 0 ]" "minimize .dat failed"
for k in model dim n density energy_per_particle pressure max_force seed wall_s converged iterations; do
  check "echo '$out' | grep -q '\"$k\":'" "minimize --json lacks key $k"
done
check "echo '$out' | grep -q '\"energy_per_particle\":3.88560264'" "ipl2D reference energy changed: $out"
$B minimize "$T/g.h5" -o "$T/g_again.h5" --quiet >/dev/null
check "[ $? -eq 0 ] && [ -s $T/g_again.h5 ]" "minimize .h5"
# an impossible tolerance: exit 3, unless accepted
$B minimize "$T/g.h5" -o "$T/tight.h5" --ftol 1e-30 --max-iter 300 --quiet >/dev/null 2>&1
rc=$?
check "[ $rc -eq 3 ]" "unreachable ftol must exit 3 (got $rc)"
$B minimize "$T/g.h5" -o "$T/tight2.h5" --ftol 1e-30 --max-iter 300 --allow-unconverged --quiet >/dev/null 2>&1
check "[ $? -eq 0 ]" "--allow-unconverged must exit 0"

# --smoothing: one glass re-quenched with the cinf taper; the output records cinf and is an
# inherent state of THAT potential (re-minimising it without --smoothing takes no step), and
# its energy differs from the q = 3 glass's (the taper really changed); --smoothing equal to
# the stored taper changes nothing
out=$($B minimize "$T/g.h5" --smoothing cinf -o "$T/ginf.h5" --json --quiet)
check "echo '$out' | grep -q '\"smoothing\":\"cinf'" "minimize --smoothing cinf not recorded: $out"
again=$($B minimize "$T/ginf.h5" -o "$T/ginf2.h5" --json --quiet)
check "echo '$again' | grep -q '\"iterations\":0,'" "cinf glass is not an inherent state of its stored potential: $again"
epp() { sed 's/.*"energy_per_particle":\([^,]*\).*/\1/'; }
e3=$($B minimize "$T/g.h5" --smoothing 3 -o "$T/g3s.h5" --json --quiet | epp)
en=$($B minimize "$T/g.h5" -o "$T/g3n.h5" --json --quiet | epp)
einf=$(echo "$out" | sed 's/.*"initial_energy_per_particle":\([^,]*\).*/\1/')
check "[ '$e3' = '$en' ]" "--smoothing 3 (the stored taper) changed the result: $e3 vs $en"
check "awk 'BEGIN{exit !($einf != $e3)}'" "cinf and q = 3 give the same energy ($einf)"

# --parent-out: the configuration before the quench; quenching it again with the same
# minimiser reproduces the glass to the last digit (same start, same path), and it is not
# an inherent state (protocol kind "parent")
out=$($B prepare --model poly-nbc --dim 3 --n 150 --tp 0.2 --sweeps 300 --seed 5 -o "$T/pg.h5" --parent-out "$T/pp.h5" --json --quiet --threads 1)
check "echo '$out' | grep -q '\"parent_output\":'" "prepare --json lacks parent_output: $out"
check "$B info $T/pp.h5 | grep -q 'protocol *parent'" "parent file does not say protocol parent"
ep=$($B minimize "$T/pp.h5" -o "$T/pg2.h5" --json --quiet --threads 1 | epp)
eg=$(echo "$out" | epp)
check "[ '$ep' = '$eg' ]" "quenching the parent gives E/N $ep, the glass has $eg"

# bad input: non-zero exit, one line on stderr, no output file
bad() {
  local name=$1
  shift
  rm -f "$T/bad.h5"
  "$B" "$@" >/dev/null 2>"$T/err"
  local rc=$?
  check "[ $rc -ne 0 ]" "$name: exit code 0"
  check "[ ! -e $T/bad.h5 ]" "$name: output file left behind"
  check "[ \$(wc -l < $T/err) -ge 1 ] && [ \$(wc -l < $T/err) -le 2 ]" "$name: message is not one line: $(cat $T/err)"
}
bad "unknown model" prepare --model foo --dim 3 --n 100 --tp 1 -o "$T/bad.h5"
bad "N < 2" prepare --model ipl --dim 3 --n 1 --tp 1 -o "$T/bad.h5"
bad "N too small for the box" prepare --model ipl --dim 3 --n 10 --tp 1 -o "$T/bad.h5"
bad "negative density" prepare --model ipl --dim 3 --n 100 --density -0.5 --tp 1 -o "$T/bad.h5"
bad "zero T_p" prepare --model ipl --dim 3 --n 100 --tp 0 -o "$T/bad.h5"
bad "negative T_p" prepare --model ipl --dim 3 --n 100 --tp -1 -o "$T/bad.h5"
bad "bad protocol" prepare --model ipl --dim 3 --n 100 --tp 1 --protocol slow -o "$T/bad.h5"
bad "bad rate" prepare --model ipl --dim 3 --n 100 --tp 1 --protocol rate:-1 -o "$T/bad.h5"
bad "bad smoothing" prepare --model ipl --dim 3 --n 100 --tp 1 --smoothing 9 -o "$T/bad.h5"
bad "bad dim" prepare --model ipl --dim 5 --n 100 --tp 1 -o "$T/bad.h5"
bad "missing -o" prepare --model ipl --dim 3 --n 100 --tp 1
bad "unwritable output" prepare --model ipl --dim 2 --n 100 --tp 1 -o /nonexistent/dir/bad.h5
bad "missing input" minimize "$T/none.h5" -o "$T/bad.h5"
bad ".dat without model" minimize "$S/reference_snapshots/ipl2D_snap.dat" -o "$T/bad.h5"
printf 'garbage\n1 2 3\n' > "$T/corrupt.dat"
bad "corrupt input" minimize "$T/corrupt.dat" --model ipl --dim 2 -o "$T/bad.h5"
bad "bad ftol" minimize "$T/g.h5" --ftol -1 -o "$T/bad.h5"
bad "bad output extension" minimize "$T/g.h5" -o "$T/bad.txt"
bad "parent-out with samples" prepare --model ipl --dim 2 --n 100 --tp 1 --samples 2 --parent-out "$T/bad.h5" -o "$T/bad2.h5"
bad "parent-out bad extension" prepare --model ipl --dim 2 --n 100 --tp 1 --parent-out "$T/bad.txt" -o "$T/bad.h5"
bad "bad minimize smoothing" minimize "$T/g.h5" --smoothing 7 -o "$T/bad.h5"
check "[ ! -e $T/bad.txt ]" "bad extension left a file"

[ $fail -eq 0 ] && echo "all prepare/minimize CLI checks passed"
exit $fail
