#!/bin/sh
# telly view --headless draws each session as a window: coloured text is
# on the pixels of the cells where it must be (indexed red, a truecolour
# background, default text), and --screenshot waits until every window
# has drawn.
. test/integration/lib.sh "$1"

"$TELLY" new -s back -- sh -c 'printf "back window\n"; exec sleep 600' || fail "new back"
"$TELLY" new -s front -- sh -c 'printf "\033[31mREDRED\033[0m plain \033[48;2;0;200;100m    \033[0m\n"; exec sleep 600' || fail "new front"
"$TELLY" view --headless --size 1024x768 --screenshot "$T/shot.png" >"$T/legend" 2>"$T/err" ||
	fail "view: $(cat "$T/err")"
cat "$T/legend"
[ -s "$T/shot.png" ] || fail "no screenshot"
set -- $(legend_cell "$T/legend"); cw=$1 ch=$2
set -- $(legend_win "$T/legend" front); [ $# -eq 8 ] || fail "front not in the legend"
x0=$5 y0=$6
grep -q '^window front .* focused$' "$T/legend" || fail "the newest session is not focused"
legend_win "$T/legend" back | grep -q . || fail "back not in the legend"

# Row 0, columns 0-5: red glyphs; columns 7-11 ("plain"): glyphs, none red.
red=$("$PROBE" "$T/shot.png" reddish "$x0" "$y0" $((6 * cw)) "$ch")
[ "$red" -gt $((cw * ch / 2)) ] || fail "too few red pixels where REDRED is: $red"
plain_red=$("$PROBE" "$T/shot.png" reddish $((x0 + 7 * cw)) "$y0" $((5 * cw)) "$ch")
[ "$plain_red" -eq 0 ] || fail "red pixels in plain text: $plain_red"
ink=$("$PROBE" "$T/shot.png" other $((x0 + 7 * cw)) "$y0" $((5 * cw)) "$ch" 1c1c1c)
[ "$ink" -gt $((cw * ch / 2)) ] || fail "plain text not drawn: $ink pixels"
# Columns 13-16: the truecolour background, every pixel of the cells.
bg=$("$PROBE" "$T/shot.png" count $((x0 + 13 * cw)) "$y0" $((4 * cw)) "$ch" 00c864)
[ "$bg" -eq $((4 * cw * ch)) ] || fail "truecolour background: $bg of $((4 * cw * ch)) pixels"
# Row 1 of the text area is blank: background only (the cursor is at column 0).
blank=$("$PROBE" "$T/shot.png" other $((x0 + 2 * cw)) $((y0 + ch)) $((20 * cw)) "$ch" 1c1c1c)
[ "$blank" -eq 0 ] || fail "a blank row has $blank drawn pixels"
echo "colours on the right cells: ok"
