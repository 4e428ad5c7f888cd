#!/bin/sh
# A daemon that exits takes nobody new before it ends its connections:
# its socket file is removed (and the listener closed) before it closes
# the connection of the `telly stop` that ended it. Otherwise stop
# returned while the socket still listened, and a `telly new` right after
# it was put in the exiting daemon's backlog and reset ("no answer from
# the server: Connection reset by peer", seen under load in
# stop-then-new). strace tells the order, whatever the machine's speed.
. test/integration/lib.sh "$1"
need_progs strace
"$TELLY" new -s a -- sleep 1000 >/dev/null || fail "telly new"
d=$(daemon_pid)
[ -n "$d" ] || fail "no daemon"
strace -p "$d" -o "$T/trace" -e trace=accept,accept4,unlink,unlinkat,close 2>"$T/strace.err" &
st=$!
pids="$pids $st"
wait_until 10 grep -q "attached" "$T/strace.err"
"$TELLY" stop || fail "telly stop"
wait_until 20 sh -c "! kill -0 $st 2>/dev/null"
# The stop's connection: the last one the daemon accepted.
conn=$(sed -n 's/^accept4\{0,1\}(.*= \([0-9][0-9]*\)$/\1/p' "$T/trace" | tail -n 1)
[ -n "$conn" ] || fail "no accept in the trace: $(cat "$T/trace")"
unl=$(grep -n 'unlink.*serve\.sock' "$T/trace" | head -n 1 | cut -d: -f1)
[ -n "$unl" ] || fail "the daemon did not remove its socket: $(cat "$T/trace")"
cls=$(grep -n "^close($conn)" "$T/trace" | tail -n 1 | cut -d: -f1)
[ -n "$cls" ] || fail "the daemon did not close the stop's connection (fd $conn): $(cat "$T/trace")"
[ "$unl" -lt "$cls" ] ||
	fail "the stop's connection (fd $conn) was closed (line $cls) before the socket was removed (line $unl)"
echo "the exiting daemon removes its socket before it ends its connections: ok"
