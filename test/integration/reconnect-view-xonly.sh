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

xterm_session 40x8+100+80 -e sh -c "exec cat >$T/typed"

cat >"$T/in" <<EOF
wait-window "xtest" 30
type "before\n"
wait-update 30
$(gate_in)
type "during one\n"
type "during two, three four five\n"
wait-update 60
EOF
view_start --x11 xs
wait_until 30 grep -qs before "$T/typed" || fail "'before' never reached the xterm"
# The link goes silent, then the view goes on past its gate: the keys of
# 'during' go into the connection that carries nothing.
stall_at_gate
wait_until 60 grep -qs five "$T/typed" || fail "'during' never reached the xterm"
wait "$vpid" || fail "the view failed"
typed_once before "during one" "during two, three four five"
grep -q "X session resumed" "$T/view.err" || fail "the view did not say the X session resumed"
echo "X keys typed into a link that went silent arrived once each, in order"
