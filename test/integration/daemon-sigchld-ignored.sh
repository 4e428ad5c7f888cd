#!/bin/sh
# A daemon started by something that ignores SIGCHLD (env --ignore-signal,
# a service manager's or a script's parent) still sees its programs end:
# the session ends with its program's status and telly stop ends it.
# Before, the inherited "ignore" made the kernel reap each program itself:
# the daemon never learnt it had ended, the session stayed listed for
# good, and telly stop said 'the daemon has not ended after 5 s'.
. test/integration/lib.sh "$1"
env --ignore-signal=CHLD true 2>/dev/null || { echo "env has no --ignore-signal"; exit 77; }
env --ignore-signal=CHLD "$TELLY" serve 2>"$T/serve.err" &
pids="$pids $!"
wait_until 20 grep -qs 'serving on' "$T/serve.err"
"$TELLY" new -s q -- sh -c 'exit 3' >"$T/new.out" 2>&1
wait_until 10 grep -q "session q ended (status 3)" "$T/serve.err"
"$TELLY" stop >"$T/stop.out" 2>&1 || fail "telly stop: $(cat "$T/stop.out")"
echo "a daemon that inherited an ignored SIGCHLD sees its programs end: ok"
