#!/bin/sh
# Ctrl held on the desk (x11 backend on its own Xvfb, keys from xdotool)
# in an X window that closes on the key typed with it; Ctrl let go after
# the window is gone: the host must let it go too, so "b" typed into
# another window then does not come as ^B.
. test/integration/lib.sh "$1"
need_progs xterm xdotool
fail() {
	echo "FAIL: $*"
	echo "--- view:"
	tail -n 20 "$T/view.err"
	echo "--- typed:"
	od -c "$T/typed"
	exit 1
}
"$TELLY" new --x11 -s xs -- xterm -T catwin -geometry 40x8+10+300 -e sh -c "exec cat >$T/typed" ||
	fail new
wait_until 20 sh -c "\"$TELLY\" ls | grep -q 'window .*\"catwin\"'" || fail "no catwin"
"$TELLY" run xs -- xterm -T closer -geometry 40x8+10+10 \
	-e sh -c 'stty raw -echo; dd bs=1 count=1 of=/dev/null 2>/dev/null' || fail run
wait_until 20 sh -c "\"$TELLY\" ls | grep -q 'window .*\"closer\"'" || fail "no closer"
start_xvfb 1024x768
"$TELLY" view --x11 xs >"$T/view.out" 2>"$T/view.err" &
pids="$pids $!"
getwid() { wid=$(xdotool search --onlyvisible --name . 2>/dev/null | head -n 1); [ -n "$wid" ]; }
wait_until 20 getwid || fail "no view window"
typed_a() {
	xdotool mousemove --window "$wid" 120 380 click 1 key a Return
	grep -q '^a$' "$T/typed"
}
wait_until 20 typed_a || fail "typing does not reach catwin"
xdotool mousemove --window "$wid" 120 80 click 1
xdotool keydown Control_L
# One ^C, then its effect awaited: a c typed again while `telly ls`
# still lists the closer (a loaded machine) goes to catwin once the
# closer is gone, where nothing held Ctrl any more, as a plain c.
xdotool key c
closed() { ! "$TELLY" ls | grep -q 'window .*"closer"'; }
wait_until 20 closed || fail "closer did not close"
xdotool keyup Control_L
n0=$(wc -c <"$T/typed")
typed_b() {
	xdotool mousemove --window "$wid" 120 380 click 1 key b Return
	[ "$(wc -c <"$T/typed")" -gt "$n0" ]
}
wait_until 20 typed_b || fail "nothing came after"
wait_until 5 grep -q '^b' "$T/typed" || fail "b came with ctrl held"
echo ok
