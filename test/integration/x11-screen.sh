#!/bin/sh
# The host display's size: `telly new --x11 --screen WxH` makes it that
# size (what a program maximizes or centres its windows by); `telly x`
# makes it the desk's own screen size; without either it is 4096x2160.
# Sizes outside 64..8192 pixels a side are refused with the reason.
. test/integration/lib.sh "$1"
need_progs Xvfb xterm xwininfo
start_xvfb 1024x768

hostdpy() { "$TELLY" ls | sed -n "/^$1:/,/^[^ ]/s/^ *display \(:[0-9]*\).*/\1/p" | head -n 1; }
rootsize() { # SESSION: "WxH" of its display's root window
	DISPLAY=$(hostdpy "$1") XAUTHORITY="$TELLY_DIR/x11-$1.auth" xwininfo -root |
		sed -n 's/^ *Width: \([0-9]*\)/\1/p; s/^ *Height: \([0-9]*\)/\1/p' | paste -sd x
}
has_window() { "$TELLY" ls | grep -q "window .*\"$1\""; }

"$TELLY" new --x11 --screen 1280x720 -s big -- xterm -T tbig || fail "telly new --x11 --screen"
"$TELLY" new --x11 -s def -- xterm -T tdef || fail "telly new --x11"
wait_until 20 has_window tbig
wait_until 20 has_window tdef
got=$(rootsize big)
[ "$got" = 1280x720 ] || fail "--screen 1280x720 made a display of $got"
grep -q "session big started: an X display (X[a-z]* pid [0-9]*) of 1280x720 for xterm" "$TELLY_DIR/serve.log" ||
	fail "serve.log does not say the display's size: $(grep 'session big' "$TELLY_DIR/serve.log")"
got=$(rootsize def)
[ "$got" = 4096x2160 ] || fail "the default display is $got, not 4096x2160"

# telly x: the desk's screen (this Xvfb, 1024x768).
"$TELLY" x -s desk -- xterm -T tdesk >"$T/x.out" 2>&1 &
pids="$pids $!"
wait_until 20 has_window tdesk
got=$(rootsize desk)
[ "$got" = 1024x768 ] || fail "telly x on a 1024x768 desk made a display of $got"

# Refused, with the reason, before anything starts.
refused() { # WHAT CMD...: exits 2 naming the bound
	what=$1
	shift
	if "$@" >"$T/out" 2>&1; then fail "$what was accepted"; fi
	cat "$T/out"
}
for bad in 10x10 9000x600 800x 800 x600 -800x600 800x600x1; do
	refused "--screen $bad" "$TELLY" new --x11 --screen "$bad" -s nope -- xterm
	grep -q "64 to 8192" "$T/out" || fail "--screen $bad: no reason given: $(cat "$T/out")"
	refused "telly x --screen $bad" "$TELLY" x --screen "$bad" -s nope -- xterm
	grep -q "64 to 8192" "$T/out" || fail "telly x --screen $bad: no reason given: $(cat "$T/out")"
done
refused "--screen without --x11" "$TELLY" new --screen 800x600 -s nope
grep -q "with --x11" "$T/out" || fail "--screen on a terminal session: $(cat "$T/out")"
# The host checks too, whoever asks: OPEN CREATE|EXCL|X11|SCREEN of 9000x600.
out=$("$B/test/rp-poke" "$TELLY_DIR/serve.sock" hello frame 6 \
	000000019300046e6f70650000000000000000232802580000)
case "$out" in
*"code=9"*"an X display of 9000x600 pixels: each side must be 64 to 8192"*) ;;
*) fail "the host took a 9000x600 display: $out" ;;
esac
if "$TELLY" ls | grep -q "^nope:"; then fail "a refused session was started"; fi
echo "the host display's size: --screen, the desk's for telly x, 4096x2160 otherwise, bad sizes refused: ok"
