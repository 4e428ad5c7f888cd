#!/bin/sh
# telly stop returns once the daemon has ended, so a session made right
# after it starts in a new daemon: a program that ignores SIGHUP keeps
# the old daemon alive until its SIGKILL 2 s later, and before, `telly new`
# in that time was told "the server is stopping".
. test/integration/lib.sh "$1"
"$TELLY" new -s hupproof -- sh -c "trap '' HUP; echo ready; exec sleep 1000" >/dev/null ||
	fail "telly new"
wait_until 10 grep -qs '^ready' "$LOG_DIR/logs/hupproof.log" || fail "the program never started"
"$TELLY" stop || fail "telly stop"
"$TELLY" new -s after -- sleep 1000 >/dev/null || fail "telly new right after telly stop"
"$TELLY" ls | grep -q '^after:' || fail "the new session is not listed: $("$TELLY" ls)"
"$TELLY" ls | grep -q '^hupproof:' && fail "the old session is still listed"
echo "telly stop waits for its daemon; a session made after it starts: ok"
