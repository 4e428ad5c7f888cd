#!/bin/sh
# Two desks with different layouts on one X session: each key is read in
# the layout of the desk that typed it. Two seamless views, on a us desk
# Xvfb and a de one, both on the host's xterm; z y typed on the us desk,
# then on the de one, then on the us one again read "zy" each time (the
# host has one keymap for its display: before, it kept the one loaded
# last, the de desk's, and the us desk's z y read "yz").
. test/integration/lib.sh "$1"
for p in xterm xdotool xwininfo setxkbmap xkbcomp; do
	command -v $p >/dev/null || fail "no $p (make deps installs it)"
done
deskwin() { # TITLE: the desk's window of that name
	xwininfo -root -tree | sed -n "s/^ *\(0x[0-9a-f]*\) \"$1\".*/\1/p" | head -n 1
}
"$TELLY" new --x11 -s kb -- env LC_ALL=C.UTF-8 xterm -u8 -T kbtest -geometry 40x8+10+10 \
	-e sh -c "exec cat >$T/typed" || fail "new --x11"
wait_until 20 sh -c "\"$TELLY\" ls | grep -q 'window .*\"kbtest\"'"
loads() { [ "$(grep -c "keymap is loaded" "$TELLY_DIR/serve.log")" -ge "$1" ]; }
# A desk: its Xvfb with layout $1, a seamless view there ($T/view-$1.out),
# its window of the xterm ($w); its keymap loaded on the host.
desk() {
	start_xvfb 1024x768
	setxkbmap -layout "$1" || fail "setxkbmap $1"
	"$TELLY" view --seamless "" kb >"$T/view-$1.out" 2>&1 &
	view=$!
	pids="$pids $view"
	has_win() { [ -n "$(deskwin kbtest)" ] || ! kill -0 "$view" 2>/dev/null; }
	wait_until 20 has_win
	kill -0 "$view" 2>/dev/null || fail "the $1 view ended: $(cat "$T/view-$1.out")"
	w=$(deskwin kbtest)
	wait_until 20 loads "$2" || fail "the $1 desk's keymap was not loaded"
}
desk us 1
us_display=$DISPLAY us_w=$w
desk de 2
de_display=$DISPLAY de_w=$w
# z y on a desk: the line the host's xterm reads ($1: how many lines then).
type_zy() {
	xdotool key --window "$2" z y Return 2>/dev/null
	wait_until 20 sh -c "[ \$(grep -c '' '$T/typed') -ge $3 ]" || fail "z y typed on the $1 desk never came"
	got=$(sed -n "$3p" "$T/typed")
	[ "$got" = zy ] || fail "z y typed on the $1 desk read '$got' on the host, not 'zy'"
}
DISPLAY=$us_display type_zy us "$us_w" 1
DISPLAY=$de_display type_zy de "$de_w" 2
DISPLAY=$us_display type_zy us "$us_w" 3
echo "ok: z y typed on a us desk and on a de desk read zy each"
