#!/bin/sh
# make demo without a display: telly view headless over two sessions and
# an X program, the scripted typing answered (in the shell and in xterm),
# top focused and maximized, screenshots saved.
B=$(cd "$1" && pwd)
rm -rf "$B/demo"
out=$(env -u DISPLAY sh scripts/demo.sh "$B" 2>&1)
rc=$?
printf '%s\n' "$out"
[ $rc -eq 0 ] || { echo "the demo exited $rc"; exit 1; }
for f in 1-typed 2-top-focused 3-top-maximized; do
	[ -s "$B/demo/$f.png" ] || { echo "no $f.png"; exit 1; }
	printf '%s\n' "$out" | grep -q "$B/demo/$f.png" || { echo "$f.png not printed"; exit 1; }
done
grep -q '^window top box 0 0 1024 768 .* focused$' "$B/demo/legend" || { echo "top was not maximized"; exit 1; }
# What the pictures show (png-probe counts pixels that are not the
# terminal's background): the first has the commands' output on the
# shell's rows 2 and 3, not only the typed line; the last has top drawn
# down to the maximized window's last row.
P=$B/test/png-probe
[ -x "$P" ] || { echo "no $P (make all builds it)"; exit 1; }
win() { # SHOT NAME: "X0 Y0 COLS ROWS CW CH" from that screenshot's legend
	awk -v f="$B/demo/$1.png" -v n="$2" '$1 == "screenshot" { on = $2 == f; split($5, c, "x") }
		on && $1 == "window" && $2 == n { print $9, $10, $12, $13, c[1], c[2] }' "$B/demo/legend"
}
set -- $(win 1-typed shell)
[ $# -eq 6 ] || { echo "no shell window in the legend of 1-typed"; exit 1; }
x0=$1 y0=$2 cw=$5 ch=$6
for row in 1 2; do
	n=$("$P" "$B/demo/1-typed.png" other $((x0 + cw)) $((y0 + row * ch)) $((10 * cw)) "$ch" 1c1c1c)
	[ "$n" -gt "$cw" ] || { echo "1-typed.png: nothing on the shell's row $((row + 1)) (the output)"; exit 1; }
done
set -- $(win 3-top-maximized top)
[ $# -eq 6 ] || { echo "no top window in the legend of 3-top-maximized"; exit 1; }
n=$("$P" "$B/demo/3-top-maximized.png" other "$1" $(($2 + ($4 - 1) * $6)) $((20 * $5)) "$6" 1c1c1c)
[ "$n" -gt "$5" ] || { echo "3-top-maximized.png: top is not drawn down to its last row ($4)"; exit 1; }
# The X program (when Xvfb and xterm are here, as make deps installs
# them): its window in the last picture, with the typed command's output
# on its second row (xterm's rows are 13 pixels, its background white).
if command -v Xvfb >/dev/null && command -v xterm >/dev/null; then
	[ -s "$B/demo/4-xterm.png" ] || { echo "no 4-xterm.png"; exit 1; }
	set -- $(sed -n 's/^xwindow [0-9]* box [-0-9 ]* client \([-0-9]*\) \([-0-9]*\) .* title "xterm on the host".*/\1 \2/p' \
		"$B/demo/legend" | tail -n 1)
	[ $# -eq 2 ] || { echo "no X window in the legend"; exit 1; }
	n=$("$P" "$B/demo/4-xterm.png" other "$1" $(($2 + 15)) 200 10 ffffff)
	[ "$n" -gt 50 ] || { echo "4-xterm.png: nothing on the xterm's second row (the output)"; exit 1; }
fi
ls /tmp | grep -q "^telly-demo\." && { echo "the demo left its runtime directory"; exit 1; }
echo "demo: ok"
