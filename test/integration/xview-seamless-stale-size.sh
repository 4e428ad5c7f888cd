#!/bin/sh
# A window the host resizes twice before the seamless desk has carried
# out the first (the desk's X server held with SIGSTOP meanwhile; on a
# live desk, two quick sizes, as two desks of different screens give the
# display): the desk's report of the first size, out of date by then, is
# not taken for the desk's own. Before, it went back to the host as the
# desk's, then the second, and each answer made two more: the window
# flipped between the two sizes for ever (xev on the host window counted
# them, up to a click through the same view that ends the count).
. test/integration/lib.sh "$1"
need_progs xev xprop xdotool xwininfo Xvfb
"$TELLY" new --x11 -s st -- "$B/test/xplace" w 100 100 us || fail "telly new --x11"
listed() { "$TELLY" ls | grep -q "window .* $1 \"w\""; }
wait_until 20 listed 200x100+100+100
wid=$("$TELLY" ls | sed -n 's/^ *window \(0x[0-9a-f]*\) .*"w"$/\1/p')
onhost() {
	DISPLAY=$("$TELLY" ls | sed -n 's/^ *display \(:[0-9]*\).*/\1/p') \
		XAUTHORITY="$TELLY_DIR/x11-st.auth" "$@"
}
start_xvfb 1280x1024
desk=${pids##* }
"$TELLY" view --seamless "" st >"$T/seamless.out" 2>&1 &
pids="$pids $!"
deskwin() { xwininfo -root -tree | sed -n 's/^ *\(0x[0-9a-f]*\) "w".*/\1/p' | head -n 1; }
desk_is() { [ -n "$(deskwin)" ] && xwininfo -id "$(deskwin)" | grep -q "geometry $1"; }
wait_until 20 desk_is 200x100

# xev on the host window, watching once a property change shows.
onhost xev -id "$wid" -event structure -event button -event property >"$T/xev" 2>&1 &
pids="$pids $!"
watched() { onhost xprop -id "$wid" -f XEV_READY 8s -set XEV_READY x; grep -q PropertyNotify "$T/xev"; }
wait_until 10 watched

kill -STOP "$desk"
onhost xdotool windowsize "$wid" 210 110
wait_until 10 listed 210x110+100+100
onhost xdotool windowsize "$wid" 220 120
wait_until 10 listed 220x120+100+100
kill -CONT "$desk"
wait_until 20 desk_is 220x120
# A click through the view: what it sent before reached the host first.
xdotool mousemove --window "$(deskwin)" 5 5 click 1
wait_until 20 grep -q ButtonPress "$T/xev"
sizes=$(sed -n '/ButtonPress/q; s/.*width \([0-9]*\), height \([0-9]*\).*/\1x\2/p' "$T/xev" | paste -sd ' ')
[ "$sizes" = "210x110 220x120" ] || fail "the host window took the sizes $sizes, not 210x110 220x120"
listed 220x120+100+100 || fail "the host window is not 220x120: $("$TELLY" ls | grep '"w"')"
echo "a size the desk carried out late is not sent back as the desk's: ok"
