# Shared set-up of the ensemble CLI tests (sourced): GV_BIN, a temporary directory $T
# removed on exit, ok/bad reporting, comparisons of outputs, waiting for records.
BIN=${GV_BIN:?GV_BIN must point to the glassvib executable}
HERE=$(cd "$(dirname "${BASH_SOURCE[1]}")" && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }
PY=/usr/bin/python3
h5same() { $PY "$HERE/h5same.py" "$1" "$2"; }
tsvsame() { diff <(grep -v '^#' "$1") <(grep -v '^#' "$2") > /dev/null; }
nrec() { ls "$1" 2> /dev/null | grep -c '\.rec$'; }
wait_rec() { # dir n pid: wait until dir holds n records (or the process ends); 30 s at most
  for _ in $(seq 1 1500); do
    [ "$(nrec "$1")" -ge "$2" ] && return 0
    kill -0 "$3" 2> /dev/null || return 1
    sleep 0.02
  done
  return 1
}
