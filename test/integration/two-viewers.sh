#!/bin/sh
# Two viewers at once see the same session: what one types (echoed on its
# own desk) and what the program answers appear on both; a read-only
# viewer sees everything and cannot type.
. test/integration/lib.sh "$1"

tm_start w1 "exec $TELLY attach s1 -- env PS1='sh> ' sh"
wait_for w1 'sh>'
tm_start w2 "exec $TELLY attach s1"
wait_for w2 'sh>'
tm_start ro "exec $TELLY attach -r s1"
wait_for ro 'sh>'
"$TELLY" ls | grep -q '3 viewers' || fail "ls: $("$TELLY" ls)"

tm send-keys -t t:w1 'echo AB$((1+2))' Enter
wait_for w1 AB3
wait_for w2 'echo AB$((1+2))'   # w1's local echo reaches w2 through the host
wait_for w2 AB3
wait_for ro AB3

tm send-keys -t t:w2 'echo CD$((3+4))' Enter
wait_for w2 CD7
wait_for w1 CD7

tm send-keys -t t:ro 'echo RO$((5+5))' Enter
tm send-keys -t t:w1 'echo marker' Enter
wait_for ro marker
screen w1 | grep -qF RO10 && fail "the read-only viewer's keys reached the session"
grep -q 'RO' "$LOG_DIR/logs/s1.log" && fail "read-only keys are in the session log"
echo "two viewers and a read-only one: ok"
