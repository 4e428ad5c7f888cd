#!/bin/sh
# telly view on a desk Xvfb (x11 backend) takes for a close only a
# WM_PROTOCOLS ClientMessage of WM_DELETE_WINDOW, not any message whose
# first word is that atom (any program on the desk can send one): after
# such a message of another type, typing still reaches the host's program;
# a real WM_DELETE_WINDOW then ends the view with status 0. Before, the
# first one closed it.
. test/integration/lib.sh "$1"
need_progs Xvfb xterm xdotool
"$TELLY" new --x11 -s xs -- xterm -T catwin -geometry 40x8+10+10 -e sh -c "exec cat >$T/typed" ||
	fail "new --x11"
wait_until 20 sh -c "\"$TELLY\" ls | grep -q 'window .*\"catwin\"'"
start_xvfb 1024x768
"$TELLY" view --x11 xs >"$T/view.out" 2>"$T/view.err" &
vp=$!
pids="$pids $vp"
getwid() { wid=$(xdotool search --onlyvisible --name '^telly view$' 2>/dev/null | head -n 1); [ -n "$wid" ]; }
wait_until 20 getwid
typed() { # WORD: typed into catwin, and there
	xdotool mousemove --window "$wid" 120 80 click 1 type "$1"
	xdotool key Return
	grep -q "^$1\$" "$T/typed"
}
wait_until 20 typed first
"$B/test/xclose" "$wid" _TELLY_NOT_PROTOCOLS || fail "xclose of another type"
# (X delivers in order: typing that arrives came after that message.)
wait_until 20 typed second
kill -0 "$vp" 2>/dev/null || fail "the view ended: $(cat "$T/view.err")"
"$B/test/xclose" "$wid" || fail "xclose"
wait_until 20 sh -c "! ps -o stat= -p $vp | grep -q '^[^Z]'"
wait "$vp" || fail "telly view exited $?: $(cat "$T/view.err")"
echo "a ClientMessage of another type is no close; WM_DELETE_WINDOW is: ok"
