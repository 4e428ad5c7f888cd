#!/bin/sh
# A GTK program on an X session's display does not load Mesa: GTK 3
# initialises GLX at its start to choose its visuals unless the root's
# GDK_VISUALS names them, and a session's display is new (the first GTK
# program on it paid 50 MB, zenity 111 MB against 60 MB). telly names
# them, so zenity's memory holds no swrast_dri.so; and a program that
# draws with GLX (glxgears) still runs there and draws.
. test/integration/lib.sh "$1"
need_progs zenity glxgears

mkdir -p "$XDG_CONFIG_HOME/telly"
gtk_no_gl() { # SERVER
	title=gtk-no-gl-$$
	NO_AT_BRIDGE=1 "$TELLY" new --x11 -s g -- zenity --entry --title="$title" >"$T/new.out" 2>&1 ||
		fail "telly new --x11: $(cat "$T/new.out")"
	wait_until 30 sh -c "\"$TELLY\" ls | grep -q 'window .*\"$title\"'"
	pid=$(pgrep -n -f -- "--title=$title")
	[ -n "$pid" ] || fail "no zenity process"
	maps=$(cat "/proc/$pid/maps") || fail "zenity's maps unread"
	echo "$1: zenity: $(awk '/^VmRSS:/ { print $2, $3 }' "/proc/$pid/status")"
	case $maps in *swrast_dri*) fail "$1: zenity loaded Mesa's swrast_dri.so on the session's display" ;; esac
	"$TELLY" ls | grep -q 'window .*"glxgears"' && fail "a glxgears window before one ran"

	# GLX is still there for a program that draws with it: its window shows
	# and it counts its frames (every 5 s).
	rm -f "$T/gears"
	"$TELLY" run g -- sh -c "exec glxgears >'$T/gears' 2>&1" >"$T/run.out" 2>&1 ||
		fail "telly run glxgears: $(cat "$T/run.out")"
	wait_until 30 sh -c "\"$TELLY\" ls | grep -q 'window .*\"glxgears\"'"
	wait_until 30 grep -q 'frames in' "$T/gears"
	echo "$1: zenity without Mesa, glxgears drew: $(grep 'frames in' "$T/gears" | head -n 1)"
}
# Each server telly may run: Xorg's (auto, where the dummy driver is), Xvfb.
servers=xvfb
[ -e /usr/lib/xorg/modules/drivers/dummy_drv.so ] && servers="auto xvfb"
for srv in $servers; do
	echo "x-server $srv" >"$XDG_CONFIG_HOME/telly/config"
	gtk_no_gl "$srv"
	[ "$srv" = xvfb ] && { grep 'session g started' "$TELLY_DIR/serve.log" | tail -n 1 | grep -q '(Xvfb pid' ||
		fail "the session did not run on Xvfb"; }
	# The next server is the next daemon's.
	"$TELLY" kill g >/dev/null 2>&1
	wait_until 20 daemon_gone
done
