#!/bin/sh
# A --seamless desk window destroyed by another program (xdotool
# windowclose) is that window closed on the desk, said once since no one
# at the desk may have done it: its program is asked (WM_DELETE_WINDOW,
# as the window manager's close; under ssh -X it would lose the window
# and end), and the window is back on the desk for as long as the host
# keeps it (a program that asks "save?" keeps it). A read-only view
# hides it, as its own close does. Before: the desk window was gone,
# telly x ran on with no window and said nothing. A shaped window made
# again keeps its shape (test/integration/xshape.c, a cross): the host
# sends a shape only when it changes, and the window came back a
# rectangle.
. test/integration/lib.sh "$1"
need_progs Xvfb xlogo xwininfo xdotool
start_xvfb 1024x768
deskwin() { xwininfo -root -tree | sed -n "s/^ *\(0x[0-9a-f]*\) \"$1\".*/\1/p" | head -n 1; }
on_desk() { [ -n "$(deskwin "$1")" ]; }

# A program that closes: telly x ends with its status.
"$TELLY" x -s xd -- xlogo -geometry 120x120+30+30 >"$T/xd.out" 2>&1 &
xpid=$!
pids="$pids $xpid"
wait_until 20 on_desk xlogo || fail "xlogo is not on the desk: $(cat "$T/xd.out")"
xdotool windowclose "$(deskwin xlogo)"
wait_until 20 sh -c "! kill -0 $xpid 2>/dev/null" ||
	fail "its desk window destroyed, telly x runs on: $(cat "$T/xd.out")"
rc=0
wait "$xpid" || rc=$?
[ "$rc" = 0 ] || fail "telly x exited $rc, not xlogo's 0: $(cat "$T/xd.out")"
grep -qx 'telly x: xd: window "xlogo" destroyed on the desk by another program: its program is asked to close it' \
	"$T/xd.out" || fail "not said: $(cat "$T/xd.out")"
echo "destroyed on the desk: its program asked to close, telly x ends 0: ok"

# A program that keeps its window: asked, and the window is back.
"$TELLY" x -s xk -- "$B/test/xplace" keep 100 100 keep >"$T/xk.out" 2>&1 &
xpid=$!
pids="$pids $xpid"
wait_until 20 on_desk keep || fail "xplace is not on the desk: $(cat "$T/xk.out")"
old=$(deskwin keep)
xdotool windowclose "$old"
wait_until 20 grep -q "close asked" "$T/xk.out" || fail "the program was not asked to close: $(cat "$T/xk.out")"
back() { w=$(deskwin keep); [ -n "$w" ] && [ "$w" != "$old" ]; }
wait_until 20 back || fail "the window kept by its program is not back on the desk"
kill -0 "$xpid" || fail "telly x ended: $(cat "$T/xk.out")"
xdotool windowclose "$(deskwin keep)"
wait_until 20 sh -c "[ \$(grep -c 'close asked' '$T/xk.out') = 2 ]" || fail "the second destroy asked nothing"
[ "$(grep -c "destroyed on the desk" "$T/xk.out")" = 1 ] || fail "not said once: $(cat "$T/xk.out")"
echo "a program that keeps it: asked, and the window is back: ok"
"$TELLY" kill xk >/dev/null
wait "$xpid"

# A shaped one that its program keeps: back with its shape.
mkfifo "$T/fifo"
"$TELLY" x -s xs -- "$B/test/xshape" "$T/xs.log" "$T/fifo" keep >"$T/xs.out" 2>&1 &
xpid=$!
pids="$pids $xpid"
shaped() { w=$(deskwin xshape) && [ -n "$w" ] && xwininfo -shape -id "$w" | grep -q 'Window shape extents'; }
wait_until 20 shaped || fail "xshape is not on the desk shaped: $(cat "$T/xs.out")"
old=$(deskwin xshape)
xdotool windowclose "$old"
wait_until 20 grep -q "close asked" "$T/xs.log" || fail "xshape was not asked to close: $(cat "$T/xs.out")"
back() { w=$(deskwin xshape); [ -n "$w" ] && [ "$w" != "$old" ]; }
wait_until 20 back || fail "xshape is not back on the desk: $(cat "$T/xs.out")"
shaped || fail "xshape is back on the desk without its shape: $(xwininfo -shape -id "$(deskwin xshape)" | grep -i shape)"
echo "a shaped window made again: its shape kept: ok"
"$TELLY" kill xs >/dev/null
wait "$xpid"

# A watcher's: hidden, and the view with nothing left ends.
"$TELLY" new --x11 -s xr -- xlogo -geometry 120x120+30+30 >/dev/null || fail "telly new --x11"
"$TELLY" view --seamless -r --x11 xr >"$T/xr.out" 2>&1 &
vpid=$!
pids="$pids $vpid"
wait_until 20 on_desk "xlogo (read-only)" || fail "not on the desk: $(cat "$T/xr.out")"
xdotool windowclose "$(deskwin "xlogo (read-only)")"
wait_until 20 sh -c "! kill -0 $vpid 2>/dev/null" || fail "the read-only view runs on: $(cat "$T/xr.out")"
rc=0
wait "$vpid" || rc=$?
[ "$rc" = 0 ] || fail "the view exited $rc: $(cat "$T/xr.out")"
grep -q 'a window closed here is hidden in this view only' "$T/xr.out" || fail "not said: $(cat "$T/xr.out")"
"$TELLY" ls | grep -q "^xr: " || fail "the session went"
echo "a read-only view's: hidden, the view ends 0: ok"
"$TELLY" kill xr >/dev/null
