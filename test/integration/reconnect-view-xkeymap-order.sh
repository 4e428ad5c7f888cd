#!/bin/sh
# A key is read in the layout it was typed with, also when it goes after
# the desk's layout changed: with the link down, z y are typed on a us
# desk, the layout is switched to de (setxkbmap on the desk's display),
# and z y are typed again (now the keycodes of de). Once the link is
# back the view sends the keys kept while it was down with the keymap
# each was typed with, the us one before the first two and the de one
# after them, so the host's xterm reads "zyzy" (before, the new keymap
# went first and the first two read as "yz"); then z y typed once resumed
# read "zy" (de). The desk is the x11 backend on its own Xvfb, keys from
# xdotool, over TCP through cut-proxy.
. test/integration/lib.sh "$1"
need_progs xterm xdotool setxkbmap xkbcomp
. test/integration/viewlink.inc
fail() { view_fail "$@"; }
desk_link_view 80x8+10+10 us
ctl down
wait_until 10 grep -q '^down' "$T/proxy.log" || view_fail "no down"
wait_until 20 grep -q 'the link is down' "$T/view.err" || view_fail "the view did not see the link go"
xdotool type --delay 0 zy || view_fail "xdotool type (us)"
setxkbmap -layout de || view_fail "setxkbmap de"
# The view has the new keymap once a key it types is de's (xdotool reads
# the desk's keymap itself; the view takes the change from the X server).
xdotool type --delay 0 zy || view_fail "xdotool type (de)"
xdotool key Return
ctl up
wait_until 10 grep -q '^up' "$T/proxy.log" || view_fail "no up"
wait_until 60 grep -q 'X session resumed' "$T/view.err" || view_fail "no resume"
typed_b() {
	xdotool type --delay 0 zy
	xdotool key Return
	grep -q '^zy$' "$T/typed"
}
wait_until 30 sh -c "[ \$(grep -c . '$T/typed') -ge 2 ]" || view_fail "the keys typed while down never came"
wait_until 20 typed_b || view_fail "z y typed after the resume did not read zy: $(tail -n 1 "$T/typed")"
line=$(grep -v '^a$' "$T/typed" | head -n 1)
[ "$line" = zyzy ] ||
	view_fail "z y typed on us and z y on de while the link was down read '$line', not 'zyzy'"
echo "ok: keys kept while the link was down read in the layout each was typed with"
