#!/usr/bin/env bash
# Every paper reproduction in examples/ runs end to end in --quick mode and writes its key
# figures (PNG + SVG + TSV + GP) and numbers. An example may skip only when a command it needs
# reports "not available in this build" (the script prints SKIP and the command).
set -u
B=${GV_BIN:?GV_BIN must name the glassvib executable}
EX=${GV_TESTS:?GV_TESTS must name the tests directory}/../examples
command -v gnuplot >/dev/null || { echo "SKIP: gnuplot is not installed"; exit 0; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0
# example : figure bases that must exist : a string the printed numbers must contain
declare -A FIGS=(
  [seed000_born_gba]="fig_map_gba fig_map_gba_mixing fig_cuts fig_poles"
  [seed001_khgps]="fig2_dos fig6_ag_vs_J fig5_collapse"
  [seed002_anatomy]="fig3_shells core_mode0 mode0_field"
  [seed003_dipoles]="fig3a_pkappa_ipl fig3b_pkappa_lattice fig1b_response2d"
  [seed004_taper]="fig1_F_over_omega dos_both participation levels_taper_2 levels_taper_cinf"
)
declare -A NUMS=(
  [seed000_born_gba]="R_L = "
  [seed001_khgps]="A_g maximum"
  [seed002_anatomy]="mean lambda_t"
  [seed003_dipoles]="lattice 4D  eta"
  [seed004_taper]="cinf"
)
for dir in "$EX"/seed*/; do
  name=$(basename "$dir")
  [ -x "$dir/run.sh" ] && [ -s "$dir/README.md" ] || { echo "FAIL $name: run.sh or README.md missing"; fail=1; continue; }
  t0=$(date +%s)
  if ! GV_BIN=$B "$dir/run.sh" --quick --out "$T/$name" > "$T/$name.log" 2>&1; then
    echo "FAIL $name: exit code"; tail -20 "$T/$name.log"; fail=1; continue
  fi
  if grep -q '^SKIP' "$T/$name.log"; then
    grep -q 'not available in this build' "$T/$name.log" && { echo "skip $name: $(grep '^SKIP' "$T/$name.log")"; continue; }
    echo "FAIL $name: skipped without a missing command"; fail=1; continue
  fi
  miss=""
  for f in ${FIGS[$name]:-}; do
    for ext in png svg tsv gp; do [ -s "$T/$name/$f.$ext" ] || miss="$miss $f.$ext"; done
  done
  [ -z "$miss" ] || { echo "FAIL $name: missing$miss"; fail=1; continue; }
  grep -q "${NUMS[$name]:-done}" "$T/$name.log" || { echo "FAIL $name: numbers not printed"; tail -20 "$T/$name.log"; fail=1; continue; }
  echo "ok   $name ($(( $(date +%s) - t0 )) s)"
done
exit $fail
