#!/bin/sh
# Strangers on the TCP listener who connect and say nothing, or stall in
# the middle of a frame, can neither lock the owner out of the unix socket
# nor stay: 300 silent connections from 40 addresses and 20 that stop
# mid-HELLO leave `telly ls` working at once, and the HELLO deadline
# closes every one. A peer that said HELLO and then stops mid-frame is
# closed by the frame deadline.
. test/integration/lib.sh "$1"
STORM=$B/test/rp-storm
port=$(free_port)
mkdir -p -m 700 "$TELLY_DIR"

"$TELLY" serve --listen 127.0.0.1:$port --hello-timeout 1500 --frame-timeout 1500 \
	2>>"$TELLY_DIR/serve.log" &
pids="$pids $!"
wait_until 10 test -S "$TELLY_DIR/serve.sock"
"$TELLY" new -s s1 -- sh -c 'exec sleep 1000' >/dev/null || fail "telly new"

"$STORM" hold 127.0.0.1:$port 320 --from 40 --partial 20 >"$T/hold.out" 2>"$T/hold.err" &
pids="$pids $!"
wait_until 30 grep -q '^open' "$T/hold.out"
echo "$(cat "$T/hold.out" | head -n 1) (of 320 silent or stalled TCP connections)"
out=$("$TELLY" ls 2>&1) || fail "telly ls with the TCP listener full of strangers: $out"
echo "$out" | grep -q '^s1: ' || fail "telly ls: $out"

# Each is closed: at once (over a budget) or at its HELLO deadline.
wait_until 30 grep -q '^closed 320$' "$T/hold.out"
"$TELLY" ls | grep -q '^s1: ' || fail "telly ls after the storm"

# An owner's connection that said HELLO and stalls mid-frame goes too.
"$STORM" hold "$TELLY_DIR/serve.sock" 4 --hello --partial 4 >"$T/stall.out" 2>&1 &
pids="$pids $!"
wait_until 30 grep -q '^closed 4$' "$T/stall.out"
grep -q 'no whole frame within 1500 ms' "$TELLY_DIR/serve.log" || fail "no frame deadline in the log"

lines=$(wc -l <"$TELLY_DIR/serve.log")
echo "serve.log: $lines lines after 324 strangers"
[ "$lines" -le 60 ] || { tail -n 20 "$TELLY_DIR/serve.log"; fail "serve.log has $lines lines"; }
kill -0 "$(daemon_pid)" || fail "the daemon died"
echo "silent and stalled peers: the owner is served, each peer is closed: ok"
