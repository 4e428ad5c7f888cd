#!/bin/sh
# A window whose program draws its own title bar (GTK's header bar: a
# file chooser here, gnome apps, gtk3-demo) is dragged by it on the desk,
# as under ssh -X: the program asks its window manager to move it
# (EWMH's _NET_WM_MOVERESIZE), and telly's host has the desk's window
# manager (openbox) do it, the host's window following. Before, the host
# said nothing of it, so GTK moved the window itself on the host (twice
# as far: the pointer goes in relative to the window), and the desk's
# window stayed where it was. A click after the drag works (the button
# the window manager took is not left down on the host). The desk's
# window manager draws no title bar of its own around it (the program
# asked for none: _MOTIF_WM_HINTS), where it drew a second one.
. test/integration/lib.sh "$1"
need_progs Xvfb zenity openbox xdotool xwininfo xprop
x_config "$XDG_CONFIG_HOME"
# GTK's dialogs with a header bar (GNOME's default; the host's programs
# read the daemon's XDG_CONFIG_HOME).
mkdir -p "$XDG_CONFIG_HOME/gtk-3.0"
printf '[Settings]\ngtk-dialogs-use-header=true\n' >"$XDG_CONFIG_HOME/gtk-3.0/settings.ini"
start_xvfb 1280x1024
openbox --sm-disable >"$T/openbox.log" 2>&1 &
pids="$pids $!"
wait_until 20 sh -c 'xprop -root _NET_SUPPORTING_WM_CHECK | grep -q "window id"'

"$TELLY" x -s fc -- zenity --file-selection >"$T/x.out" 2>&1 &
xpid=$!
pids="$pids $xpid"
# the chooser's desk window: its id, size and place on the root
deskwin() {
	xwininfo -root -tree |
		sed -n 's/^ *\(0x[0-9a-f]*\) "[^"]*": ("zenity" "Zenity")  \([0-9]\{3,\}\)x\([0-9]*\)+[-0-9]*+[-0-9]*  +\([-0-9]*\)+\([-0-9]*\)$/\1 \2 \3 \4 \5/p' |
		head -n 1
}
shown() { [ -n "$(deskwin)" ] && "$TELLY" ls | grep -q "^  window .* 1[0-9]*x[0-9]*+"; }
wait_until 30 shown || fail "no file chooser on the desk: $(cat "$T/x.out")"
set -- $(deskwin)
w=$1 ww=$2 x0=$4 y0=$5
at() { set -- "$1" $(deskwin); [ $# = 6 ] && [ "$5 $6" = "$1" ]; }
moved() { [ -n "$(deskwin)" ] && ! at "$x0 $y0"; }

# One title bar, its own: the desk's window manager draws none, as the
# program asked (_MOTIF_WM_HINTS; before, openbox framed it: two).
xprop -id "$w" _MOTIF_WM_HINTS | grep -q "= 0x2, 0x0," ||
	fail "the desk window does not ask for no decorations: $(xprop -id "$w" _MOTIF_WM_HINTS)"
wait_until 20 sh -c "xprop -id $w _NET_FRAME_EXTENTS | grep -q '= 0, 0, 0, 0'" ||
	fail "framed on the desk: $(xprop -id "$w" _NET_FRAME_EXTENTS)"
echo "one title bar, the program's own: ok"

# Its header bar's middle (no button there), dragged by 200, 100.
px=$((x0 + ww / 2)) py=$((y0 + 18))
xdotool mousemove "$px" "$py" mousedown 1
xdotool mousemove $((px + 20)) $((py + 10))
# The window manager moves it on the pointer's motion once it has the
# drag: the pointer is nudged until it does.
step=0
nudge() {
	step=$((step + 1))
	xdotool mousemove $((px + 40 + step % 2)) $((py + 20))
	moved
}
wait_until 20 nudge || {
	xdotool mouseup 1
	fail "the desk window did not move: $(deskwin); on the host: $("$TELLY" ls | grep '^  window')"
}
xdotool mousemove $((px + 200)) $((py + 100))
wait_until 20 at "$((x0 + 200)) $((y0 + 100))" || fail "not where the pointer took it: $(deskwin)"
xdotool mouseup 1
host_at() { "$TELLY" ls | grep -q "^  window .*+$((x0 + 200))+$((y0 + 100)) \"[^\"]*\"$"; }
wait_until 20 host_at || fail "the host's window is not where the desk's is: $("$TELLY" ls)"
echo "the header bar dragged by 200,100: the desk window and the host's with it: ok"

# Its Cancel button (the header bar's left end), clicked: zenity ends 1.
xdotool mousemove $((x0 + 200 + 30)) $((y0 + 100 + 18)) click 1
wait_until 20 sh -c "! kill -0 $xpid 2>/dev/null" || fail "Cancel did nothing: $(cat "$T/x.out")"
rc=0
wait "$xpid" || rc=$?
[ "$rc" = 1 ] || fail "telly x exited $rc, not zenity's 1 for Cancel: $(cat "$T/x.out")"
echo "a click after the drag: Cancel, zenity ends 1: ok"
