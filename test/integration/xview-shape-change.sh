#!/bin/sh
# A shaped X program (test/integration/xshape.c: a cross, its corners cut
# away from its bounding and input shapes) that unshapes and shapes again:
# - a desk that says it takes shapes (the probe with XSHAPE) gets both
#   shapes when it attaches, and each change; one that does not (an older
#   desk) gets none and still draws the window;
# - on telly's own desktop a click at a cut corner goes to the window
#   below (xpress: it takes the click, the focus and the key typed then);
# - on a seamless desk the native window is shaped, a click at a cut
#   corner goes through to what is below and one inside reaches the
#   program; unshaped, it is the whole rectangle again (no shape, its red
#   at the corner, a click there reaches the program); shaped again, a
#   view that attaches then gets the shape.
. test/integration/lib.sh "$1"
for p in xwininfo xwd xsetroot xdotool; do
	command -v $p >/dev/null || fail "no $p (make deps installs it)"
done
mkfifo "$T/fifo"
: >"$T/presses"
: >"$T/below"
# xpress below xshape (200x150 each, the view cascades them: 32 px apart).
"$TELLY" new --x11 -s sh -- "$B/test/xpress" "$T/below" || fail "new --x11"
wait_until 20 sh -c "\"$TELLY\" ls | grep -q 'window .*\"xpress\"'"
"$TELLY" run sh -- "$B/test/xshape" "$T/presses" "$T/fifo" || fail "run xshape"
wait_until 20 sh -c "\"$TELLY\" ls | grep -q 'window .*\"xshape\"'"
id=$("$TELLY" ls | sed -n 's/^ *window \(0x[0-9a-f]*\) .*"xshape".*/\1/p')
# Keeps the FIFO open for writing: the commands go through one descriptor.
exec 4<>"$T/fifo"

# An older desk (no XSHAPE in its HELLO) and one that takes shapes.
xprobe_start "$T/old" sh
exec 3>"$T/old/cmd"
xprobe_start "$T/new" sh XPROBE_SHAPE=1
exec 5>"$T/new/cmd"
drawn() { grep -q "^$id .* [1-9][0-9]* xshape$" "$1/windows" 2>/dev/null; }
wait_until 20 drawn "$T/old"
wait_until 20 drawn "$T/new"
# The cross is 3 bands of rectangles, both shapes.
has() { grep -qx "$id $2" "$1/shapes" 2>/dev/null; }
wait_until 10 has "$T/new" "0 1 3"
wait_until 10 has "$T/new" "1 1 3"
echo unshape >&4
wait_until 10 has "$T/new" "0 0 0"
wait_until 10 has "$T/new" "1 0 0"
# Shaped again: told again.
echo shape >&4
twice() { [ "$(grep -cx "$id 0 1 3" "$T/new/shapes")" -ge 2 ]; }
wait_until 10 twice
[ ! -e "$T/old/shapes" ] || fail "a desk that does not take shapes got XSHAPE: $(cat "$T/old/shapes")"
grep -q malformed "$TELLY_DIR/serve.log" && fail "malformed: $(grep malformed "$TELLY_DIR/serve.log")"
echo quit >&3
echo quit >&5
exec 3>&- 5>&-

# telly's own desktop: a click at xshape's cut corner goes to xpress
# below, which takes the focus and the key typed then (before, the click
# went to xshape, which kept the focus, and the key went there).
cat >"$T/in" <<EOT
wait-window "xshape" 20
click-window 5 5
type "a"
EOT
"$TELLY" view --headless --x11 sh --input "$T/in" >"$T/legend" 2>"$T/err" || fail "view: $(cat "$T/err")"
key_below() { grep -q '^key-press ' "$T/below"; }
wait_until 10 key_below || fail "the key after a click at xshape's cut corner did not reach xpress below: $(cat "$T/below")"
grep -q '^button-press 1 ' "$T/below" || fail "the click at the cut corner did not reach xpress: $(cat "$T/below")"
[ ! -s "$T/presses" ] || fail "telly view sent the click at the cut corner to xshape: $(cat "$T/presses")"
# xpress goes: the seamless desk's background shows through xshape.
DISPLAY=$("$TELLY" ls | sed -n 's/^ *display \(:[0-9]*\).*/\1/p' | head -n 1) \
	XAUTHORITY="$TELLY_DIR/x11-sh.auth" xdotool search --name '^xpress$' windowkill ||
	fail "xpress not closed"
wait_until 10 sh -c "! \"$TELLY\" ls | grep -q 'window .*\"xpress\"'"

# A seamless desk.
start_xvfb 800x600
xsetroot -solid '#336699' || fail "xsetroot"
"$TELLY" view --seamless "" sh >"$T/view.out" 2>&1 &
view=$!
pids="$pids $view"
deskwin() { # "ID X Y W H" (absolute) of the desk's xshape window
	xwininfo -name xshape 2>/dev/null | awk '/Window id:/ { id = $4 } /Absolute upper-left X:/ { x = $NF }
		/Absolute upper-left Y:/ { y = $NF } /Width:/ { w = $NF } /Height:/ { h = $NF }
		END { if (id) print id, x, y, w, h }'
}
has_win() { [ -n "$(deskwin)" ]; }
wait_until 20 has_win
set -- $(deskwin); w=$1 dx=$2 dy=$3
shaped() { xwininfo -shape -id "$w" | grep -q 'Window shape extents'; }
unshaped() { xwininfo -shape -id "$w" | grep -q 'No window shape defined'; }
at() { # X Y: the desk's pixel there, window-relative
	xwd -silent -root -out "$T/root.xwd" && "$PROBE" "$T/root.xwd" rgb $((dx + $1)) $((dy + $2))
}
is_at() { c=$(at "$1" "$2"); echo "at $1,$2: $c"; [ "$c" = "$3" ]; }
wait_until 20 shaped
wait_until 20 is_at 5 5 336699
wait_until 20 is_at 100 75 c04020
# A click at a cut corner goes to what is below; one inside reaches it.
xdotool mousemove $((dx + 5)) $((dy + 5)) click 1
xdotool mousemove $((dx + 100)) $((dy + 75)) click 1
wait_until 10 grep -q '^button-press 1 100 75$' "$T/presses"
[ "$(wc -l <"$T/presses")" -eq 1 ] || fail "the click at the cut corner reached the program: $(cat "$T/presses")"

# Unshaped: the rectangle again, its corner its own.
echo unshape >&4
wait_until 20 unshaped
wait_until 20 is_at 5 5 c04020
xdotool mousemove $((dx + 5)) $((dy + 5)) click 1
wait_until 10 grep -q '^button-press 1 5 5$' "$T/presses"

# Shaped again, then a view that attaches gets the shape as it is.
echo shape >&4
wait_until 20 shaped
kill "$view"
wait "$view" 2>/dev/null
gone() { [ -z "$(deskwin)" ]; }
wait_until 10 gone
"$TELLY" view --seamless "" sh >"$T/view2.out" 2>&1 &
pids="$pids $!"
wait_until 20 has_win
set -- $(deskwin); w=$1 dx=$2 dy=$3
wait_until 20 shaped
wait_until 20 is_at 5 5 336699
grep -q malformed "$TELLY_DIR/serve.log" && fail "malformed: $(grep malformed "$TELLY_DIR/serve.log")"
echo "shape changes: to desks that take them only, click-through, unshaped, again at attach: ok"
