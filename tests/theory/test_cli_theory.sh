#!/usr/bin/env bash
# End-to-end tests of `glassvib scba`, `glassvib born`, `glassvib gba`: JSON keys, outputs,
# physics spot checks, and bad input (non-zero exit, no output file left behind).
set -u
BIN=${GV_BIN:?GV_BIN must point to glassvib}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }
py() { /usr/bin/python3 -c "$@"; }

# ---- scba, scalar: exact static limit, gamma_c = 1/4, normalisation, TSV columns
"$BIN" scba --gamma 0.2385 --points 2000 --omega-max 1.4 -o "$T/s.tsv" --json > "$T/s.json" || bad "scba run"
py "
import json, math
d = json.load(open('$T/s.json'))
for k in ['sigma0', 'gamma_c', 'omega_bp', 'bp_height', 'rayleigh_coeff']: assert k in d, k
g = 0.2385
assert abs(d['sigma0'] - (1 - math.sqrt(1 - 4*g))/2) < 1e-12, d['sigma0']
assert d['gamma_c'] == 0.25
assert abs(d['norm'] - 1) < 1e-3, d['norm']
assert 0 < d['omega_bp'] < 1 and d['bp_height'] > d['debye_level']
assert abs(d['rayleigh_coeff_grid'] / d['rayleigh_coeff'] - 1) < 1e-2
" && ok "scba scalar json" || bad "scba scalar json"
[ "$(grep -v '^#' "$T/s.tsv" | wc -l)" = 2000 ] && grep -q "^# omega	Re_Sigma	Im_Sigma	g	g_over_omega2	Gamma_L	Gamma_T	v_L	v_T" "$T/s.tsv" \
  && ok "scba tsv" || bad "scba tsv"

# ---- scba, vector, c_L/c_T from a moduli JSON (the bridge)
echo '{"G": 1.3689, "B": 4.1, "c_T": 1.17, "c_L": 2.385, "omega_D": 3.3, "pressure": 0.1}' > "$T/moduli.json"
"$BIN" scba --gamma 0.1 --vector --from-moduli "$T/moduli.json" --json > "$T/v.json" || bad "scba vector"
py "
import json
d = json.load(open('$T/v.json'))
assert d['vector'] and d['c_L'] == 2.385 and d['c_T'] == 1.17
assert 0 < d['gamma_c'] < 0.25 and d['sigma0'] > 0
assert abs(d['norm'] - 1) < 2e-3, d['norm']
" && ok "scba vector + moduli bridge" || bad "scba vector + moduli bridge"

# ---- born / gba: JSON keys, Rayleigh law at small q a, the map TSV, poles TSV
Q=0.01,0.05,0.5,1,2,5
"$BIN" born --cl 2.292 --ct 1.2377 --A 0.0913 --a 0.143 --q $Q --json > "$T/b.json" || bad "born run"
"$BIN" born --local --cl 2.292 --ct 1.2377 --A 0.0913 --a 0.143 --q $Q --json > "$T/bl.json" || bad "born --local run"
"$BIN" gba --cl 2.292 --ct 1.2377 --A 0.0913 --a 0.143 --q $Q --omega 0:30:0.01 -o "$T/g.tsv" --poles "$T/gp.tsv" --json > "$T/g.json" || bad "gba run"
"$BIN" gba --variant resummed --cl 2.292 --ct 1.2377 --eps2 0.0390 --a 0.143 --q $Q --json > "$T/gr.json" || bad "gba resummed run"
py "
import json
for f in ['b', 'bl', 'g', 'gr']:
    d = json.load(open('$T/%s.json' % f))
    for k in ['q', 'Omega_L', 'Gamma_L', 'Omega_T', 'Gamma_T', 'rayleigh_coeff_L']: assert k in d, (f, k)
    assert len(d['Gamma_L']) == 6
    assert all(g > 0 for g in d['Gamma_L'] + d['Gamma_T']), f
    r = d['Gamma_L'][0] / d['q'][0]**4
    assert abs(r / d['rayleigh_coeff_L'] - 1) < 1e-3, (f, r, d['rayleigh_coeff_L'])
    assert d['quad_rel_err'] < 1e-8, d['quad_rel_err']
b, bl = json.load(open('$T/b.json')), json.load(open('$T/bl.json'))
assert abs(b['Gamma_L'][0] / bl['Gamma_L'][0] - 1) < 1e-3   # non-local -> local as q -> 0
assert abs(b['rayleigh_coeff_L'] - bl['rayleigh_coeff_L']) < 1e-15
g = json.load(open('$T/g.json'))
assert g['Gamma_L_dho'][-1] is not None and abs(g['Gamma_L_dho'][-1] / g['Gamma_L'][-1] - 1) < 0.2
" && ok "born/gba json" || bad "born/gba json"
grep -q "^# q	omega	Re_Sigma_LL	Im_Sigma_LL	Re_Sigma_LT	Im_Sigma_LT	Re_Sigma_TT	Im_Sigma_TT	Re_Sigma_TL	Im_Sigma_TL	Re_Sigma_L	Im_Sigma_L	Re_Sigma_T	Im_Sigma_T	S_L	S_T	C_L	C_T" "$T/g.tsv" \
  && [ "$(grep -v '^#' "$T/g.tsv" | wc -l)" = $((6 * 3001)) ] && ok "gba map tsv" || bad "gba map tsv"
py "
rows = [list(map(float, l.split())) for l in open('$T/g.tsv') if not l.startswith('#')]
for r in rows:
    assert abs(r[10] - (r[2] + r[4])) <= 1e-9 * (abs(r[10]) + 1e-300)     # Sigma_L = LL + LT
    assert abs(r[12] - 0.5 * (r[6] + r[8])) <= 1e-9 * (abs(r[12]) + 1e-300)  # Sigma_T = (TT+TL)/2
    assert r[11] >= 0 and r[13] >= 0 and r[14] >= 0 and r[15] >= 0
" && ok "gba channels, Im Sigma >= 0" || bad "gba channels"
[ "$(grep -v '^#' "$T/gp.tsv" | wc -l)" = 6 ] && ok "poles tsv" || bad "poles tsv"

# ---- physical units: c in m/s, a in nm, q in nm^-1 -> meV; Omega ~ hbar c q at small q
"$BIN" gba --physical --cl 2900 --ct 1600 --eps2 0.03 --a 0.5 --q 0.02,0.5 --json > "$T/p.json" || bad "physical"
py "
import json
d = json.load(open('$T/p.json'))
hbar = 6.582119569e-13
w0 = hbar * 2900 * 0.02e9
assert abs(d['Omega_L'][0] / w0 - 1) < 0.01, (d['Omega_L'][0], w0)
" && ok "physical units" || bad "physical units"

# ---- bad input: message, non-zero exit, nothing written
expect_fail() { # name, then the command line
  local name=$1; shift
  rm -f "$T/bad.tsv"
  if "$@" -o "$T/bad.tsv" > /dev/null 2> "$T/err"; then bad "$name: exit 0"; return; fi
  [ -s "$T/err" ] || bad "$name: no message"
  [ -e "$T/bad.tsv" ] && bad "$name: output left behind"
  ls "$T" | grep -q '\.tmp' && bad "$name: temporary left behind"
  ok "$name rejected: $(head -c 150 "$T/err")"
}
expect_fail "gamma >= gamma_c" "$BIN" scba --gamma 0.25
expect_fail "vector gamma >= gamma_c" "$BIN" scba --gamma 0.24 --vector --cl 2 --ct 1
expect_fail "vector without velocities" "$BIN" scba --gamma 0.1 --vector
expect_fail "c_T >= c_L" "$BIN" born --cl 1 --ct 2 --A 0.1 --a 1 --q 1
expect_fail "c_T = c_L" "$BIN" gba --cl 2 --ct 2 --A 0.1 --a 1 --q 1
expect_fail "negative velocity" "$BIN" born --cl -2 --ct 1 --A 0.1 --a 1 --q 1
expect_fail "A < 0" "$BIN" born --cl 2 --ct 1 --A -0.1 --a 1 --q 1
expect_fail "a <= 0" "$BIN" gba --cl 2 --ct 1 --A 0.1 --a 0 --q 1
expect_fail "empty q" "$BIN" born --cl 2 --ct 1 --A 0.1 --a 1 --q ''
expect_fail "q <= 0" "$BIN" born --cl 2 --ct 1 --A 0.1 --a 1 --q 1,-2
expect_fail "inverted omega" "$BIN" gba --cl 2 --ct 1 --A 0.1 --a 1 --q 1 --omega 5:1:0.1
expect_fail "empty omega" "$BIN" gba --cl 2 --ct 1 --A 0.1 --a 1 --q 1 --omega 1:1:0.1
expect_fail "bad variant" "$BIN" gba --cl 2 --ct 1 --A 0.1 --a 1 --q 1 --variant third
expect_fail "disorder too strong for GBA" "$BIN" gba --cl 2 --ct 1 --A 3 --a 1 --q 1
expect_fail "missing moduli file" "$BIN" born --from-moduli "$T/nope.json" --A 0.1 --a 1 --q 1
exit $fail
