#!/bin/sh
# Keys typed into an X window while the link is down, when the host then
# refuses to resume its channel (the daemon was restarted, and runs an X
# session of the same name that is another program): they must not go to
# the new program (they could be a password for the old one); the view
# says how many it dropped, and keys typed from then on reach the new one.
# Over TCP through cut-proxy; the view headless, held at a gate (a FIFO
# as a screenshot file) while the link goes down, and typing only once a
# terminal's title says the view knows.
. test/integration/lib.sh "$1"
command -v xterm >/dev/null || { echo "no xterm"; exit 77; }
. test/integration/viewlink.inc
fail() { view_fail "$@"; }
refused_first "$T/gate"
# A terminal too: its title says when the view knows the link is down.
"$TELLY" new -s tt -- sh -c 'exec cat >/dev/null' >/dev/null || fail "new tt"

refused_in "screenshot $T/gate" 'wait-window "link down" 30' 'wait-window "firstx" 30' \
	'type "secret\n"' >"$T/in"
view_start
one_drawn

# The link goes (the view sees it), "secret" is typed, the daemon is
# restarted with another program as xs, the link comes back.
ctl down
wait_until 10 grep -q '^down' "$T/proxy.log" || fail "the proxy never went down"
timeout 30 cat "$T/gate" >/dev/null || fail "the view never reached the gate"
refused_second
grep -q 'xs: [1-9][0-9]* X input events done while the link was down dropped' "$T/view.err" ||
	fail "the view did not say what it dropped"
echo "refused X resume: input typed while down dropped, said; keys from then on arrive"
