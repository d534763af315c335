#!/bin/bash
# End-to-end test of the harmonic commands: hessian, modes, moduli, dos, sqw;
# JSON keys; bad input (non-zero exit, no output file left).
set -u
GV=${GV_BIN:?GV_BIN not set}
SH=${GV_SHARED:?GV_SHARED not set}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
PY=/usr/bin/python3
fail=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }
expect_fail() { # expect_fail OUTFILE CMD...: non-zero exit and OUTFILE absent
  local out=$1; shift
  if "$@" >/dev/null 2>"$T/err"; then bad "should fail: $*"; else
    if [ -n "$out" ] && [ -e "$out" ]; then bad "left $out: $*"; else ok "fails: $(head -c 120 "$T/err")"; fi
  fi
}
jkeys() { # jkeys FILE key...
  local f=$1; shift
  $PY - "$f" "$@" <<'PYEOF' || return 1
import json, sys
d = json.load(open(sys.argv[1]))
missing = [k for k in sys.argv[2:] if k not in d]
if missing: print("missing keys", missing); sys.exit(1)
PYEOF
}

"$GV" convert "$SH/reference_snapshots/ipl2D_snap.dat" "$T/g.h5" --model ipl --dim 2 >/dev/null || { echo "convert failed"; exit 1; }

# hessian
"$GV" hessian "$T/g.h5" -o "$T/H.mtx" --json > "$T/h.json" && jkeys "$T/h.json" n nnz asymmetry translation_residual wall_s \
  && [ "$(head -1 "$T/H.mtx")" = "%%MatrixMarket matrix coordinate real symmetric" ] && ok hessian || bad hessian

# modes: all and lowest agree; JSON keys; file layout
"$GV" modes "$T/g.h5" --all --json > "$T/all.json" || bad "modes --all"
"$GV" modes "$T/g.h5" --lowest 25 -o "$T/m.h5" --vectors --json > "$T/low.json" || bad "modes --lowest"
jkeys "$T/low.json" omega participation n_zero_modes max_residual wall_s && ok "modes json keys" || bad "modes json keys"
$PY - "$T/all.json" "$T/low.json" <<'PYEOF' && ok "modes all vs lowest, zero modes, ascending" || bad "modes consistency"
import json, sys
a = json.load(open(sys.argv[1])); l = json.load(open(sys.argv[2]))
assert len(a["omega"]) == 798 and len(l["omega"]) == 25
assert a["n_zero_modes"] == 2 and l["n_zero_modes"] == 2
assert all(x < y for x, y in zip(l["omega"], l["omega"][1:]))
assert max(abs(x - y) for x, y in zip(a["omega"], l["omega"])) < 1e-9
assert l["max_residual"] < 1e-8 and len(l["participation"]) == 25
assert all(0 < e <= 1 for e in l["participation"])
PYEOF
[ -f "$T/m.h5" ] && ok "MODES.h5 written" || bad "MODES.h5 missing"

# moduli
"$GV" moduli "$T/g.h5" --json > "$T/mod.json" && jkeys "$T/mod.json" G B c_T c_L omega_D pressure && ok moduli || bad moduli
$PY - "$T/mod.json" <<'PYEOF' && ok "moduli pressure = snapshot header 19.4285" || bad "moduli pressure"
import json, sys
d = json.load(open(sys.argv[1]))
assert abs(d["pressure"] - 19.4285) < 1e-3, d["pressure"]
assert 0 < d["G"] < d["B"] and d["c_T"] < d["c_L"]
PYEOF
# local moduli: the box averages are G (sum rule), smaller boxes fluctuate more, the disorder
# feeds gba (eps2 = disorder_volume / (8 pi a^3) needs 3D: checked on the JSON only here)
"$GV" moduli "$T/g.h5" --local 2,3,4 --json > "$T/modl.json" &&
  jkeys "$T/modl.json" local_boxes local_w local_mean local_var eps2 a_corr disorder_volume fit_rms &&
  $PY - "$T/modl.json" <<'PYEOF' && ok "moduli --local: sum rule and ordering" || bad "moduli --local"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["local_boxes"] == [2, 3, 4]
assert all(abs(m - d["G"]) < 1e-9 * abs(d["G"]) for m in d["local_mean"]), d["local_mean"]
v = d["local_var"]; assert 0 < v[0] < v[1] < v[2], v
assert d["eps2"] > 0 and d["a_corr"] > 0 and d["disorder_volume"] > 0
PYEOF
expect_fail "" "$GV" moduli "$T/g.h5" --local 0
expect_fail "" "$GV" moduli "$T/g.h5" --local two
expect_fail "$T/x.tsv" "$GV" gba --from-moduli "$T/mod.json" --a 1 --q 1 -o "$T/x.tsv"   # no disorder in the file

# dos over files and over a directory
mkdir -p "$T/dir"
cp "$T/m.h5" "$T/dir/a.h5"
"$GV" modes "$T/g.h5" --lowest 25 -o "$T/dir/b.h5" --seed 7 >/dev/null || bad "modes b"
"$GV" dos "$T/dir" -o "$T/dos.tsv" --json > "$T/dos.json" && jkeys "$T/dos.json" A_g A_g_err s omega_min_phonon r_mean n_modes \
  && ok dos || bad dos
$PY - "$T/dos.json" <<'PYEOF' && ok "dos pooled 2 samples" || bad "dos n_modes"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["n_modes"] == 50 and d["n_samples"] == 2, d
PYEOF
grep -q "^# block" "$T/dos.tsv" && ok "DOS.tsv header" || bad "DOS.tsv header"

# sqw: all modes internally -> f-sum rule exactly 1
"$GV" sqw "$T/g.h5" --q 1.5,4 -o "$T/sqw.tsv" --json > "$T/sqw.json" || bad sqw
$PY - "$T/sqw.json" <<'PYEOF' && ok "sqw f-sum rule" || bad "sqw f-sum rule"
import json, sys
d = json.load(open(sys.argv[1]))
assert all(abs(x - 1) < 1e-9 for x in d["sum_rule_L"] + d["sum_rule_T"]), d
PYEOF
"$GV" sqw "$T/g.h5" "$T/m.h5" --q 2 -o "$T/sqw2.tsv" >/dev/null && ok "sqw with MODES.h5" || bad "sqw with MODES.h5"

# bad input
expect_fail "$T/x.h5" "$GV" modes "$T/g.h5" --lowest 5000 -o "$T/x.h5"         # K larger than the number of modes
expect_fail "$T/x.h5" "$GV" modes "$T/g.h5" -o "$T/x.h5"                        # neither --lowest nor --all
expect_fail "$T/x.h5" "$GV" modes "$T/nope.h5" --all -o "$T/x.h5"               # missing glass
expect_fail "$T/x.tsv" "$GV" dos "$T/nope.h5" -o "$T/x.tsv"                     # missing modes file
expect_fail "$T/x.tsv" "$GV" dos "$T/g.h5" -o "$T/x.tsv"                        # not a modes file
"$GV" modes "$T/g.h5" --lowest 5 -o "$T/nov.h5" >/dev/null
expect_fail "$T/x.tsv" "$GV" sqw "$T/g.h5" "$T/nov.h5" --q 1 -o "$T/x.tsv"      # modes without vectors
expect_fail "$T/x.tsv" "$GV" sqw "$T/g.h5" --q abc -o "$T/x.tsv"                # bad --q
expect_fail "$T/x.mtx" "$GV" hessian "$T/nope.h5" -o "$T/x.mtx"
# not an inherent state: the liquid snapshot (forces large)
"$GV" convert "$SH/reference_snapshots/ipl3D_snap_with_velocities.dat" "$T/liq.h5" --model ipl --dim 3 >/dev/null 2>&1
if [ -f "$T/liq.h5" ]; then
  expect_fail "$T/x.h5" "$GV" modes "$T/liq.h5" --lowest 10 -o "$T/x.h5"
  expect_fail "" "$GV" moduli "$T/liq.h5"
  # forced: an unstable liquid configuration has negative modes -> reported, non-zero exit, no file
  "$GV" modes "$T/liq.h5" --lowest 10 --json > "$T/liq.json" 2> "$T/liq.err" --force
  if grep -q "negative" "$T/liq.err" && $PY -c "import json,sys; d=json.load(open('$T/liq.json')); assert d['n_negative']>0 and d['omega'][0]<0"; then
    ok "negative modes of a liquid reported as negative omega"; else bad "negative modes not reported"; fi
fi
exit $fail
