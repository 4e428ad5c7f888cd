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

# The deadlines start before the stall (the connection's accept, the
# frame's first bytes) and must not end before it: the stall has to
# begin within 3 s, which a loaded machine may miss. Such a round says
# so (rp-storm exits 3) and proves nothing either way: another one goes.
round=0
while :; do
	round=$((round + 1))
	mkfifo "$LOG_DIR/logs/stall$round.log"
	"$STORM" stall 127.0.0.1:$port "$(cat "$TELLY_DIR/token")" "$pid" 3000 4000 \
		"$LOG_DIR/logs/stall$round.log" >"$T/stall.out" 2>&1 &
	spid=$!
	pids="$pids $spid"
	wait_until 30 grep -q '^ready' "$T/stall.out"
	"$TELLY" new -s stall$round -- sh -c 'exec sleep 1000' >/dev/null 2>&1 &
	pids="$pids $!"
	wait $spid
	rc=$?
	cat "$T/stall.out"
	[ $rc -eq 3 ] && [ $round -lt 5 ] && continue
	[ $rc -eq 0 ] || fail "rp-storm stall (round $round): $(cat "$T/stall.out")"
	break
done
grep -q '^hello served$' "$T/stall.out" || fail "a HELLO that came during a stall was judged late"
grep -q '^frame served$' "$T/stall.out" || fail "a frame whose end came during a stall was judged late"
"$TELLY" ls | grep -q '^s1: ' || fail "telly ls after the stall"
echo "HELLO and a frame's end that came while the daemon's loop was stuck are served: ok"
