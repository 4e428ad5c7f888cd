#!/bin/sh
# A shaped X window (xeyes: the X SHAPE extension) shows shaped on the
# desk, as ssh -X shows it: `telly x` on a desk Xvfb makes its native
# window shaped (xwininfo -shape: a bounding shape that is not the plain
# rectangle) and the desk's background shows at its corner, outside the
# eyes (before, the rectangle, black there); `telly view --headless`
# draws the desktop's background there too. A desk that does not say it
# takes shapes (an older one) is sent none and still shows the window.
. test/integration/lib.sh "$1"
for p in xeyes xwininfo xwd xsetroot; do
	command -v $p >/dev/null || fail "no $p (make deps installs it)"
done
start_xvfb 800x600
# A root of one colour: the desk's background, told from the window's black.
xsetroot -solid '#336699' || fail "xsetroot"

# The desk's xeyes window: "ID X Y W H" (absolute).
deskeyes() {
	xwininfo -name xeyes 2>/dev/null | awk '/Window id:/ { id = $4 } /Absolute upper-left X:/ { x = $NF }
		/Absolute upper-left Y:/ { y = $NF } /Width:/ { w = $NF } /Height:/ { h = $NF }
		END { if (id) print id, x, y, w, h }'
}

"$TELLY" x -s eyes -- xeyes -geometry 200x150+60+40 >"$T/x.out" 2>&1 &
pids="$pids $!"
has_eyes() { [ -n "$(deskeyes)" ]; }
wait_until 20 has_eyes
set -- $(deskeyes); w=$1 dx=$2 dy=$3 dw=$4 dh=$5
echo "the desk's xeyes window $w: ${dw}x$dh at $dx,$dy"
# Its bounding shape: not the plain rectangle (xwininfo gives its extents;
# else "No window shape defined").
shaped() {
	xwininfo -shape -id "$w" >"$T/shape"
	grep -q 'Window shape extents' "$T/shape"
}
wait_until 20 shaped || { cat "$T/shape"; fail "the desk's xeyes window is not shaped"; }
cat "$T/shape"
# A corner, outside the eyes: the desk's background, not the window's black.
corner() {
	xwd -silent -root -out "$T/root.xwd" || return 1
	c=$("$PROBE" "$T/root.xwd" rgb $((dx + 2)) $((dy + 2)))
	echo "the desk at xeyes' top left corner: $c"
	[ "$c" = 336699 ]
}
wait_until 20 corner || fail "the corner of xeyes shows $c on the desk, not its background 336699"
# Its middle (an eye's white or its outline) is the window's.
[ "$("$PROBE" "$T/root.xwd" rgb $((dx + dw / 4)) $((dy + dh / 2)))" != 336699 ] ||
	fail "the desk's background shows through the eye too"

# telly's own desktop: the desktop's background at the corner of its
# client area, outside the eyes.
cat >"$T/in" <<EOT
wait-window "xeyes" 20
wait-update 5
screenshot $T/view.png
EOT
"$TELLY" view --headless --x11 eyes --input "$T/in" >"$T/legend" 2>"$T/err" ||
	fail "view: $(cat "$T/err")"
set -- $(sed -n 's/^xwindow [0-9]* box [-0-9 ]* client \([-0-9]*\) \([-0-9]*\) \([0-9]*\) \([0-9]*\) title "xeyes".*/\1 \2 \3 \4/p' "$T/legend" | tail -n 1)
[ $# -eq 4 ] || fail "no xeyes window in the legend: $(cat "$T/legend")"
cx=$1 cy=$2 cw=$3 ch=$4
c=$("$PROBE" "$T/view.png" rgb $((cx + 1)) $((cy + 1)))
[ "$c" = 2e3436 ] || fail "telly view draws $c at the corner of xeyes, not the desktop's 2e3436"
[ "$("$PROBE" "$T/view.png" rgb $((cx + cw / 4)) $((cy + ch / 2)))" != 2e3436 ] ||
	fail "telly view shows the desktop through the eye too"
grep -q malformed "$TELLY_DIR/serve.log" && fail "malformed: $(grep malformed "$TELLY_DIR/serve.log")"
echo "shaped xeyes: shaped on the desk, its background at the corner, in telly view too: ok"
