#!/bin/sh
# The X11 bench's meter, xkey2pixel, counts what a user sees: against an
# xterm running cat on Xvfb every injected key is a change of pixels (and
# the keys really arrive: cat's line shows them); against an xterm whose
# program echoes nothing, no key is counted as drawn (no false change);
# its scroll mode counts frames of a scrolling xterm and none of a still
# one. Timing itself is never asserted.
. test/integration/lib.sh "$1"
X2P=$B/bin/xkey2pixel
[ -x "$X2P" ] || fail "no $X2P (make builds it)"
command -v xterm >/dev/null || fail "no xterm (make deps installs it)"
start_xvfb 1024x768

# Keys into cat: 10 timed keys, a and b in turn, then Return (untimed);
# cat echoes the line to a file too, where the keys must all be.
xterm -title x2p-echo -geometry 80x24+0+0 -e sh -c "cat | tee '$T/typed'" &
pids="$pids $!"
"$X2P" keys --name x2p-echo --count 10 --gap 10:20 --reset return --reset-every 10 >"$T/keys" 2>"$T/err" ||
	fail "keys: $(cat "$T/err")"
cat "$T/keys"
set -- $(sed -n 's/^keys //p' "$T/keys")
[ "${3:-}" = 10 ] || fail "not 10 keys measured: $(cat "$T/keys")"
[ "$(sed -n 's/^samples //p' "$T/keys" | wc -w)" = 10 ] || fail "not 10 raw samples"
wait_until 10 grep -q '^ababababab$' "$T/typed"

# Keys into a program that draws nothing: every key times out. The
# xterm does draw for the focus the meter gives it (its cursor filled),
# when it gets round to it: here a second late (stopped, as a loaded
# machine may leave it), which must not be taken for the key's drawing.
xterm -title x2p-still -geometry 80x24+500+0 -e sh -c "stty -echo; exec sleep 600" &
still=$!
pids="$pids $still"
"$X2P" wait --name x2p-still >/dev/null || fail "no still xterm"
kill -STOP $still
"$X2P" keys --name x2p-still --count 1 >"$T/keys2" 2>"$T/err2" &
meter=$!
pids="$pids $meter"
sleep 1 # the xterm's lateness: time has to pass
kill -CONT $still
if wait $meter; then
	fail "a key that changed no pixel was counted: $(cat "$T/keys2")"
fi
grep -q 'changed no pixel' "$T/err2" || fail "no clear error: $(cat "$T/err2")"

# Scrolling: frames while ticker prints, none from the still window.
xterm -title x2p-scroll -geometry 80x24+0+400 -e "$B/bin/ticker" 5 &
pids="$pids $!"
r=$("$X2P" scroll --name x2p-scroll --seconds 1 --proc "prog=$!") || fail "scroll"
echo "$r"
set -- $r
[ "$3" -gt 0 ] || fail "no frames counted while scrolling: $r"
r=$("$X2P" scroll --name x2p-still --seconds 1) || fail "scroll of the still window"
set -- $r
[ "$3" = 0 ] || fail "frames counted in a window where nothing moved: $r"

# A window that is not there: a clear error, soon.
"$X2P" wait --name no-such-window --timeout 1 2>"$T/err3" && fail "found a window that does not exist"
grep -q 'no viewable window titled "no-such-window"' "$T/err3" || fail "unclear: $(cat "$T/err3")"
echo "ok"
