#!/bin/sh
# A window the host does not read (its picture would pass 4 screens' worth
# of pixels held: xdisplay's bound, as x11-hostile shows) is said to the
# desks, not only in serve.log (before: an empty frame, and a script that
# waited for it waited until its timeout):
# - XWIN carries OVER_BOUND (the probe desk's flags);
# - telly ls says it after the window's line;
# - a view script's wait-window for it fails at once, naming the window;
# - telly view draws a notice in its frame; --seamless puts it after the
#   desk window's title;
# - a view's --screenshot, taken once every window is drawn, is taken
#   (before: it waited for this one for ever);
# - once the windows before it go, it is read: the flag, the notice and
#   the title's words go, and it is drawn.
. test/integration/lib.sh "$1"
need_progs Xvfb xwininfo
. test/integration/xhostile.inc
probed b "$T/p" 4 --screen 1920x1080
over() { f=$(flags "$1"); [ -n "$f" ] && [ $((f & 128)) -ne 0 ]; } # XWIN's OVER_BOUND
read_again() { f=$(flags "$1"); [ -n "$f" ] && [ $((f & 128)) -eq 0 ] && drawn "$1" "$T/p"; }
ls_says() { "$TELLY" ls | grep -q "window .*\"late 0\" not shown: too large for the host's pixel budget"; }

hostile big windows 8 1900 1000 big
for i in 0 1 2 3 4 5 6 7; do wait_until 20 drawn "big $i" "$T/p"; done
hostile late windows 1 1900 1000 late
wait_until 20 over "late 0"
drawn "late 0" "$T/p" && fail "the window past the bound was drawn: $(cat "$T/p/windows")"
echo "a window past the bound: told to the desk (XWIN OVER_BOUND): ok"
ls_says || fail "telly ls does not say it: $("$TELLY" ls)"
echo "telly ls says it: ok"

printf 'wait-window "late 0" 60\n' >"$T/in-w"
start=$(date +%s)
timeout -k 5 50 "$TELLY" view --headless -r --x11 b --input "$T/in-w" >/dev/null 2>"$T/view-w.err" &&
	fail "wait-window for it did not fail"
took=$(($(date +%s) - start))
grep -q "input line 1: window 0x[0-9a-f]* \"late 0\" of b (1900x1000) is not shown: too large for the host's pixel budget" \
	"$T/view-w.err" || fail "no clear error: $(cat "$T/view-w.err")"
[ "$took" -lt 30 ] || fail "wait-window failed only after $took s"
echo "a script's wait-window for it fails at once, naming it ($took s): ok"

# (--screenshot: once every window is drawn, this one's notice too)
timeout -k 5 50 "$TELLY" view --headless -r --x11 b --screenshot "$T/shot.png" >"$T/legend" 2>"$T/view-s.err" ||
	fail "the view failed: $(cat "$T/view-s.err")"
grep -q 'not shown: too large' "$T/view-s.err" || fail "the view did not say it: $(cat "$T/view-s.err")"
set -- $(sed -n 's/^xwindow .* client \([-0-9]*\) \([-0-9]*\) [0-9]* [0-9]* title "late 0".*/\1 \2/p' "$T/legend")
[ $# -eq 2 ] || fail "no late 0 in the view: $(cat "$T/legend")"
n=$("$PROBE" "$T/shot.png" other "$1" "$2" 400 40 000000)
[ "$n" -gt 50 ] || fail "no notice in its frame ($n pixels not black at $1,$2): $(cat "$T/legend" "$T/view-s.err")"
echo "the view draws a notice in its frame: ok"

start_xvfb 1280x1024
"$TELLY" view --seamless -r "" b >"$T/view-m.out" 2>&1 &
vm=$!
pids="$pids $vm"
titled() { xwininfo -root -tree | grep -q "\"$1\""; }
wait_until 20 titled "late 0 (not shown: too large for the host's pixel budget: 1900x1000) (read-only)"
echo "--seamless says it after the desk window's title: ok"

echo "close $(win "big 0")" >&4 # (its client killed: the eight go)
wait_until 20 read_again "late 0"
wait_until 20 titled "late 0 (read-only)"
titled "late 0 (not shown.*" && fail "the seamless title still says it"
ls_says && fail "telly ls still says it: $("$TELLY" ls)"
kill -0 "$vm" || fail "the seamless view ended: $(cat "$T/view-m.out")"
echo "room again: read, drawn, and no longer said: ok"
