#!/usr/bin/env bash
# `glassvib --help` and `glassvib <command> --help` agree with the docs: every command listed
# by `glassvib --help` has a section in docs/guide.md (a heading naming `glassvib <command>`),
# and every flag of every command's --help appears in docs/ (guide or topic pages).
set -u
B=${GV_BIN:?GV_BIN must name the glassvib executable}
D=${GV_TESTS:?GV_TESTS must name the tests directory}/../docs
fail=0
[ -s "$D/guide.md" ] || { echo "FAIL docs/guide.md missing"; exit 1; }
[ -s "$D/README.md" ] || { echo "FAIL docs/README.md missing"; fail=1; }
cmds=$("$B" --help | awk '/^commands:/ { f = 1; next } f && NF { print $1 }')
[ -n "$cmds" ] || { echo "FAIL glassvib --help lists no commands"; exit 1; }
for c in $cmds; do
  grep -Eq "^#+ .*glassvib $c\b" "$D/guide.md" || { echo "FAIL guide.md has no section for 'glassvib $c'"; fail=1; }
  help=$("$B" "$c" --help 2>&1)
  if echo "$help" | grep -q 'not available in this build'; then echo "note: $c not built; flags not checked"; continue; fi
  for flag in $(echo "$help" | grep -oE '^ +(-[a-zA-Z], )?--[a-zA-Z0-9-]+' | sed 's/.*--/--/' | sort -u); do
    [ "$flag" = "--help" ] && continue
    grep -rqF -- "$flag" "$D"/*.md || { echo "FAIL $c $flag: not in docs/"; fail=1; }
  done
done
# every docs page is listed in the index
for p in "$D"/*.md; do
  n=$(basename "$p")
  [ "$n" = README.md ] && continue
  grep -qF "$n" "$D/README.md" || { echo "FAIL docs/README.md does not list $n"; fail=1; }
done
[ $fail = 0 ] && echo "ok: $(echo $cmds | wc -w) commands documented, flags found in docs/"
exit $fail
