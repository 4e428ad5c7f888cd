#!/bin/sh
# What an X program does to its display reaches the daemon through the X
# server; a broken or hostile one (test/integration/xhostile.c) gets what
# it asked for and no more, and the desks go on:
# - a window reparented from inside another to the root is shown at its
#   size, with its own pixels (before: told 1x1, and read so, for as long
#   as its program did not resize it);
# - two windows transient for each other (two override-redirect ones
#   too): the link that would close the loop is dropped, and a view that
#   places the menus on the windows they belong to draws them (before:
#   the view followed the loop for ever, at full CPU, drawing nothing);
# - over 1024 windows: said once in serve.log, not once a window; the
#   mapped ones not tracked are shown when others go, the topmost first,
#   though their program does not map them again (before: not shown
#   until it did);
# - windows whose pictures would take over 4 screens' worth of pixels
#   (2 for windows larger than the screen, so that two of 4000x4000 far
#   off the screen do not keep one on it from being read): the one past
#   it is not read (said once), until others go; then it is
#   (before: each was read, a program that mapped 8192x8192 windows in a
#   loop took 280 MB of the daemon's memory for each); one that grew past
#   it and is back at the size it was read at is read again, and said so
#   (before: it kept its mark of one waiting, "every window is read
#   again" was never said, nor any later window past the bound);
# - a cursor too large for a frame (256x256) reaches the desk made
#   smaller (before: not sent, the desk kept the shape before it), one
#   larger than 256 a side (600x300) too (before: dropped by the display
#   before it could be made smaller).
. test/integration/lib.sh "$1"
need_progs Xvfb xwd xdotool
. test/integration/xhostile.inc
probed x "$T/p" 3
has_geom() { grep -q "^[^ ]* $2 $3 $4 $5 .* $1\$" "$T/p/windows"; } # TITLE X Y W H

hostile r reparent
wait_until 20 has_geom torn 500 100 240 160
wait_until 20 same_as_xwd "$T/p" "$(win torn)"
echo "a window reparented to the root: at its size, its own pixels: ok"

hostile t transient
tpid=$!
wait_until 20 grep -q " ob\$" "$T/p/windows"
# One of each pair is transient for the other, not both (RP_XWIN_TRANSIENT 2).
n=0
for t in ta tb oa ob; do
	[ $(($(flags $t) & 2)) -ne 0 ] && n=$((n + 1))
done
[ $n -eq 2 ] || fail "$n windows told transient, not 2: $(cat "$T/p/windows")"
printf 'wait-window "tb" 20\nscreenshot %s\n' "$T/shot.png" >"$T/in"
timeout -k 5 30 "$TELLY" view --headless --x11 x --input "$T/in" >"$T/legend" 2>"$T/view.err" ||
	fail "the view did not draw the windows transient for each other: $(cat "$T/view.err")"
grep -q 'title "tb"' "$T/legend" || fail "no tb in the view: $(cat "$T/legend")"
echo "windows transient for each other: one link dropped, the view draws them: ok"

hostile w windows 1100 20 20
wait_until 20 grep -q "over 1024 windows" "$TELLY_DIR/serve.log"
[ "$(grep -c "over 1024 windows" "$TELLY_DIR/serve.log")" -eq 1 ] ||
	fail "said more than once: $(grep -c "over 1024 windows" "$TELLY_DIR/serve.log") lines"
"$TELLY" ls >/dev/null || fail "telly ls: the daemon does not answer"
echo "over 1024 windows: said once: ok"
# The topmost of them, mapped while over 1024 were tracked, are shown
# once others go (the four windows of "t"), not mapped again. (The probe
# keeps 256 windows: it has room for those four, with one told again.)
top="hostile 109[6-9]"
grep -q " $top\$" "$T/p/windows" && fail "the top windows shown while over 1024: $(grep " $top\$" "$T/p/windows")"
kill "$tpid"
wait_until 20 grep -q " $top\$" "$T/p/windows"
echo "a window mapped while over 1024: shown once others went: ok"

# A display of 1920x1080: its windows' pictures take at most 4 screens
# of half a 4K one (16588800 pixels): eight of 1900x1000 are read, a
# ninth is not, until the eight go.
probed b "$T/q" 4 --screen 1920x1080
# A cursor of 256x256 (more than a frame holds) reaches the desk made
# smaller (before: not sent, the desk kept the shape before it).
hostile cur bigcursor 3 256
wait_until 20 grep -q " 127x128\$" "$T/q/cursor"
echo "a cursor of 256x256: on the desk at 127x128: ok"
hostile cur2 bigcursor 3 600 300
wait_until 20 grep -q " 181x90\$" "$T/q/cursor"
echo "a cursor of 600x300: on the desk at 181x90: ok"

# Windows larger than the screen take at most half of it: two
# override-redirect ones of 4000x4000 far off the screen are not read,
# and do not keep a window on it from being read.
hostile far offscreen
wait_until 20 drawn anchor "$T/q"
wait_until 20 same_as_xwd "$T/q" "$(win anchor "$T/q")" 4
grep -q "display $dpy: its windows' pictures would take over 63 MiB .* (4000x4000) is not shown" \
	"$TELLY_DIR/serve.log" || fail "the windows far off the screen were read"
echo "close $(win anchor "$T/q")" >&4 # (its client killed: the three go)
wait_until 20 sh -c "! grep -q ' anchor\$' '$T/q/windows'"
echo "windows larger than the screen do not keep the others from being read: ok"

hostile big windows 8 1900 1000 big
for i in 0 1 2 3 4 5 6 7; do wait_until 20 drawn "big $i" "$T/q"; done
hostile late windows 1 1900 1000 late
wait_until 20 grep -q "display $dpy: its windows' pictures would take over 63 MiB .* (1900x1000) is not shown" "$TELLY_DIR/serve.log"
drawn "late 0" "$T/q" && fail "the ninth window was read: $(cat "$T/q/windows")"
echo "close $(win "big 0" "$T/q")" >&4 # (its client killed: the eight go)
wait_until 20 drawn "late 0" "$T/q"
wait_until 20 same_as_xwd "$T/q" "$(win "late 0" "$T/q")" 4
grep -q "display $dpy: every window is read again" "$TELLY_DIR/serve.log" || fail "not said read again"
echo "past 4 screens' worth of pixels: not read, then read once others went: ok"

# (one larger than the screen takes at most half: 8294400 pixels)
hostile grow windows 4 1900 1000 grow
for i in 0 1 2 3; do wait_until 20 drawn "grow $i" "$T/q"; done
id=$(win "grow 3" "$T/q")
DISPLAY=$dpy XAUTHORITY=$xauth xdotool windowsize "$id" 1900 1400
wait_until 20 grep -q "display $dpy: its windows' pictures would take over 63 MiB .* (1900x1400) is not shown" "$TELLY_DIR/serve.log"
DISPLAY=$dpy XAUTHORITY=$xauth xdotool windowsize "$id" 1900 1000
wait_until 20 sh -c "[ \$(grep -c 'display $dpy: every window is read again' '$TELLY_DIR/serve.log') -eq 2 ]"
echo "a window back at the size it was read at, after it grew past the bound: read, said so: ok"
