#!/bin/bash
# End-to-end tests of `glassvib info` and `glassvib convert`: every format,
# --json keys, h5py readability, and bad input (non-zero exit, one-line
# message, no output left behind).
set -u
BIN=${GV_BIN:?}; SHARED=${GV_SHARED:?}
T=$(mktemp -d); trap 'chmod -R u+w "$T"; rm -rf "$T"' EXIT
fail=0
ok()   { if ! "$@" >"$T/out" 2>"$T/err"; then echo "FAIL (exit $?): $*"; cat "$T/err"; fail=1; fi; }
bad()  { local out=$1; shift; if "$@" >"$T/out" 2>"$T/err"; then echo "FAIL (exit 0, expected error): $*"; fail=1; fi
         [ "$(wc -l <"$T/err")" -ge 1 ] || { echo "FAIL (no message): $*"; fail=1; }
         [ -z "$out" ] || [ ! -e "$out" ] || { echo "FAIL (output left: $out): $*"; fail=1; }
         ls "$T" | grep -q '\.tmp' && { echo "FAIL (temporary left): $*"; fail=1; }; true; }
haskeys() { for k in "$@"; do grep -q "\"$k\":" "$T/out" || { echo "FAIL: JSON key $k missing"; cat "$T/out"; fail=1; }; done; }

S=$SHARED/reference_snapshots
ok "$BIN" info "$S/ipl2D_snap.dat" --model ipl --dim 2 --json
haskeys model dim n density energy_per_particle pressure max_force seed wall_s
grep -q '"energy_per_particle":3.88560264' "$T/out" || { echo "FAIL: ipl2D energy"; cat "$T/out"; fail=1; }
ok "$BIN" convert "$S/swap2D_snap.dat" "$T/s.h5" --model poly --dim 2 --json
haskeys model dim n density energy_per_particle pressure max_force seed wall_s
ok "$BIN" convert "$T/s.h5" "$T/s.xyz"
ok "$BIN" convert "$T/s.xyz" "$T/s.data"
ok "$BIN" convert "$T/s.data" "$T/s2.h5"
ok "$BIN" info "$T/s2.h5" --json
grep -q '"energy_per_particle":2.82751690' "$T/out" || { echo "FAIL: swap2D energy after 4 conversions"; cat "$T/out"; fail=1; }
grep -q '"model":"poly"' "$T/out" || { echo "FAIL: model lost"; fail=1; }
ok "$BIN" info "$T/s.xyz"
grep -q "poly" "$T/out" || { echo "FAIL: text info"; fail=1; }
ok "$BIN" convert "$S/ipl3D_snap_with_velocities.dat" "$T/i3.h5" --model ipl --dim 3
if /usr/bin/python3 -c 'import h5py' 2>/dev/null; then
  ok /usr/bin/python3 -c "
import h5py, sys
f = h5py.File('$T/i3.h5', 'r')
assert f['particles/positions'].shape == (2000, 3)
assert f['particles/velocities'].shape == (2000, 3)
assert f['box'].shape == (3, 3)
assert len(f['model'].attrs['taper_c']) == 5
assert abs(f['state'].attrs['energy'] - 12775.45261) < 1e-3
assert f['provenance'].attrs['kind'] in (b'glass', 'glass')
"
fi
ok "$BIN" info --help
ok "$BIN" convert --help

# bad input
bad "" "$BIN" info "$T/nope.h5"
bad "" "$BIN" info "$S/ipl2D_snap.dat"                          # .dat without --model
bad "$T/x.h5" "$BIN" convert "$S/ipl2D_snap.dat" "$T/x.h5" --model lj --dim 2
bad "$T/x.h5" "$BIN" convert "$S/ipl2D_snap.dat" "$T/x.h5" --model ipl --dim 3
bad "$T/x.h5" "$BIN" convert "$T/missing.xyz" "$T/x.h5"
head -c 3000 "$T/s.h5" > "$T/trunc.h5"
bad "$T/y.xyz" "$BIN" convert "$T/trunc.h5" "$T/y.xyz"
head -n 500 "$T/s.xyz" > "$T/trunc.xyz"
bad "$T/y.h5" "$BIN" convert "$T/trunc.xyz" "$T/y.h5"
bad "$T/y.dat" "$BIN" convert "$T/s.h5" "$T/y.dat"               # .dat is read-only
if [ "$(id -u)" != 0 ]; then                                     # root ignores permissions
  mkdir "$T/ro"; chmod a-w "$T/ro"
  bad "$T/ro/z.h5" "$BIN" convert "$T/s.h5" "$T/ro/z.h5"         # unwritable output
fi
bad "" "$BIN" convert "$T/s.h5" "$T/s.xyz/z.h5"                   # parent is a file
bad "$T/z.h5" "$BIN" convert "$T/s.h5" "$T/nodir/z.h5"
bad "" "$BIN" info                                               # missing argument
exit $fail
