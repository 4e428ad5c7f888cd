#!/bin/sh
# X windows that ask for no place (mapped at 0,0) are placed on telly
# view's desktop as its terminal windows are, in a cascade, not all on
# each other at 0,0; a window moved on the desk is where it was put when
# a view comes again.
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
echo "x11 windows placed in a cascade, a moved one kept: ok"
