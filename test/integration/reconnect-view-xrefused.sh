#!/bin/sh
# telly view's X session when the host no longer has its channel: the
# daemon is stopped and started again while the link is down, with an X
# session of the same name there again. The refused RESUME becomes a new
# attach: the new session's window is drawn, the view says how many X
# input events it did not send again (their fate is not known), and keys
# typed from then on reach the new program once; the old program got
# what it got before, once. Over TCP through cut-proxy.
. test/integration/lib.sh "$1"
command -v xterm >/dev/null || { echo "no xterm"; exit 77; }
. test/integration/viewlink.inc
fail() { view_fail "$@"; }
xsess() { # TITLE FILE: X session xs, an xterm writing what it is typed to FILE
	"$TELLY" new --x11 -s xs -- xterm -T "$1" -geometry 40x8+100+80 -e sh -c "exec cat >$2" \
		>/dev/null || fail "new --x11 ($1)"
}
serve "$T/serve1.err"
link_proxy
xsess firstx "$T/typed1"

cat >"$T/in" <<EOF
wait-window "firstx" 30
type "one\n"
wait-update 30
screenshot $T/one.png
wait-window "secondx" 90
type "two\n"
wait-update 30
EOF
"$TELLY" view --headless --tcp 127.0.0.1:$pport --token-file "$TELLY_DIR/token" \
	--input "$T/in" >"$T/legend" 2>"$T/view.err" &
vpid=$!
pids="$pids $vpid"
wait_until 30 grep -qs one "$T/typed1" || fail "'one' never reached the first xterm"
# The link goes only once the view has seen 'one' drawn: its wait-update
# could otherwise wait for a picture the dead link cannot bring.
wait_until 30 grep -q one.png "$T/legend" || fail "the view never saw 'one' drawn"

# The daemon goes, and its X session with it; the link is refused meanwhile.
ctl down
stop_daemon
serve "$T/serve2.err"
xsess secondx "$T/typed2"
ctl up
wait "$vpid" || fail "the view failed"
wait_until 10 grep -qs two "$T/typed2" || fail "'two' never reached the second xterm"
[ "$(cat "$T/typed2")" = two ] || fail "the second xterm got '$(cat "$T/typed2")', not 'two'"
[ "$(cat "$T/typed1" 2>/dev/null)" = one ] || fail "the first xterm got '$(cat "$T/typed1")'"
grep -q 'xs attached anew, [0-9]* X input events not resent: its channel was gone' "$T/view.err" ||
	fail "the view did not say the X session was attached anew"
echo "refused X resume: attached anew, keys from then on arrive once"
