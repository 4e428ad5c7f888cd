#!/bin/sh
# The desk's keymap changes while the link is down, and more keys are
# typed after it than the host holds while it loads a keymap (1024
# events, XD_HELD_KEYS_MAX): once resumed, the view sends the new keymap
# and then every key typed with it; the host takes what its hold has room for
# and stops reading the desk until the keymap is in, so every character
# arrives, in order (before, those past the hold were lost). The desk
# is the x11 backend on its own Xvfb, keys from xdotool, the layout
# changed with setxkbmap (an option that leaves the letters where they
# are); over TCP through cut-proxy. The daemon's xkbcomp is held at a
# gate (a FIFO) until the daemon says the desk waits for it, so that the
# keys sent again fill its hold whatever the machine's speed.
. test/integration/lib.sh "$1"
need_progs xterm xdotool setxkbmap
N=800 # characters: 1600 key events
. test/integration/viewlink.inc
real_xkbcomp=$(command -v xkbcomp) || { echo "no xkbcomp"; exit 77; }
mkdir "$T/bin"
cat >"$T/bin/xkbcomp" <<EOF
#!/bin/sh
[ -p "$T/xkbgate" ] && cat "$T/xkbgate" >/dev/null
exec "$real_xkbcomp" "\$@"
EOF
chmod +x "$T/bin/xkbcomp"
serve_path=$T/bin:$PATH # the daemon's, for its xkbcomp
fail() {
	echo "--- typed:"
	cut -c 1-100 "$T/typed"
	view_fail "$@"
}
desk_link_view 80x8+10+10 us
ctl down
wait_until 10 grep -q '^down' "$T/proxy.log" || fail "no down"
wait_until 20 grep -q 'the link is down' "$T/view.err" || fail "the view did not see the link go"
# Another keymap on the desk (caps lock an escape: the letters stay),
# and the keys typed with it.
setxkbmap -layout us -option caps:escape || fail "setxkbmap -option"
line=$(head -c "$N" /dev/zero | tr '\0' 'k')
xdotool type --delay 0 "$line" || fail "xdotool type"
xdotool key Return
mkfifo "$T/xkbgate"
ctl up
wait_until 10 grep -q '^up' "$T/proxy.log" || fail "no up"
wait_until 60 grep -q 'X session resumed' "$T/view.err" || fail "no resume"
# The keymap's load waits at the gate until the daemon's hold is full
# and it says the desk waits for the load (before, the keys past the
# hold were dropped there, and it never said so).
wait_until 60 grep -q "wait for the desk's keymap to load" "$T/serve.err"
gate_open "$T/xkbgate"
# Two keymaps loaded (their sizes differ): the desk's first and its new one.
keymaps() { [ "$(sed -n "s/.*loading a desk's keymap (\([0-9]*\) bytes).*/\1/p" "$T/serve.err" | sort -u | wc -l)" -ge 2 ]; }
wait_until 30 keymaps || fail "the host did not load the desk's new keymap"
# (typed_a may have typed "a" more than once)
long() { [ "$(grep '^k' "$T/typed" | wc -c)" -eq $((N + 1)) ]; }
wait_until 60 long || fail "the line typed while down came $(grep '^k' "$T/typed" | wc -c) bytes long, not $((N + 1))"
# and typing goes on after it
typed_b() {
	xdotool key b Return
	grep -q '^b$' "$T/typed"
}
wait_until 20 typed_b || fail "typing after the resume does not reach the xterm"
[ "$(grep '^k' "$T/typed")" = "$line" ] || fail "the line typed while down is not what was typed"
grep -q "while the keymap loaded" "$T/serve.err" &&
	fail "the host says input was lost: $(grep "while the keymap loaded" "$T/serve.err")"
echo "ok: $N characters typed while down, the desk's keymap changed, all arrived"
