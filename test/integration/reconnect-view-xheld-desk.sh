#!/bin/sh
# A key held on the desk (x11 backend on its own Xvfb, keys from
# xdotool) in an X window while the link is lost, let go on the desk
# after the resume: the host must let it go too. The view makes the
# window anew on resuming; the release still goes, to the window the
# press went to, so "b" typed after comes unshifted ("a Q B" is wrong).
. test/integration/lib.sh "$1"
need_progs xterm xdotool
. test/integration/viewlink.inc
fail() {
	echo "--- typed:"
	cat "$T/typed"
	view_fail "$@"
}
desk_link_view 40x8+10+10
xdotool keydown Shift_L
xdotool key q Return
wait_until 10 grep -q '^Q$' "$T/typed" || fail "Q"
ctl stall
wait_until 10 grep -q '^stall' "$T/proxy.log" || fail "no stall"
wait_until 40 grep -q 'X session resumed' "$T/view.err" || fail "no resume"
xdotool keyup Shift_L
# The window is made anew on resuming: click until typing reaches it.
typed_b() {
	xdotool mousemove --window "$wid" 150 120 click 1 key b Return
	grep -qi '^b$' "$T/typed"
}
wait_until 20 typed_b || fail "b never came"
grep -q '^B$' "$T/typed" && fail "shift stayed down on the host after the desk let it go: got B"
echo "ok: shift let go on the host too"
