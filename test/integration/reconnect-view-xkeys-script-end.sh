#!/bin/sh
# A headless view's script that ends while the link is down, right after
# typing into an X window: the input it typed is not dropped with the
# view. It waits for the link, and ends once the X session is resumed
# (its input the host's). Before, the script's end closed the view at
# once, and the keys kept for the host were lost (a terminal window's
# waited already). Over TCP through cut-proxy, the view held at gates
# (FIFOs as screenshot files) while the link is cut.
. test/integration/lib.sh "$1"
. test/integration/viewlink.inc
xdown_setup
{
	xdown_in
	cat <<EOF
type "during\n"
screenshot $T/gate2
EOF
} >"$T/in"
typed_while_down 30
ctl up
wait "$vpid" || fail "the view failed"
wait_until 20 grep -qs during "$T/typed" || fail "the xterm got '$(cat "$T/typed")', no 'during'"
printf 'before\nduring\n' >"$T/want"
cmp -s "$T/typed" "$T/want" || fail "the xterm got '$(cat "$T/typed")', not before and during once"
echo "ok: X keys typed while down by a script that ended then reached the host"
