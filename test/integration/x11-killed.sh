#!/bin/sh
# `telly kill NAME` while `telly x` shows NAME: telly x says why its
# window went, "telly x: NAME: killed by telly kill" (the name once: it
# said "telly x: NAME: NAME was killed (telly kill)"), and exits 129, a
# hangup's status, as telly attach of a killed terminal session reads
# "exited with status 129" (before, it exited 0 and said nothing, as if
# its program had ended well). A view of it afterwards says when and
# why it ended, naming it once.
. test/integration/lib.sh "$1"
need_progs Xvfb xlogo xwininfo
start_xvfb 1024x768
on_desk() { xwininfo -root -tree | grep -q '"xlogo"'; }

"$TELLY" x -s kx -- xlogo -geometry 120x120+30+30 >"$T/x.out" 2>&1 &
xpid=$!
pids="$pids $xpid"
wait_until 20 on_desk || fail "xlogo is not on the desk: $(cat "$T/x.out")"
"$TELLY" kill kx || fail "telly kill failed"
rc=0
wait "$xpid" || rc=$?
cat "$T/x.out"
[ "$rc" = 129 ] || fail "telly x of a killed session exited $rc"
grep -qx "telly x: kx: killed by telly kill" "$T/x.out" || fail "telly x did not say its session was killed"
rc=0
timeout 20 "$TELLY" view --seamless --x11 kx >"$T/v.out" 2>&1 || rc=$?
cat "$T/v.out"
[ "$rc" = 1 ] || fail "a view of the killed session exited $rc"
grep -qx "telly view: no session kx: it ended [0-9]* s ago with status 129 (killed by telly kill)" "$T/v.out" ||
	fail "a view of the killed session did not say why, naming it once"

# The same for a terminal session, which this matches.
"$TELLY" new -s kt -- sleep 100 || fail "telly new failed"
tm_start w1 "$TELLY attach kt; echo attach-rc=\$?; sleep 100"
wait_until 20 grep -q "attached to kt" "$TELLY_DIR/serve.log" || fail "telly attach kt did not attach"
"$TELLY" kill kt || fail "telly kill of the terminal session failed"
wait_for w1 "attach-rc=" 20
screen w1 | grep -q "kt exited with status 129" || fail "telly attach of a killed session: $(screen w1)"
echo "ok: telly x of a killed session says so and exits 129"
