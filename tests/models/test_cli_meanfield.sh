#!/usr/bin/env bash
# End-to-end tests of `glassvib khgps` and `glassvib lattice`: JSON keys, output
# files, bad input (non-zero exit and no output), lattice resume after SIGINT.
set -u
BIN=${GV_BIN:?GV_BIN must point to the glassvib executable}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }
PY=/usr/bin/python3

has_keys() { # json keys...
  local json=$1; shift
  $PY - "$json" "$@" <<'EOF' || return 1
import json, sys
d = json.loads(sys.argv[1])
missing = [k for k in sys.argv[2:] if k not in d]
sys.exit(1 if missing else 0)
EOF
}

# ---- khgps: a small ensemble
J=$($BIN khgps --n 200 --h 0.012 --J 0.13 --kappa0 1.1 --samples 3 --seed 5 -o "$T/k.h5" --json --quiet)
rc=$?
[ $rc -eq 0 ] && ok "khgps runs" || bad "khgps exit $rc"
has_keys "$J" A_g A_g_err low_exponent x2_mean omega_x n_modes wall_s && ok "khgps JSON keys" || bad "khgps JSON keys: $J"
[ -s "$T/k.h5" ] && ok "khgps wrote .h5" || bad "khgps .h5 missing"
$PY - "$J" <<'EOF' && ok "khgps values sane" || bad "khgps values: $J"
import json, sys
d = json.loads(sys.argv[1])
assert d["n_modes"] == 600, d
assert d["x2_mean"] > 0 and d["omega_x"] > 0
EOF
if $PY -c "import h5py" 2>/dev/null; then
  $PY - "$T/k.h5" <<'EOF' && ok "khgps h5 layout" || bad "khgps h5 layout"
import h5py, sys
f = h5py.File(sys.argv[1], "r")
assert f["/samples/eigenvalues"].shape == (3, 200)
assert f["/samples/x"].shape == (3, 200) and f["/samples/kappa"].shape == (3, 200)
assert (f["/samples/grad_max"][:] <= 1e-10).all()
assert "provenance" in f and "results" in f and "dos" in f and "partial_average" in f
assert f["/parameters"].attrs["J"] == 0.13
EOF
fi
# same seed -> same numbers
J2=$($BIN khgps --n 200 --h 0.012 --J 0.13 --kappa0 1.1 --samples 3 --seed 5 --json --quiet --threads 1)
$PY - "$J" "$J2" <<'EOF' && ok "khgps reproducible across thread counts" || bad "khgps reproducibility"
import json, sys
a, b = json.loads(sys.argv[1]), json.loads(sys.argv[2])
assert a["x2_mean"] == b["x2_mean"] and a["omega_x"] == b["omega_x"], (a, b)
EOF

# ---- khgps bad input
for args in "--n 1 --h 0.01 --J 0.1 --kappa0 1" "--n 10 --h 0.01 --J 0.1 --kappa0 -1" \
  "--n 10 --h 0.01 --J -0.1 --kappa0 1" "--n 10 --h nan --J 0.1 --kappa0 1" \
  "--n 10 --h inf --J 0.1 --kappa0 1" "--n 10 --h 0.01 --J 0.1 --kappa0 1 --samples 0" \
  "--n 10 --J 0.1 --kappa0 1"; do
  rm -f "$T/bad.h5"
  if $BIN khgps $args -o "$T/bad.h5" --quiet >/dev/null 2>"$T/err"; then
    bad "khgps accepted: $args"
  elif [ -e "$T/bad.h5" ]; then
    bad "khgps left output for: $args"
  elif [ ! -s "$T/err" ]; then
    bad "khgps no message for: $args"
  else
    ok "khgps rejects: $args ($(head -c 80 "$T/err"))"
  fi
done

# ---- lattice
J=$($BIN lattice --dim 2 --L 7 --samples 20000 --seed 3 -o "$T/p.tsv" --json --quiet)
rc=$?
[ $rc -eq 0 ] && ok "lattice runs" || bad "lattice exit $rc"
has_keys "$J" eta eta_err kappa_mean samples wall_s && ok "lattice JSON keys" || bad "lattice JSON keys: $J"
[ -s "$T/p.tsv" ] && ok "lattice wrote TSV" || bad "lattice TSV missing"
[ ! -e "$T/p.tsv.parts" ] && ok "run directory removed after success" || bad "run directory left behind"
grep -q "^# kappa" "$T/p.tsv" && grep -q "eta = " "$T/p.tsv" && ok "lattice TSV header" || bad "lattice TSV header"
$PY - "$T/p.tsv" <<'EOF' && ok "lattice p(kappa) normalised" || bad "lattice p(kappa) normalisation"
import sys
s = 0.0
for line in open(sys.argv[1]):
    if line.startswith("#"): continue
    c = line.split()
    s += float(c[3]) * (float(c[2]) - float(c[1]))
assert abs(s - 1) < 1e-9, s
EOF
# L = 1: kappa = omega^2, <kappa> = 5/7
J=$($BIN lattice --dim 3 --L 1 --samples 100000 --json --quiet)
$PY - "$J" <<'EOF' && ok "lattice L=1 <kappa> = 5/7" || bad "lattice L=1: $J"
import json, sys
d = json.loads(sys.argv[1])
assert abs(d["kappa_mean"] - 5 / 7) < 4 * 0.00078, d
EOF

for args in "--dim 2 --L 4 --samples 10" "--dim 2 --L 0 --samples 10" "--dim 0 --L 3 --samples 10" \
  "--dim 2 --L 5 --samples 0" "--dim 2 --L -3 --samples 10"; do
  rm -f "$T/bad.tsv"
  if $BIN lattice $args -o "$T/bad.tsv" --quiet >/dev/null 2>"$T/err"; then
    bad "lattice accepted: $args"
  elif [ -e "$T/bad.tsv" ] || [ -e "$T/bad.tsv.parts" ]; then
    bad "lattice left output for: $args"
  else
    ok "lattice rejects: $args ($(head -c 80 "$T/err"))"
  fi
done

# ---- lattice: SIGINT leaves a consistent checkpoint, re-running continues
REF=$($BIN lattice --dim 3 --L 21 --samples 100000 --chunk 1000 --seed 8 -o "$T/ref.tsv" --json --quiet --threads 1)
$BIN lattice --dim 3 --L 21 --samples 100000 --chunk 1000 --seed 8 -o "$T/r.tsv" --quiet --threads 1 &
pid=$!
sleep 0.25
kill -INT $pid
wait $pid
rc=$?
if [ $rc -ne 0 ] && [ ! -e "$T/r.tsv" ] && [ -d "$T/r.tsv.parts" ]; then
  ok "SIGINT: exit $rc, no output, run directory kept"
  NREC=$(ls "$T/r.tsv.parts" | grep -c '\.rec$')
  RES=$($BIN lattice --dim 3 --L 21 --samples 100000 --chunk 1000 --seed 8 -o "$T/r.tsv" --json --quiet)
  $PY - "$REF" "$RES" "$NREC" <<'EOF' && ok "resumed run equals the uninterrupted run" || bad "resume: $RES vs $REF"
import json, sys
a, b = json.loads(sys.argv[1]), json.loads(sys.argv[2])
# one record per committed chunk of 1000 realisations (docs/cluster.md)
assert b["resumed"] == 1000 * int(sys.argv[3]) > 0, (b, sys.argv[3])
assert a["eta"] == b["eta"] and a["kappa_mean"] == b["kappa_mean"], (a, b)
EOF
  diff <(grep -v '^#' "$T/ref.tsv") <(grep -v '^#' "$T/r.tsv") >/dev/null && ok "resumed table identical" || bad "resumed table differs"
  [ ! -e "$T/r.tsv.parts" ] && ok "run directory removed" || bad "run directory left after resume"
else
  # the run may have finished before the signal on a fast machine
  echo "note: SIGINT test inconclusive (rc $rc)"
fi
exit $fail
