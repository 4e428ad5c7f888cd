#!/bin/sh
# Seamless: the desk's own restacking reaches the host, and the host's
# comes back without bouncing. Two xpress windows (xpress.c) of one X
# session on a desk Xvfb; a program on the desk (xdotool, as a window
# manager or a pager does) raises the lower one: the host stacks them so
# (xwininfo -root -children on the host's display); the host raising the
# other is followed by the desk, which sends nothing back (xev on the
# host's root), and a desk raise made at once after it reaches the host
# with no later desk event; the desk's focus given
# to a window (xdotool windowfocus) is the host's focus; under a window
# manager on the desk (openbox), the window it activates is raised on
# the host.
. test/integration/lib.sh "$1"
need_progs xdotool xwininfo xprop xev stdbuf

"$TELLY" new --x11 -s xr -- "$B/test/xpress" "$T/log" || fail "new --x11"
wait_until 20 sh -c "\"$TELLY\" ls | grep -q 'window .*\"xpress\"'"
"$TELLY" run xr -- "$B/test/xpress" "$T/log2" xtwo || fail "telly run"
wait_until 20 sh -c "\"$TELLY\" ls | grep -q 'window .*\"xtwo\"'"
hostdpy=$("$TELLY" ls | sed -n 's/^ *display \(:[0-9]*\).*/\1/p' | head -n 1)
[ -n "$hostdpy" ] || fail "no display in telly ls: $("$TELLY" ls)"
onhost() { DISPLAY=$hostdpy XAUTHORITY="$TELLY_DIR/x11-xr.auth" "$@"; }
hostid() { "$TELLY" ls | sed -n "s/^ *window \(0x[0-9a-f]*\) .* \"$1\".*/\1/p" | head -n 1; }
order() { # the windows top first
	xwininfo -root -children | sed -n 's/^ *0x[0-9a-f]* "\(xpress\|xtwo\)".*/\1/p' | tr '\n' ' '
}
onhost xdotool windowmove "$(hostid xtwo)" 400 300 || fail "xdotool on the host"

start_xvfb 1024x768
"$TELLY" view --seamless "" xr >"$T/view.out" 2>&1 &
pids="$pids $!"
deskwin() { xwininfo -root -tree | sed -n "s/^ *\(0x[0-9a-f]*\) \"$1\".*/\1/p" | head -n 1; }
has() { [ -n "$(deskwin xpress)" ] && [ -n "$(deskwin xtwo)" ]; }
wait_until 20 has
both_are() { # ORDER: the host's and the desk's, top first
	h=$(onhost order) d=$(order)
	echo "top first: on the host $h, on the desk $d"
	[ "$h" = "$1" ] && [ "$d" = "$1" ]
}
wait_until 10 both_are "xtwo xpress "

# The desk raises the lower window: the host follows.
xdotool windowraise "$(deskwin xpress)" || fail "xdotool windowraise on the desk"
wait_until 10 both_are "xpress xtwo "

# The host raises the other: the desk follows and sends nothing back.
# Every restack on the host and on the desk is recorded (xev on each
# root). As soon as the desk has followed, the desk raises xpress again,
# while the view still holds back what the desk does (it is carrying out
# the host's raise, for 250 ms): that raise must reach
# the host when the hold ends, with no desk event after it to wait for
# (it waited for one), and anything the desk's following sent back went
# by then. The host must have raised xpress over xtwo once since its
# own raise: the desk's raise; a bounce back of the host's is another.
hx() { printf '0x%x' "$(( $(hostid "$1") ))"; }
xpress_h=$(hx xpress) xtwo_h=$(hx xtwo)
onhost stdbuf -oL xev -root -event substructure -event property >"$T/hostev" 2>&1 &
pids="$pids $!"
stdbuf -oL xev -root -event substructure -event property >"$T/deskev" 2>&1 &
pids="$pids $!"
listening() {
	onhost xprop -root -f TELLY_TEST 8s -set TELLY_TEST x
	xprop -root -f TELLY_TEST 8s -set TELLY_TEST x
	grep -q PropertyNotify "$T/hostev" && grep -q PropertyNotify "$T/deskev"
}
wait_until 10 listening
raised_over() { # WINDOW ABOVE: how often the host raised WINDOW right over ABOVE
	awk -v w="$1," -v a="$2," '
		/^ConfigureNotify/ { n = 1; next }
		n == 1 { win = $4; n = 2; next }
		n == 2 { if (win == w && $4 == a) c++; n = 0 }
		END { print c + 0 }' "$T/hostev"
}
desk_xtwo=$(printf '0x%x' "$(( $(deskwin xtwo) ))")
onhost xdotool windowraise "$(hostid xtwo)" || fail "xdotool windowraise on the host"
# The desk raise follows the desk's own at once (a loop on the record, no
# sleep: the hold is only 250 ms).
end=$(( $(date +%s) + 10 ))
until grep -q "window $desk_xtwo," "$T/deskev"; do
	[ "$(date +%s)" -le "$end" ] || fail "the desk never followed the host's raise"
done
xdotool windowraise "$(deskwin xpress)" || fail "xdotool windowraise on the desk"
wait_until 10 both_are "xpress xtwo "
n=$(raised_over "$xtwo_h" "$xpress_h")
[ "$n" = 1 ] || fail "the host raised xtwo over xpress $n times, not once (its own raise): they bounced"
n=$(raised_over "$xpress_h" "$xtwo_h")
[ "$n" = 1 ] || fail "the host raised xpress over xtwo $n times after raising xtwo: the desk sent the host's raise back"
onhost xdotool windowraise "$(hostid xtwo)" || fail "xdotool windowraise on the host"
wait_until 10 both_are "xtwo xpress "

# Focus given on the desk is the host's.
focus_is() {
	f=$(onhost xdotool getwindowfocus) || return 1
	echo "the host's focus: $f, wanted $(( $1 ))"
	[ "$f" = "$(( $1 ))" ]
}
xdotool windowfocus "$(deskwin xpress)" || fail "xdotool windowfocus on the desk"
wait_until 10 focus_is "$(hostid xpress)"
xdotool windowfocus "$(deskwin xtwo)" || fail "xdotool windowfocus on the desk"
wait_until 10 focus_is "$(hostid xtwo)"
both_are "xtwo xpress " || fail "the stacking moved with the focus"

# A window manager on the desk (openbox: it frames the windows, and
# activates one asked through _NET_ACTIVE_WINDOW): what it raises, the
# host raises. (The desk's root then has its frames: only the host's
# order is read.)
if command -v openbox >/dev/null; then
	openbox --sm-disable >"$T/openbox.log" 2>&1 &
	pids="$pids $!"
	# Both framed: openbox took them (an activation before would be lost).
	framed() { xwininfo -id "$(deskwin "$1")" -children | grep 'Parent window id' | grep -vq 'root window'; }
	managed() { framed xpress && framed xtwo; }
	wait_until 20 managed
	host_is() { h=$(onhost order); echo "top first: on the host $h"; [ "$h" = "$1" ]; }
	xdotool windowactivate "$(deskwin xpress)" || fail "xdotool windowactivate on the desk"
	wait_until 10 host_is "xpress xtwo "
	xdotool windowactivate "$(deskwin xtwo)" || fail "xdotool windowactivate on the desk"
	wait_until 10 host_is "xtwo xpress "
	echo "under openbox: its activation followed on the host: ok"
else
	echo "no openbox (make deps installs it): the desk's window manager not tried"
fi
echo "the desk's restacking and focus followed on the host, the host's on the desk: ok"
