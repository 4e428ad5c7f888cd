#!/bin/sh
# X windows that ask for no place (no USPosition nor PPosition in their
# WM_NORMAL_HINTS) are placed on telly view's desktop as its terminal
# windows are, in a cascade, not all on each other; a window moved on the
# desk is where it was put when a view comes again; one that asks for its
# place, even 0,0, has it.
. test/integration/lib.sh "$1"
need_progs Xvfb xterm

xbox() { # LEGEND TITLE: "X Y" of the X window's box
	sed -n "s/^xwindow [0-9]* box \([-0-9]*\) \([-0-9]*\) .* title \"$2\".*/\1 \2/p" "$1" | tail -n 1
}
"$TELLY" new --x11 -s g -- xterm -T one || fail "new --x11"
"$TELLY" run g -- xterm -T two || fail "run"
printf 'wait-window "one" 20\nwait-window "two" 20\nscreenshot %s\n' "$T/s1.png" >"$T/in1"
"$TELLY" view --headless --x11 g --input "$T/in1" >"$T/l1" 2>"$T/err" || fail "view: $(cat "$T/err")"
one=$(xbox "$T/l1" one) two=$(xbox "$T/l1" two)
[ -n "$one" ] && [ -n "$two" ] || fail "not both drawn: $(cat "$T/l1")"
[ "$one" != "$two" ] || fail "both windows at $one: $(cat "$T/l1")"

# Moved on the desk (two, focused and on top, dragged by its title bar
# 150 right and 100 down): there again in the next view.
set -- $two
cat >"$T/in2" <<EOT
wait-window "two" 20
click-window 40 -8
press 1
move 150 100
release 1
screenshot $T/s2.png
EOT
"$TELLY" view --headless --accel flat --x11 g --input "$T/in2" >"$T/l2" 2>>"$T/err" ||
	fail "view: $(cat "$T/err")"
moved=$(xbox "$T/l2" two)
[ "$moved" = "$(($1 + 150)) $(($2 + 100))" ] || fail "two was not moved from $two: $moved"
printf 'wait-window "one" 20\nwait-window "two" 20\nscreenshot %s\n' "$T/s3.png" >"$T/in3"
"$TELLY" view --headless --x11 g --input "$T/in3" >"$T/l3" 2>>"$T/err" || fail "view: $(cat "$T/err")"
[ "$(xbox "$T/l3" two)" = "$moved" ] || fail "two came back at $(xbox "$T/l3" two), was moved to $moved"
[ "$(xbox "$T/l3" one)" = "$one" ] || fail "one came back at $(xbox "$T/l3" one), was at $one"

# By WM_NORMAL_HINTS, not by 0,0: a program that asks for its place has
# it, even the corner (xterm -geometry +0+0: USPosition; PPosition); one
# that asks for none is placed by the desk wherever the host mapped it;
# one whose properties are broken (hints cut short, a 1 MB icon name that
# is not text, WM_PROTOCOLS of format 16 ...) is shown by its WM_NAME and
# placed as asking for none. Before, a window at 0,0 was taken as asking
# for none and any other as asking for its place.
"$TELLY" run g -- xterm -geometry +0+0 -T zero || fail "run xterm +0+0"
"$TELLY" run g -- "$B/test/xplace" asked 400 300 p || fail "run xplace p"
"$TELLY" run g -- "$B/test/xplace" free 420 320 none || fail "run xplace none"
"$TELLY" run g -- "$B/test/xplace" broken 440 340 junk || fail "run xplace junk"
{
	printf 'wait-window "%s" 20\n' zero asked free broken
	echo "screenshot $T/s4.png"
} >"$T/in4"
"$TELLY" view --headless --x11 g --input "$T/in4" >"$T/l4" 2>>"$T/err" || fail "view: $(cat "$T/err")"
[ "$(xbox "$T/l4" zero)" = "0 0" ] || fail "xterm -geometry +0+0 at $(xbox "$T/l4" zero), not 0 0"
[ "$(xbox "$T/l4" asked)" = "400 300" ] || fail "PPosition 400,300 at $(xbox "$T/l4" asked)"
free=$(xbox "$T/l4" free) broken=$(xbox "$T/l4" broken)
[ -n "$free" ] && [ "$free" != "420 320" ] || fail "no place asked, kept at the host's: '$free'"
[ -n "$broken" ] && [ "$broken" != "440 340" ] || fail "broken hints, kept at the host's: '$broken'"
"$TELLY" ls >/dev/null || fail "the daemon is gone"
echo "x11 windows placed in a cascade, a moved one kept, a place asked kept: ok"
