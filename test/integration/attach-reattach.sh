#!/bin/sh
# Create a session by attaching, type, detach with ~., reattach from a
# second terminal and find the same screen; ls shows it; kill ends it.
. test/integration/lib.sh "$1"

tm_start w1 "exec $TELLY attach s1 -- env PS1='sh> ' sh"
wait_for w1 'sh>'
tm send-keys -t t:w1 'echo $((6*7))' Enter
wait_for w1 42
tm send-keys -t t:w1 '~.'
wait_for w1 '[detached from s1]'

"$TELLY" ls | grep -q '^s1: env PS1=\$  sh\|^s1: ' || fail "ls does not show s1: $("$TELLY" ls)"
"$TELLY" ls | grep -q '0 viewers' || fail "s1 still has a viewer after detach: $("$TELLY" ls)"

tm_start w2 "exec $TELLY attach s1"
wait_for w2 'echo $((6*7))'   # the screen as it was left, not a replay
wait_for w2 42
tm send-keys -t t:w2 'echo again$((1+1))' Enter
wait_for w2 again2

"$TELLY" kill s1 || fail "kill s1 failed"
wait_for w2 '[s1 exited with status'
wait_until 10 sh -c "! '$TELLY' ls 2>/dev/null | grep -q '^s1:'"
echo "attach, detach, reattach: ok"
