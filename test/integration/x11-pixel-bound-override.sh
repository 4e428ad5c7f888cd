#!/bin/sh
# An override-redirect window (a menu, a tooltip) that the host does not
# read (its picture would pass the pixels' bound, as x11-pixel-bound's
# managed window) is said as a managed one is: telly ls and the view's
# stderr said it already, and telly view draws the notice in its place
# (it has no frame to say it in; before, nothing was drawn there and the
# windows below it showed, as if no menu had opened). Once room comes it
# is read and drawn, the notice gone.
. test/integration/lib.sh "$1"
need_progs Xvfb
. test/integration/xhostile.inc
probed b "$T/p" 4 --screen 1920x1080
over() { f=$(flags "$1"); [ -n "$f" ] && [ $((f & 128)) -ne 0 ]; } # XWIN's OVER_BOUND
read_again() { f=$(flags "$1"); [ -n "$f" ] && [ $((f & 128)) -eq 0 ] && drawn "$1" "$T/p"; }

hostile big windows 8 1900 1000 big
for i in 0 1 2 3 4 5 6 7; do wait_until 20 drawn "big $i" "$T/p"; done
# The menu at 0,0 of the host, 1900x1000: over the whole 1024x768 view.
hostile late overrides 1 1900 1000 menu
wait_until 20 over "menu 0"
"$TELLY" ls | grep -q "window .*\"menu 0\" not shown: too large for the host's pixel budget" ||
	fail "telly ls does not say it: $("$TELLY" ls)"

shot() { # PNG: a view's picture, taken once every window is drawn or said
	timeout -k 5 50 "$TELLY" view --headless -r --x11 b --screenshot "$1" >"$T/legend" 2>"$T/view.err" ||
		fail "the view failed: $(cat "$T/view.err")"
}
shot "$T/over.png"
grep -q 'window 0x[0-9a-f]* "menu 0" (1900x1000) not shown: too large' "$T/view.err" ||
	fail "the view did not say it: $(cat "$T/view.err")"
# In its place (away from the pointer, in the middle): black (below it,
# the windows' blue), and the notice's white text along its top (past
# the title of the window below, "big 7").
n=$("$PROBE" "$T/over.png" count 100 200 300 150 000000)
[ "$n" -eq 45000 ] || fail "the menu's place is not black ($n of 45000 pixels)"
n=$("$PROBE" "$T/over.png" count 100 0 400 60 ffffff)
[ "$n" -gt 50 ] || fail "no notice in the menu's place ($n white pixels)"
echo "the view draws the notice in the menu's place: ok"

# Room: the four go, the menu is read and drawn, its notice gone.
echo "close $(win "big 0")" >&4 # (its client killed: the eight go)
wait_until 20 read_again "menu 0"
shot "$T/read.png"
n=$("$PROBE" "$T/read.png" count 100 0 400 60 ffffff)
[ "$n" -eq 0 ] || fail "the notice stayed once the menu was read ($n white pixels)"
grep -q 'not shown' "$T/view.err" && fail "a new view still said it: $(cat "$T/view.err")"
echo "read again: drawn, not said: ok"
