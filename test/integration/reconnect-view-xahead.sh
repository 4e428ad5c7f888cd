#!/bin/sh
# Keys typed into an X window while the link is down ride behind the X
# session's RESUME, in the redial's first flight, as a terminal window's
# do: the host's log counts them behind the RESUME (before, they waited
# for its RESUMED, a round trip later, and came behind nothing), and the
# xterm gets each once, in order, with what came before and after. Over
# TCP through cut-proxy (the link down: reset and refused); the view
# headless, held at gates (FIFOs as screenshot files) while the link is
# cut and typed into. A terminal window, whose title says when the link
# is down, is typed nothing: the frames counted behind a RESUME are the
# X window's.
. test/integration/lib.sh "$1"
. test/integration/viewlink.inc
xdown_setup
{
	xdown_in
	cat <<EOF
type "during one\n"
key Tab
type "during two\n"
screenshot $T/gate2
wait-window "xtest" 60
type "after\n"
wait-update 60
EOF
} >"$T/in"
typed_while_down 30
ctl up
wait_until 60 grep -qs after "$T/typed" || fail "'after' never reached the xterm"
wait "$vpid" || fail "the view failed"
printf 'before\nduring one\n\tduring two\nafter\n' >"$T/want"
cmp -s "$T/typed" "$T/want" || { cat "$T/typed"; fail "the xterm did not get every line once, in order"; }
grep -q "resumed its channel on X session xs" "$T/serve.err" || fail "the X session was not resumed"
grep -q "X session resumed; [1-9][0-9]* key and pointer events made while the link was down were sent" "$T/view.err" ||
	fail "the view did not say, in words, that what was typed while down was sent"
# (Some may be keys the host took before the link went, which it drops.)
grep -q ': [1-9][0-9]* frames came behind the RESUME of channel' "$T/serve.err" ||
	fail "no X input came behind its RESUME"
echo "ok: X keys typed while down rode behind their session's RESUME, each arriving once"
