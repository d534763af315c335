# Shared by the example scripts (sourced, not run). Sets:
#   GV     the glassvib executable: $GV_BIN, else build/glassvib of this checkout, else glassvib on PATH
#   QUICK  1 with --quick (seconds, used by CI), else 0
#   OUT    output directory (--out DIR, default ./out/<example name>)
# and the helpers `step`, `need` (skip cleanly when a command is missing from the build).
set -euo pipefail
EX_NAME=$(basename "$(cd "$(dirname "${BASH_SOURCE[1]}")" && pwd)")
EX_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
QUICK=0
OUT=""
while [ $# -gt 0 ]; do
  case $1 in
    --quick) QUICK=1 ;;
    --out) OUT=$2; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[1]}" | sed 's/^# \{0,1\}//' | grep -v '^set -euo'; exit 0 ;;
    *) echo "unknown option $1 (use --quick, --out DIR)" >&2; exit 2 ;;
  esac
  shift
done
if [ -n "${GV_BIN:-}" ]; then GV=$GV_BIN
elif [ -x "$EX_ROOT/build/glassvib" ]; then GV=$EX_ROOT/build/glassvib
else GV=$(command -v glassvib || true); fi
[ -n "$GV" ] && [ -x "$GV" ] || { echo "glassvib not found: build it (scripts/test.sh) or set GV_BIN" >&2; exit 1; }
OUT=${OUT:-$PWD/out/$EX_NAME}
mkdir -p "$OUT"
cd "$OUT"
T_START=$(date +%s)
step() { echo "== $*" >&2; }
# need CMD...: exit 0 with a SKIP line if a command reports "not available in this build"
need() {
  for c in "$@"; do
    local h
    h=$("$GV" "$c" --help 2>&1 || true)
    if echo "$h" | grep -q 'not available in this build'; then
      echo "SKIP $EX_NAME: glassvib $c is not available in this build"
      exit 0
    fi
  done
}
# json KEY < JSON: print the value of a numeric/string key of a one-line JSON object
json() { sed -n "s/.*\"$1\":\(\[[^]]*\]\|\"[^\"]*\"\|[^,}]*\).*/\1/p"; }
finish() { echo "done in $(( $(date +%s) - T_START )) s; outputs in $OUT" >&2; }
