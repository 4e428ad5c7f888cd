#!/bin/sh
# A drag that leaves the window it began in: the button pressed in one
# X window (xpress) and let go over another (xtwo) of the same session,
# or over no window at all (the desk's background), goes, press, motion
# and release, to the first, as X's implicit grab does on any display;
# the release's place is relative to the first (outside it), and the
# other sees nothing. On a desk Xvfb, with telly view --seamless (native
# windows) and with telly's own desktop (where a release over no X
# window was the desk's, and the button stayed down on the host).
. test/integration/lib.sh "$1"
need_progs xdotool xwininfo

"$TELLY" new --x11 -s xr -- "$B/test/xpress" "$T/log" || fail "new --x11"
wait_until 20 sh -c "\"$TELLY\" ls | grep -q 'window .*\"xpress\"'"
"$TELLY" run xr -- "$B/test/xpress" "$T/log2" xtwo || fail "telly run"
wait_until 20 sh -c "\"$TELLY\" ls | grep -q 'window .*\"xtwo\"'"
hostdpy=$("$TELLY" ls | sed -n 's/^ *display \(:[0-9]*\).*/\1/p' | head -n 1)
onhost() { DISPLAY=$hostdpy XAUTHORITY="$TELLY_DIR/x11-xr.auth" "$@"; }
hostid() { "$TELLY" ls | sed -n "s/^ *window \(0x[0-9a-f]*\) .* \"$1\".*/\1/p" | head -n 1; }
# xpress at 60,50 and xtwo at 400,300 on the host (200x150 each): the
# desk's points below are inside the one and the other, framed or not.
onhost xdotool windowmove "$(hostid xpress)" 60 50 || fail "xdotool on the host"
onhost xdotool windowmove "$(hostid xtwo)" 400 300 || fail "xdotool on the host"
start_xvfb 1024x768
AX=120 AY=110

for mode in --seamless --desktop; do
	: >"$T/log"
	: >"$T/log2"
	if [ $mode = --seamless ]; then
		"$TELLY" view --seamless "" xr >"$T/view.out" 2>&1 &
	else
		"$TELLY" view --x11 xr >"$T/view.out" 2>&1 &
	fi
	view=$!
	pids="$pids $view"
	# a click until the first window has it (the view may not show it yet)
	clicked() {
		xdotool mousemove $AX $AY click 1
		grep -q '^button-release 1 ' "$T/log"
	}
	wait_until 30 clicked
	for to in "470 390" "900 700"; do # over xtwo; over no window
		set -- $to
		BX=$1 BY=$2
		: >"$T/log"
		xdotool mousemove $AX $AY mousedown 1 mousemove 300 250 mousemove $BX $BY \
			mouseup 1 || fail "xdotool drag"
		wait_until 10 grep -q '^button-release 1 ' "$T/log"
		set -- $(grep '^button-press 1 ' "$T/log")
		px=$3 py=$4
		set -- $(grep '^button-release 1 ' "$T/log")
		echo "$mode: pressed at $px,$py in xpress, let go at $3,$4 of it"
		[ "$3" -eq $((px + BX - AX)) ] && [ "$4" -eq $((py + BY - AY)) ] ||
			fail "$mode: let go at $3,$4 of xpress, not $((px + BX - AX)),$((py + BY - AY))"
		[ -s "$T/log2" ] && fail "$mode: xtwo got the drag's end: $(cat "$T/log2")"
	done
	kill "$view"
	wait "$view" 2>/dev/null
done
echo "a drag out of its window stays with it, seamless and desktop: ok"
