#!/bin/sh
# Out of file descriptors, the daemon waits instead of spinning: with
# `prlimit --nofile=40` and connections that take every descriptor, it
# uses almost no CPU while 10 more connects are refused (each gives up
# after 200 ms in a full listen queue), says so once in its log, and
# serves again once the connections are gone.
. test/integration/lib.sh "$1"
STORM=$B/test/rp-storm
mkdir -p -m 700 "$TELLY_DIR"

prlimit --nofile=40:40 "$TELLY" serve 2>>"$TELLY_DIR/serve.log" &
pids="$pids $!"
wait_until 10 test -S "$TELLY_DIR/serve.sock"
has_daemon_pid() { [ -n "$(daemon_pid)" ]; } # asked at each try
wait_until 10 has_daemon_pid
pid=$(daemon_pid)
"$TELLY" new -s s1 -- sh -c 'exec sleep 1000' >/dev/null || fail "telly new"

"$STORM" fill "$TELLY_DIR/serve.sock" "$pid" 10 >"$T/fill.out" 2>&1 &
spid=$!
pids="$pids $spid"
wait_until 90 grep -q '^window' "$T/fill.out"
cat "$T/fill.out"
refused=$(sed -n 's/^window refused \([0-9]*\) .*/\1/p' "$T/fill.out")
ticks=$(sed -n 's/^window .* ticks \(-*[0-9]*\)$/\1/p' "$T/fill.out")
[ "$refused" = 10 ] || fail "the full daemon took connections: $(cat "$T/fill.out")"
[ "$ticks" -ge 0 ] || fail "could not read the daemon's CPU time"
# 10 refusals take at least 2 s: a daemon that spins uses 200 ticks.
[ "$ticks" -lt 20 ] || fail "the daemon used $ticks ticks of CPU while it could not accept"
n=$(grep -c 'accept' "$TELLY_DIR/serve.log")
[ "$n" -ge 1 ] && [ "$n" -le 3 ] || { cat "$TELLY_DIR/serve.log"; fail "$n log lines about accept"; }

kill $spid
wait_until 60 sh -c "'$TELLY' ls 2>/dev/null | grep -q '^s1: '"
kill -0 "$pid" || fail "the daemon died"
echo "out of descriptors: the daemon waits, says so once, serves again: ok"
