#!/bin/sh
# telly view on a real X server (Xvfb): coloured text drawn, a click on
# the window behind focuses it, keys typed with xdotool (XTEST, through
# the server's keymap and xkbcommon) reach that session and its answer is
# drawn; a title bar dragged with the X pointer moves the window; the
# screen is captured with xwd.
. test/integration/lib.sh "$1"

start_xvfb

"$TELLY" new -s a -- env W=a PS1='a> ' sh || fail "new a"
"$TELLY" new -s b -- sh -c 'printf "\033[31mREDRED\033[0m\n"; env W=b PS1="b> " sh' || fail "new b"
# The layout is the headless one: the same font, the same first places.
"$TELLY" view --headless --screenshot "$T/h.png" >"$T/legend" 2>&1 || fail "headless: $(cat "$T/legend")"
set -- $(legend_cell "$T/legend"); cw=$1 ch=$2
set -- $(legend_win "$T/legend" b); bx0=$5 by0=$6
set -- $(legend_win "$T/legend" a); ax0=$5 ay0=$6

"$TELLY" view >"$T/view.log" 2>&1 &
pids="$pids $!"
wait_until 20 xdotool search --name '^telly view$'
wid=$(xdotool search --name '^telly view$' | head -n 1)
shot() { xwd -silent -id "$wid" >"$T/$1.xwd" || fail "xwd"; }
# Drawn once b's red text is on its cells.
drawn_red() { shot s; [ "$("$PROBE" "$T/s.xwd" reddish "$bx0" "$by0" $((6 * cw)) "$ch")" -gt "$cw" ]; }
wait_until 20 drawn_red

# a's title bar shows above b (a at 0,0, b at 32,32): click it.
xdotool windowfocus --sync "$wid" mousemove --window "$wid" 100 8 click 1
xdotool type --delay 10 'echo "$W" > '"$T"'/who; echo ANS$((6*7))'
xdotool key Return
wait_until 20 test -s "$T/who"
[ "$(cat "$T/who")" = a ] || fail "the keys went to '$(cat "$T/who")', not a"
# a's answer on its row 1, drawn on the X window.
answer_drawn() { shot s; [ "$("$PROBE" "$T/s.xwd" other "$ax0" $((ay0 + ch)) $((5 * cw)) "$ch" 1c1c1c)" -gt "$cw" ]; }
wait_until 20 answer_drawn
# a is in front now: its title bar is the focused colour, and its client
# area covers where b's title bar was.
[ "$("$PROBE" "$T/s.xwd" rgb 300 8)" = 3465a4 ] || fail "a's title bar is not the focused colour"
[ "$("$PROBE" "$T/s.xwd" rgb 300 45)" != 3465a4 ] || fail "b's title bar is still in front of a"

# Drag a's title bar by (200, 100) with the X pointer: the window moves.
xdotool mousemove --window "$wid" 100 8 mousedown 1 mousemove --window "$wid" 300 108 mouseup 1
moved() { shot m; [ "$("$PROBE" "$T/m.xwd" rgb 500 110)" = 3465a4 ]; }
wait_until 20 moved
[ "$("$PROBE" "$T/m.xwd" rgb 600 8)" = 2e3436 ] || fail "the old place of a's title is not desktop"
echo "x11: drawn, click to focus, typing, drag: ok"
