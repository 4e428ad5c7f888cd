#!/bin/sh
# The host display follows the desk's size while a view runs (XSCREEN),
# as xpra's does. A desktop view on a desk Xvfb whose window is resized
# in steps, as a drag does: the host display ends at the last size
# (xdpyinfo), its maximized window too. A seamless view on a desk Xorg
# (dummy driver) whose screen changes through RANDR (xrandr --fb, twice
# at once): the host follows to the last. An XSCREEN outside 64..8192 is
# refused with LIMIT and changes nothing.
. test/integration/lib.sh "$1"
need_progs xterm xdpyinfo xwininfo xdotool xrandr Xvfb xauth mcookie
. test/integration/xhost.inc
until_or() { # SECONDS WHY CMD...: fail with WHY (evaluated then) when CMD is not true in time
	uo_end=$(( $(date +%s) + $1 ))
	uo_why=$2
	shift 2
	while ! "$@"; do
		[ "$(date +%s)" -le "$uo_end" ] || fail "$(eval "echo \"$uo_why\"")"
		sleep 0.05
	done
}
follows() { # SESSION WxH: the display and its maximized window tmax have that size
	until_or 20 'the host display is $(dims '"$1"'), not '"$2" is_dims "$1" "$2"
	until_or 20 'the maximized window is $(geom '"$1"' tmax), not 0 0 '"${2%x*} ${2#*x}" \
		is_geom "$1" tmax "0 0 ${2%x*} ${2#*x}"
}

"$TELLY" new --x11 --screen 1000x700 -s fs -- xterm -T tmax || fail "telly new --x11"
wait_until 20 has_window tmax
grep -q "session fs started: an X display (Xorg" "$TELLY_DIR/serve.log" || fail "not on Xorg"
onhost fs xdotool search --name '^tmax$' windowmove 0 0 windowsize 1000 700
wait_until 10 is_geom fs tmax "0 0 1000 700"

# Desktop: the view's window dragged bigger in steps.
start_xvfb 1600x1200
"$TELLY" view --x11 fs >"$T/view.log" 2>&1 &
vpid=$!
pids="$pids $vpid"
getwid() { wid=$(xdotool search --name '^telly view$' 2>/dev/null | head -n 1); [ -n "$wid" ]; }
wait_until 20 getwid || fail "no view window: $(cat "$T/view.log")"
wait_until 20 sh -c "'$TELLY' ls | grep -q '1 viewer'" || fail "the view did not attach"
# The view's desktop is its window (1024x768 on this desk): the display
# takes it; tmax maximized on the desk (ctrl+shift+m) fills the desktop
# but for the decoration, and the host window with it.
until_or 20 'the host display is $(dims fs), not 1024x768' is_dims fs 1024x768
until_or 20 'tmax was not drawn: $(cat "$T/view.log")' sh -c "'$TELLY' ls | grep -q 'window .*\"tmax\"'"
xdotool windowfocus --sync "$wid" key ctrl+shift+m
boxed() { set -- $(geom fs tmax); [ "$3" -lt 1024 ] && [ "$4" -lt 768 ]; }
until_or 20 'tmax was not maximized on the desk: $(geom fs tmax)' boxed
set -- $(geom fs tmax)
mx=$1 my=$2 dw=$((1024 - $3)) dh=$((768 - $4))
maxed() { # SESSION WxH: the display has that size, tmax fills it as on the desk
	until_or 20 'the host display is $(dims '"$1"'), not '"$2" is_dims "$1" "$2"
	until_or 20 'the maximized window is $(geom '"$1"' tmax), not '"$mx $my $((${2%x*} - dw)) $((${2#*x} - dh))" \
		is_geom "$1" tmax "$mx $my $((${2%x*} - dw)) $((${2#*x} - dh))"
}
for s in 900x650 950x680 1000x700 1050x740 1100x760; do
	xdotool windowsize "$wid" "${s%x*}" "${s#*x}" || fail "xdotool windowsize"
done
maxed fs 1100x760
# And smaller, again in steps.
for s in 1000x700 900x640 820x610; do
	xdotool windowsize "$wid" "${s%x*}" "${s#*x}" || fail "xdotool windowsize"
done
maxed fs 820x610
grep -q "display :[0-9]* is now 820x610" "$TELLY_DIR/serve.log" || fail "serve.log does not say 820x610"
kill "$vpid"
wait "$vpid" 2>/dev/null
echo "desktop: the host display follows the view's window, a window maximized there too: ok"
# The host's own maximized window (0 0 at the display's size) for the seamless part.
onhost fs xdotool search --name '^tmax$' windowmove 0 0 windowsize 820 610
wait_until 10 is_geom fs tmax "0 0 820 610"

# Seamless on a desk Xorg (dummy driver): its screen changed with xrandr.
mkdir -p "$T/xorg.d"
cat >"$T/xorg.d/xorg.conf" <<'EOF'
Section "ServerFlags"
	Option "AutoAddDevices" "false"
	Option "AutoEnableDevices" "false"
	Option "AutoAddGPU" "false"
	Option "DontVTSwitch" "true"
EndSection
Section "Device"
	Identifier "desk"
	Driver "dummy"
	VideoRam 65536
EndSection
Section "Monitor"
	Identifier "desk"
	HorizSync 1.0-1000.0
	VertRefresh 1.0-200.0
EndSection
Section "Screen"
	Identifier "desk"
	Device "desk"
	Monitor "desk"
	DefaultDepth 24
	SubSection "Display"
		Depth 24
		Virtual 2048 2048
	EndSubSection
EndSection
EOF
rm -f "$T/xorg.dpy"
# A cookie, so that the desk Xorg takes no other local user's clients
# while the test runs. The server reads every entry of its -auth file,
# whatever display it names; clients look for their display's, added
# once the server says which it is.
cookie=$(mcookie)
(umask 077 && : >"$T/desk.auth")
xauth -f "$T/desk.auth" add :0 . "$cookie" || fail "xauth add"
/usr/lib/xorg/Xorg -displayfd 3 -auth "$T/desk.auth" -nolisten tcp -noreset -novtswitch vt62 \
	-config /dev/null -configdir "$T/xorg.d" -logfile /dev/null 3>"$T/xorg.dpy" >"$T/xorg.log" 2>&1 &
pids="$pids $!"
wait_until 20 test -s "$T/xorg.dpy" || fail "the desk Xorg did not start: $(tail -n 5 "$T/xorg.log")"
DISPLAY=:$(cat "$T/xorg.dpy")
xauth -f "$T/desk.auth" add "$DISPLAY" . "$cookie" || fail "xauth add $DISPLAY"
XAUTHORITY=$T/desk.auth
export DISPLAY XAUTHORITY
if XAUTHORITY=/dev/null xdpyinfo >/dev/null 2>&1; then fail "the desk Xorg takes a client without its cookie"; fi
xrandr --output DUMMY0 --mode 1280x1024 || fail "xrandr --mode"
"$TELLY" view --seamless --x11 fs >"$T/sview.log" 2>&1 &
vpid=$!
pids="$pids $vpid"
follows fs 1280x1024
xrandr --fb 1400x1100 || fail "xrandr --fb 1400x1100"
xrandr --fb 1350x1080 || fail "xrandr --fb 1350x1080"
follows fs 1350x1080
echo "seamless: the host display follows the desk display's RANDR screen: ok"

# The host checks the size, whoever sends it: 9000x600 is LIMIT.
mkdir -p "$T/probe"
mkfifo "$T/probe/cmd"
"$B/test/xprobe" "$TELLY_DIR/serve.sock" fs "$T/probe" <"$T/probe/cmd" >"$T/probe/out" 2>"$T/probe/err" &
pids="$pids $!"
exec 3>"$T/probe/cmd"
wait_until 20 grep -q tmax "$T/probe/windows" || fail "the probe desk did not attach"
echo "raw 53 23280258" >&3
wait_until 20 grep -q "error 9: XSCREEN of 9000x600 pixels: each side must be 64 to 8192" "$T/probe/err" ||
	fail "an XSCREEN of 9000x600 was not refused: $(cat "$T/probe/err")"
exec 3>&-
[ "$(dims fs)" = 1350x1080 ] || fail "a refused size changed the display: $(dims fs)"
echo "XSCREEN out of bounds: refused, nothing changed: ok"
