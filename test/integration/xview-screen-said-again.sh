#!/bin/sh
# A desk that says again the screen size it gave (a view whose link came
# back does: its XSCREEN may have been lost with the link) is not taken
# as used: the display keeps the size of the desk used since. Here the
# probe desk gives 1280x1024, a plain view of 800x600 attaches and is in
# use, the probe says 1280x1024 again; a third view of 1024x768 comes
# and goes, and the display goes back to the plain view's 800x600.
# Before, the size said again made the probe the desk in use: the
# display went to 1280x1024 (under a loaded make test, a seamless view's
# XSCREEN after its resume came after a key typed in a plain view, and
# took the display back: reconnect-view-xscreen failed).
. test/integration/lib.sh "$1"
need_progs xterm xdpyinfo xwininfo
. test/integration/xhost.inc

"$TELLY" new --x11 -s ss -- xterm -T tmax -maximized || fail "telly new --x11"
"$TELLY" run ss -- xterm -T tsmall -geometry 20x4+10+10 || fail "telly run"
wait_until 20 has_window tmax
wait_until 20 has_window tsmall
xprobe_start "$T/p" ss
exec 3>"$T/p/cmd"
probe_has() { grep -q " tsmall" "$T/p/windows" 2>/dev/null; }
wait_until 20 probe_has
small=$(grep " tsmall" "$T/p/windows" | head -n 1 | cut -d' ' -f1)

# XSCREEN (53): u16 width, u16 height; 1280x1024
echo "raw 53 05000400" >&3
wait_until 20 is_dims ss 1280x1024
mkfifo "$T/keys" "$T/keys2"
exec 5<>"$T/keys" 6<>"$T/keys2"
printf 'wait-window "tmax" 20\n' >"$T/in"
"$TELLY" view --headless --size 800x600 --input "$T/in" --key-fd 5 --x11 ss >"$T/plain.out" 2>&1 &
pids="$pids $!"
wait_until 20 is_dims ss 800x600

# The probe says its size again; its move of tsmall after it, seen on the
# host, says the daemon has handled it.
echo "raw 53 05000400" >&3
set -- $(geom ss tsmall)
echo "move $small 100 120 $3 $4" >&3
wait_until 20 is_geom ss tsmall "100 120 $3 $4"

"$TELLY" view --headless --size 1024x768 --input "$T/in" --key-fd 6 --x11 ss >"$T/third.out" 2>&1 &
third=$!
pids="$pids $third"
wait_until 20 is_dims ss 1024x768
kill "$third"
end=$(( $(date +%s) + 20 ))
until is_dims ss 800x600; do
	[ "$(date +%s)" -le "$end" ] ||
		fail "the display is $(dims ss), not the 800x600 of the desk in use: the size said again took it"
	sleep 0.05
done
echo "a desk's size said again is not a use: ok"
