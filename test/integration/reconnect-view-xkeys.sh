#!/bin/sh
# telly view's X input across a link that goes silent: keys typed into an
# X window (xterm running cat) after the link has died but before the view
# has noticed (its heartbeat needs about 2 s) reach the program exactly
# once and in order, with what came before and after. The host says in
# RESUMED which X input it took; the view sends exactly the rest again.
# Over TCP through cut-proxy ("stall": the connection open, carrying
# nothing); the view headless with a script, held at a gate (a FIFO as
# its screenshot file) until the link is stalled, so that its keys go
# into the dead connection.
. test/integration/lib.sh "$1"
command -v xterm >/dev/null || { echo "no xterm"; exit 77; }
. test/integration/viewlink.inc
serve "$T/serve.err"
link_proxy "$T/gate"
fail() { view_fail "$@"; }

# A terminal whose title says when the link is down, and answers keys.
keys_session
xterm_session 40x8+100+80 -e sh -c "exec cat >$T/typed"

cat >"$T/in" <<EOF
$(keys_ready_in)
wait-window "xtest" 30
type "before\n"
wait-update 30
$(gate_in)
type "during one\n"
type "during two, three four five\n"
$(keys_resumed_in)
wait-window "xtest" 60
type "after\n"
wait-update 30
EOF
view_start
wait_until 30 grep -qs before "$T/typed" || fail "'before' never reached the xterm"
# The link goes silent, then the view goes on past its gate: the keys of
# 'during' go into the connection that carries nothing.
stall_at_gate
wait_until 60 grep -qs after "$T/typed" || fail "'after' never reached the xterm"
wait "$vpid" || fail "the view failed"
typed_once before "during one" "during two, three four five" after
grep -q "X session resumed" "$T/view.err" || fail "the view did not say the X session resumed"
echo "X keys typed into a link that went silent arrived once each, in order"
