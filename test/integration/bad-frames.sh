#!/bin/sh
# Malformed frames against a running daemon: each bad peer is told what
# was wrong and disconnected; the daemon, its sessions and its other
# clients go on.
. test/integration/lib.sh "$1"
POKE=$B/test/rp-poke
SOCK=$TELLY_DIR/serve.sock

tm_start w1 "exec $TELLY attach s1 -- env PS1='sh> ' sh"
wait_for w1 'sh>'

expect() { # WANT STEP...: rp-poke's output must contain WANT
	want=$1; shift
	out=$("$POKE" "$SOCK" "$@")
	case "$out" in
	*"$want"*) ;;
	*) fail "rp-poke $*: want '$want', got: $out" ;;
	esac
	kill -0 "$(daemon_pid)" || fail "the daemon died after: rp-poke $*"
}
expect 'ERROR code=1 fatal=1 msg=malformed frame header (type 0)' raw 0000000000000000
expect 'msg=frame of 4294967295 bytes is over the limit of 65536' raw 01000000ffffffff
expect 'msg=expected HELLO first, got LIST (type 4)' list
expect 'msg=malformed HELLO frame' frame 1 54454c4c59
expect 'msg=protocol version 9 not supported' frame 1 54454c4c5900090000000000000000
expect 'msg=malformed OPEN frame (3 bytes of payload)' hello frame 6 000000
# a string length past the end of the payload
expect 'msg=malformed OPEN frame' hello frame 6 0000000105ffff41
# a session name that would escape the runtime directory
expect 'msg=malformed KILL frame' hello frame 7 00000001000b2e2e2f2e2e2f6574632f
# HANDOFF without the two descriptors, or after HELLO
expect 'msg=HANDOFF must come first and alone, with 2 descriptors (got 0)' frame 25 ''
expect 'msg=HANDOFF must come first and alone' hello frame 25 ''
# an unknown type is answered, not fatal: the next request is served
out=$("$POKE" "$SOCK" --until 5 hello frame 99 '' list)
echo "$out" | grep -q 'ERROR code=4 fatal=0 msg=unknown message type 99' || fail "unknown type: $out"
echo "$out" | grep -q 'LIST_REPLY' || fail "no LIST_REPLY after an unknown type: $out"
# input on a channel that is not attached
out=$("$POKE" "$SOCK" --until 5 hello frame 16 0000000141 list)
echo "$out" | grep -q 'INPUT on channel 0, which is not attached' || fail "$out"

grep -q 'closed: malformed frame header' "$TELLY_DIR/serve.log" || fail "not in the daemon's log"
tm send-keys -t t:w1 'echo still $((2*21))' Enter
wait_for w1 'still 42'
"$TELLY" ls | grep -q '^s1: ' || fail "ls after bad frames"
echo "malformed frames: each peer told and closed, the daemon serves on: ok"
