#!/bin/sh
# The desk's keyboard layout is the host's: a seamless view on a desk
# Xvfb whose layout changes from us to de while the view runs (setxkbmap)
# sends the new keymap, and the keys typed at once after the change (while
# the host still loads it) type z, y and ä into the host's xterm, as the
# German keys say (us would give y, z and a quote), none lost.
. test/integration/lib.sh "$1"
for p in xterm xdotool xwininfo setxkbmap xkbcomp; do
	command -v $p >/dev/null || fail "no $p (make deps installs it)"
done
start_xvfb 1024x768
setxkbmap -layout us || fail "setxkbmap us"

deskwin() { # TITLE: the desk's window of that name
	xwininfo -root -tree | sed -n "s/^ *\(0x[0-9a-f]*\) \"$1\".*/\1/p" | head -n 1
}

"$TELLY" new --x11 -s kb -- env LC_ALL=C.UTF-8 xterm -u8 -T kbtest -geometry 40x8+10+10 \
	-e sh -c "exec cat >$T/typed" || fail "new --x11"
wait_until 20 sh -c "\"$TELLY\" ls | grep -q 'window .*\"kbtest\"'"
"$TELLY" view --seamless "" kb >"$T/view.out" 2>&1 &
view=$!
pids="$pids $view"
has_win() { [ -n "$(deskwin kbtest)" ] || ! kill -0 "$view" 2>/dev/null; }
wait_until 20 has_win
kill -0 "$view" 2>/dev/null || fail "the view ended: $(cat "$T/view.out")"
w=$(deskwin kbtest)
# The view's first keymap (us) is in before the change, so that what is
# checked is the change's.
wait_until 20 grep -q "keymap is loaded" "$TELLY_DIR/serve.log"

# German now, and typed at once: keycodes of the de layout.
setxkbmap -layout de || fail "setxkbmap de"
xdotool key --window "$w" z y adiaeresis Return 2>/dev/null
wait_until 20 test -s "$T/typed"
printf 'typed: '; cat "$T/typed"
[ "$(head -n 1 "$T/typed")" = "zyä" ] ||
	fail "the host typed '$(head -n 1 "$T/typed")' for the desk's z y ä (de): not the desk's layout"
grep -c "loading a desk's keymap" "$TELLY_DIR/serve.log" | grep -qx 2 ||
	fail "the host did not load the desk's keymap twice (us, then de): $(grep keymap "$TELLY_DIR/serve.log")"
echo "de layout on the desk: z, y, ä typed on the host: ok"
