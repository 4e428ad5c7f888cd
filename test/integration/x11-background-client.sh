#!/bin/sh
# A launcher that puts its window in the background and ends (sh -c
# 'xlogo & exit 0', as gnome-terminal's launcher or a wrapper script
# does) leaves the window up, as ssh -X does: the session lasts while X
# clients of its own remain on its display (before, it was put down as
# the launcher ended, and xlogo with it). `telly ls` still lists it and
# its window, and says its programs ended; killing xlogo, its last
# client, ends the session. Through telly x (its view still showing the
# window) and telly new --x11. And `telly ls` names what runs now: once
# the first program ended, the newest of telly run's (it kept naming the
# first).
. test/integration/lib.sh "$1"
need_progs Xvfb xlogo xwininfo
start_xvfb 1024x768

on_desk() { xwininfo -root -tree | grep -q '"xlogo"'; }
listed() { "$TELLY" ls 2>/dev/null | grep -q "^$1:"; }
window_listed() { "$TELLY" ls 2>/dev/null | grep -A3 "^$1:" | grep -q 'xlogo'; }
lingers() { grep -q "session $1: its programs ended; 1 X client of theirs remains" "$TELLY_DIR/serve.log"; }
launcher() { echo "xlogo -geometry 120x120+30+30 & echo \$! >'$T/$1.pid'; exit 0"; }

# 1. telly x: the view shows xlogo after sh ended.
"$TELLY" x -s bg -- sh -c "$(launcher bg)" >"$T/x.out" 2>&1 &
xpid=$!
pids="$pids $xpid"
wait_until 20 lingers bg || fail "the session did not stay for xlogo: $(cat "$T/x.out")"
wait_until 20 on_desk || fail "xlogo is not on the desk: $(cat "$T/x.out")"
listed bg || fail "telly ls does not list the session: $("$TELLY" ls 2>&1)"
window_listed bg || fail "telly ls does not list xlogo's window: $("$TELLY" ls 2>&1)"
"$TELLY" ls 2>&1 | grep "^bg:" | grep -q "programs ended; 1 X client" ||
	fail "telly ls does not say what runs: $("$TELLY" ls 2>&1)"
kill -0 "$xpid" || fail "telly x ended: $(cat "$T/x.out")"
lpid=$(cat "$T/bg.pid")
kill "$lpid"
wait_until 20 sh -c "! '$TELLY' ls 2>/dev/null | grep -q '^bg:'" ||
	fail "the session outlived its last X client: $("$TELLY" ls 2>&1)"
rc=0
wait "$xpid" || rc=$?
[ "$rc" = 0 ] || fail "telly x exited $rc: $(cat "$T/x.out")"

# 2. telly new --x11: the same, nobody viewing.
"$TELLY" new --x11 -s bg2 -- sh -c "$(launcher bg2)" >"$T/new.out" 2>&1 ||
	fail "telly new --x11 failed: $(cat "$T/new.out")"
wait_until 20 lingers bg2 || fail "the session did not stay for xlogo: $("$TELLY" ls 2>&1)"
wait_until 20 window_listed bg2 || fail "telly ls does not list xlogo's window: $("$TELLY" ls 2>&1)"
lpid=$(cat "$T/bg2.pid")
kill "$lpid"
wait_until 20 sh -c "! '$TELLY' ls 2>/dev/null | grep -q '^bg2:'" ||
	fail "the session outlived its last X client: $("$TELLY" ls 2>&1)"
# 3. telly ls names what runs now.
mkfifo "$T/gate"
"$TELLY" new --x11 -s now -- sh -c "read x <'$T/gate'" >"$T/now.out" 2>&1 ||
	fail "telly new --x11 failed: $(cat "$T/now.out")"
"$TELLY" run now -- xlogo -geometry 100x100+10+10 || fail "telly run xlogo failed"
wait_until 20 window_listed now || fail "telly ls does not list xlogo's window: $("$TELLY" ls 2>&1)"
"$TELLY" ls 2>&1 | grep "^now:" | grep -q "X :[0-9]* sh -c read" ||
	fail "telly ls does not name the first program: $("$TELLY" ls 2>&1)"
echo go >"$T/gate"
wait_until 20 sh -c "'$TELLY' ls 2>&1 | grep '^now:' | grep -q 'X :[0-9]* xlogo'" ||
	fail "telly ls does not name what runs now: $("$TELLY" ls 2>&1)"
"$TELLY" kill now || fail "telly kill now"
echo "ok: a launcher's backgrounded X window keeps its session until it goes"
