#!/bin/sh
# Deadlines judge what the peer sent, not what the daemon got round to
# reading: while the daemon's loop is stuck longer than its HELLO and
# frame timeouts (here: making a session whose log is a full pipe), a
# connection's HELLO and another's frame's end come; once the loop goes
# on, both are served instead of closed for being late.
. test/integration/lib.sh "$1"
STORM=$B/test/rp-storm
port=$(free_port)
mkdir -p -m 700 "$TELLY_DIR" "$LOG_DIR/logs"

"$TELLY" serve --listen 127.0.0.1:$port --hello-timeout 3000 --frame-timeout 3000 \
	2>>"$TELLY_DIR/serve.log" &
pids="$pids $!"
wait_until 10 test -s "$TELLY_DIR/token"
"$TELLY" new -s s1 -- sh -c 'exec sleep 1000' >/dev/null || fail "telly new"
pid=$(daemon_pid)
[ -n "$pid" ] || fail "no daemon pid in serve.log"
mkfifo "$LOG_DIR/logs/stall.log"

"$STORM" stall 127.0.0.1:$port "$(cat "$TELLY_DIR/token")" "$pid" 4000 "$LOG_DIR/logs/stall.log" \
	>"$T/stall.out" 2>&1 &
spid=$!
pids="$pids $spid"
wait_until 30 grep -q '^ready' "$T/stall.out"
"$TELLY" new -s stall -- sh -c 'exec sleep 1000' >/dev/null 2>&1 &
pids="$pids $!"
wait $spid || fail "rp-storm stall: $(cat "$T/stall.out")"
cat "$T/stall.out"
grep -q '^hello served$' "$T/stall.out" || fail "a HELLO that came during a stall was judged late"
grep -q '^frame served$' "$T/stall.out" || fail "a frame whose end came during a stall was judged late"
"$TELLY" ls | grep -q '^s1: ' || fail "telly ls after the stall"
echo "HELLO and a frame's end that came while the daemon's loop was stuck are served: ok"
