#!/bin/sh
# Presses into an X program, and what answers them: xpress (xpress.c) draws
# on every press and nothing on a release, as a button's pressed look
# does. A click's wait-update is answered by the press's pixels (it hung
# on the release's, which never come); press and key-down alone hold the
# button or key until release and key-up (shift held over a wheel turn);
# the wheel's left and right (buttons 6, 7) reach the program, from the
# headless script and from the seamless desk's own X display (xdotool);
# the seamless desk stacks two windows as the host does, a click raises
# one on both, and a seamless view started again stacks them so.
. test/integration/lib.sh "$1"
for p in xdotool xwininfo; do
	command -v $p >/dev/null || fail "no $p (make deps installs it)"
done

"$TELLY" new --x11 -s xp -- "$B/test/xpress" "$T/log" || fail "new --x11"
wait_until 20 sh -c "\"$TELLY\" ls | grep -q 'window .*\"xpress\"'"

# Each wait-update waits for the last input's answer; the one after
# 'release 1' holds the click's (its press's) and must not wait for one to
# the release, which xpress never draws.
cat >"$T/in1" <<EOT
wait-window "xpress" 20
click-window 50 40
wait-update 10
press 1
wait-update 10
release 1
wait-update 5
click-window 60 50 6
wait-update 10
click-window 61 51 7
wait-update 10
key-down shift+a
wait-update 10
click-window 70 60 4
wait-update 10
key-up shift+a
wait-update 5
EOT
"$TELLY" view --headless --x11 xp --input "$T/in1" >"$T/l1" 2>"$T/err" ||
	fail "view: $(cat "$T/err")"
# Shift (50) and a (38) held over the wheel turn: its state has Shift (1).
want='button-press 1 50 40
button-release 1 50 40
button-press 1 50 40
button-release 1 50 40
button-press 6 60 50
button-release 6 60 50
button-press 7 61 51
button-release 7 61 51
key-press 50
key-press 38
button-press 4 70 60 1
button-release 4 70 60
key-release 38
key-release 50'
got() { # the log without states, but the wheel's while shift is held
	sed 's/^\(button-press 4 [0-9]* [0-9]*\) \([0-9a-f]*\)$/\1 \2/; t; s/ [0-9a-f]*$//' "$T/log"
}
all_in() { [ "$(got | wc -l)" -ge 14 ]; }
wait_until 10 all_in
[ "$(got)" = "$want" ] || fail "the program heard
$(cat "$T/log")
wanted
$want"

# A second window, then the first raised on the host: the seamless desk
# maps them oldest first and stacks them as the host has them.
"$TELLY" run xp -- "$B/test/xpress" "$T/log2" xtwo || fail "telly run"
wait_until 20 sh -c "\"$TELLY\" ls | grep -q 'window .*\"xtwo\"'"
hostdpy() { "$TELLY" ls | sed -n 's/^ *display \(:[0-9]*\).*/\1/p' | head -n 1; }
hostid() { "$TELLY" ls | sed -n "s/^ *window \(0x[0-9a-f]*\) .* \"$1\".*/\1/p" | head -n 1; }
# (xtwo moved off xpress first, for a click on it later.)
DISPLAY=$(hostdpy) XAUTHORITY="$TELLY_DIR/x11-xp.auth" xdotool windowmove "$(hostid xtwo)" 400 300 \
	windowraise "$(hostid xpress)" || fail "xdotool on the host"
moved() { "$TELLY" ls | grep -q 'window .*+400+300 "xtwo"'; }
wait_until 10 moved

# The seamless desk: its own X display's wheel, left and right, and
# shift+wheel (shift as a key of the desk) reach the program.
start_xvfb 800x600
"$TELLY" view --seamless "" xp >"$T/view.out" 2>&1 &
view=$!
pids="$pids $view"
deskwin() { xwininfo -root -tree | sed -n "s/^ *\(0x[0-9a-f]*\) \"$1\".*/\1/p" | head -n 1; }
has() { [ -n "$(deskwin xpress)" ] && [ -n "$(deskwin xtwo)" ]; }
wait_until 20 has
# xwininfo names the root's children top first.
stacked_as() {
	order=$(xwininfo -root -children | sed -n 's/^ *0x[0-9a-f]* "\(xpress\|xtwo\)".*/\1/p' | tr '\n' ' ')
	echo "the desk's windows, top first: $order"
	[ "$order" = "$1" ]
}
stacked() { stacked_as "xpress xtwo "; }
wait_until 10 stacked
w=$(deskwin xpress)
: >"$T/log"
xdotool mousemove --window "$w" 30 20 click 6 click 7 keydown shift click 5 keyup shift ||
	fail "xdotool"
seen() { grep -q '^key-release 50' "$T/log"; }
wait_until 10 seen
grep -q '^button-press 6 30 20' "$T/log" || fail "no wheel left from the desk: $(cat "$T/log")"
grep -q '^button-press 7 30 20' "$T/log" || fail "no wheel right from the desk: $(cat "$T/log")"
grep -q '^button-press 5 30 20 1$' "$T/log" || fail "no shift+wheel from the desk: $(cat "$T/log")"

# A click on the lower window raises it, on the desk and on the host; a
# seamless view started again stacks them so.
hostorder() {
	DISPLAY=$(hostdpy) XAUTHORITY="$TELLY_DIR/x11-xp.auth" xwininfo -root -children |
		sed -n 's/^ *0x[0-9a-f]* "\(xpress\|xtwo\)".*/\1/p' | tr '\n' ' '
}
xdotool mousemove --window "$(deskwin xtwo)" 20 20 click 1 || fail "xdotool"
raised() {
	h=$(hostorder)
	echo "top first: on the host $h"
	[ "$h" = "xtwo xpress " ] || return 1
	stacked_as "xtwo xpress "
}
wait_until 10 raised
kill "$view"
gone() { [ -z "$(deskwin xpress)" ] && [ -z "$(deskwin xtwo)" ]; }
wait_until 10 gone
"$TELLY" view --seamless "" xp >>"$T/view.out" 2>&1 &
pids="$pids $!"
wait_until 20 has
again() { stacked_as "xtwo xpress "; }
wait_until 10 again
echo "a click answered by its press, keys and buttons held, the wheel's four ways, stacking: ok"
