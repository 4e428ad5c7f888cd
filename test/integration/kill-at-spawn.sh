#!/bin/sh
# A session killed the moment its program is forked, before the child has
# made its own session (setsid), ends by the hangup telly kill sends, not
# by the SIGKILL that follows 2 s later: telly new says "killed by signal
# 1". strace holds the child's setsid for 1.5 s (the daemon runs in the
# foreground under it, so the setsid is the child's; its log on its
# stderr), and telly kill comes in that time.
# Before, the hangup went to the process group only, which did not exist
# yet (ESRCH): it was lost, the program started (telly new said its name
# and exited 0) and died of the SIGKILL (status 137).
. test/integration/lib.sh "$1"
need_progs strace

strace -f -o /dev/null -e trace=setsid -e inject=setsid:delay_enter=1500000 \
	"$TELLY" serve 2>"$T/serve.err" &
pids="$pids $!"
wait_until 20 grep -qs 'serving on' "$T/serve.err"

"$TELLY" new -s early -- sleep 600 >"$T/new.out" 2>"$T/new.err" &
np=$!
pids="$pids $np"
wait_until 10 grep -q "session early started" "$T/serve.err"
"$TELLY" kill early >"$T/kill.out" 2>&1 || fail "telly kill: $(cat "$T/kill.out")"
wait "$np"
new_rc=$?
wait_until 10 grep -q "session early ended" "$T/serve.err"
grep -q "session early ended (status 129)" "$T/serve.err" ||
	fail "not ended by telly kill's hangup: $(grep 'session early' "$T/serve.err")"
[ "$new_rc" -ne 0 ] || fail "telly new said a program killed before its exec started: $(cat "$T/new.out")"
grep -q "killed by signal 1\b" "$T/new.err" || fail "telly new: $(cat "$T/new.err")"
echo "a session killed before its child's setsid ends by the hangup: ok"
