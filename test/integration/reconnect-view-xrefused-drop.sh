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
xsess() { # TITLE FILE: X session xs, an xterm writing what it is typed to FILE
	"$TELLY" new --x11 -s xs -- xterm -T "$1" -geometry 40x8+100+80 -e sh -c "exec cat >$2" \
		>/dev/null || fail "new --x11 ($1)"
}
serve "$T/serve1.err"
link_proxy "$T/gate"
xsess firstx "$T/typed1"
# A terminal too: its title says when the view knows the link is down.
"$TELLY" new -s tt -- sh -c 'exec cat >/dev/null' >/dev/null || fail "new tt"

cat >"$T/in" <<EOF
wait-window "firstx" 30
type "one\n"
wait-update 30
screenshot $T/one.png
screenshot $T/gate
wait-window "link down" 30
wait-window "firstx" 30
type "secret\n"
wait-window "secondx" 90
type "two\n"
wait-update 30
EOF
"$TELLY" view --headless --tcp 127.0.0.1:$pport --token-file "$TELLY_DIR/token" \
	--input "$T/in" >"$T/legend" 2>"$T/view.err" &
vpid=$!
pids="$pids $vpid"
wait_until 30 grep -qs one "$T/typed1" || fail "'one' never reached the first xterm"
wait_until 30 grep -q one.png "$T/legend" || fail "the view never saw 'one' drawn"

# The link goes (the view sees it), "secret" is typed, the daemon is
# restarted with another program as xs, the link comes back.
ctl down
wait_until 10 grep -q '^down' "$T/proxy.log" || fail "the proxy never went down"
timeout 30 cat "$T/gate" >/dev/null || fail "the view never reached the gate"
stop_daemon
serve "$T/serve2.err"
xsess secondx "$T/typed2"
ctl up
wait "$vpid" || fail "the view failed"
wait_until 10 grep -qs two "$T/typed2" || fail "'two' never reached the second xterm"
[ "$(cat "$T/typed2")" = two ] || fail "the second xterm got '$(cat "$T/typed2")', not 'two'"
grep -q 'xs: [1-9][0-9]* X input events done while the link was down dropped' "$T/view.err" ||
	fail "the view did not say what it dropped"
echo "refused X resume: input typed while down dropped, said; keys from then on arrive"
