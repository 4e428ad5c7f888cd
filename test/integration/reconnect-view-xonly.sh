#!/bin/sh
# telly view of an X session alone (--x11 NAME: no terminal window) across
# a link that goes silent: the view's heartbeat notices it (it did not,
# with no terminal channel to resume), redials and resumes the X
# session's channel, and keys typed after the link died, before the view
# noticed, reach the xterm once each and in order. Over TCP through
# cut-proxy ("stall"); the view headless with a script held at a gate (a
# FIFO as its screenshot file) until the link is stalled.
. test/integration/lib.sh "$1"
command -v xterm >/dev/null || { echo "no xterm"; exit 77; }
. test/integration/viewlink.inc
serve "$T/serve.err"
link_proxy "$T/gate"
fail() { view_fail "$@"; }

tl new --x11 -s xs -- xterm -T xtest -geometry 40x8+100+80 -e sh -c "exec cat >$T/typed" ||
	fail "new --x11"
wait_until 20 sh -c "\"$TELLY\" ls | grep -q 'window .*\"xtest\"'"

cat >"$T/in" <<EOF
wait-window "xtest" 30
type "before\n"
wait-update 30
screenshot $T/gate
type "during one\n"
type "during two, three four five\n"
wait-update 60
EOF
tl view --headless --x11 xs --input "$T/in" >"$T/legend" 2>"$T/view.err" &
vpid=$!
pids="$pids $vpid"
wait_until 30 grep -qs before "$T/typed" || fail "'before' never reached the xterm"
# The link goes silent, then the view goes on past its gate: the keys of
# 'during' go into the connection that carries nothing.
ctl stall
wait_until 10 grep -q '^stall' "$T/proxy.log"
timeout 60 cat "$T/gate" >/dev/null || fail "the view never reached its gate"
wait_until 60 grep -qs five "$T/typed" || fail "'during' never reached the xterm"
wait "$vpid" || fail "the view failed"
printf 'before\nduring one\nduring two, three four five\n' >"$T/want"
cmp -s "$T/typed" "$T/want" || {
	echo "--- typed:"
	cat "$T/typed"
	fail "the X window did not get every line once, in order"
}
grep -q "X session resumed" "$T/view.err" || fail "the view did not say the X session resumed"
echo "X keys typed into a link that went silent arrived once each, in order"
