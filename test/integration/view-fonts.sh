#!/bin/sh
# telly view --headless draws what its main font (DejaVu Sans Mono) lacks
# from other fonts through fontconfig: CJK over both cells of each wide
# character (make deps installs a CJK font), a symbol from DejaVu Sans, a
# box over both cells for a codepoint no font has; struck-through cells
# have a line of the text's colour across them.
. test/integration/lib.sh "$1"

fc-list ':charset=65e5' family | grep -q . || fail "no font has 日 (U+65E5): run make deps"

# Row 0: 日本 then ⁂ at column 5; row 1: U+2FFFD (unassigned, wide);
# row 2: four struck blanks, then four plain ones (and an x: a reattach
# leaves out the blanks that end a line).
"$TELLY" new -s fonts -- sh -c 'printf "\033[?25l\346\227\245\346\234\254 \342\201\202\n\360\257\277\275\n\033[9m    \033[29m    x\n"; exec sleep 600' ||
	fail "new fonts"
"$TELLY" view --headless --size 640x480 --screenshot "$T/shot.png" >"$T/legend" 2>"$T/err" ||
	fail "view: $(cat "$T/err")"
cat "$T/legend"
set -- $(legend_cell "$T/legend"); cw=$1 ch=$2
set -- $(legend_win "$T/legend" fonts); [ $# -eq 8 ] || fail "fonts not in the legend"
x0=$5 y0=$6

ink() { # COL ROW: drawn pixels of the cell
	"$PROBE" "$T/shot.png" other $((x0 + $1 * cw)) $((y0 + $2 * ch)) "$cw" "$ch" 1c1c1c
}
for cell in "0 0 日" "1 0 日's right half" "2 0 本" "3 0 本's right half" "5 0 ⁂" \
	"0 1 the box's left half" "1 1 the box's right half"; do
	set -- $cell
	n=$(ink "$1" "$2")
	[ "$n" -gt 2 ] || fail "column $1 row $2 ($3 $4 $5): $n pixels drawn"
done
for cell in "4 0" "6 0" "2 1"; do
	set -- $cell
	n=$(ink "$1" "$2")
	[ "$n" -eq 0 ] || fail "column $1 row $2 should be blank: $n pixels drawn"
done

# Row 2: some pixel row across the four struck cells is all the text's
# colour, in the middle half of the cell; none across the plain ones.
struck=0 plain=0
y=0
while [ $y -lt "$ch" ]; do
	yy=$((y0 + 2 * ch + y))
	n=$("$PROBE" "$T/shot.png" count "$x0" "$yy" $((4 * cw)) 1 e5e5e5)
	[ "$n" -eq $((4 * cw)) ] && [ $y -ge $((ch / 4)) ] && [ $y -lt $((ch * 3 / 4)) ] && struck=1
	n=$("$PROBE" "$T/shot.png" other $((x0 + 4 * cw)) "$yy" $((4 * cw)) 1 1c1c1c)
	[ "$n" -eq 0 ] || plain=1
	y=$((y + 1))
done
[ $struck = 1 ] || fail "no line across the struck-through cells"
[ $plain = 0 ] || fail "pixels drawn in plain blank cells"
echo "fonts: fallback, box, strikethrough: ok"
