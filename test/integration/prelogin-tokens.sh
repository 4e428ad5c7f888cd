#!/bin/sh
# Wrong TCP tokens cost the guesser, not the daemon: 20000 tries in a row
# from one address get few answers (each wrong token delays the next try
# from there, doubling), the log summarises them in a few lines, and the
# owner is served throughout: on the unix socket, and over TCP with the
# right token from the same address (127.0.0.1, as an ssh -L tunnel's),
# the backoff notwithstanding. Silent connections from that address,
# as many as it may keep waiting, do not keep the owner out either.
. test/integration/lib.sh "$1"
STORM=$B/test/rp-storm
port=$(free_port)
mkdir -p -m 700 "$TELLY_DIR"

"$TELLY" serve --listen 127.0.0.1:$port 2>>"$TELLY_DIR/serve.log" &
pids="$pids $!"
wait_until 10 test -s "$TELLY_DIR/token"
"$TELLY" new -s s1 -- sh -c 'exec sleep 1000' >/dev/null || fail "telly new"

tries=20000 # long enough for the owner's tries below to meet it
"$STORM" tokens 127.0.0.1:$port $tries 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef \
	>"$T/tokens.out" 2>&1 &
spid=$!
pids="$pids $spid"
served=0 tcp_served=0
tcp_ls() { "$TELLY" ls --tcp 127.0.0.1:$port --token-file "$TELLY_DIR/token" 2>&1; }
while kill -0 $spid 2>/dev/null; do
	out=$("$TELLY" ls 2>&1) || fail "telly ls during the guessing: $out"
	echo "$out" | grep -q '^s1: ' || fail "telly ls during the guessing: $out"
	served=$((served + 1))
	# Only while the guesser is still at it does this say anything.
	out=$(tcp_ls) || { kill -0 $spid 2>/dev/null || break; fail "the right token over TCP during the guessing: $out"; }
	echo "$out" | grep -q '^s1: ' || fail "telly ls --tcp during the guessing: $out"
	kill -0 $spid 2>/dev/null && tcp_served=$((tcp_served + 1))
done
wait $spid
res=$(cat "$T/tokens.out")
echo "$tries wrong tokens: $res; the owner's telly ls served $served times meanwhile, over TCP $tcp_served"
wrong=$(echo "$res" | sed -n 's/.*wrong=\([0-9]*\).*/\1/p')
refused=$(echo "$res" | sed -n 's/.*refused=\([0-9]*\).*/\1/p')
[ -n "$wrong" ] || fail "rp-storm: $res"
[ "$wrong" -le 40 ] || fail "$wrong tries were answered as wrong tokens (at most 40 wanted: the rest while backing off)"
[ $((wrong + refused)) -eq $tries ] || fail "not every try was answered: $res"
[ "$served" -ge 1 ] || fail "telly ls never ran"
[ "$tcp_served" -ge 1 ] || fail "telly ls --tcp never ran during the guessing"
[ "$refused" -ge 1 ] || fail "the guesser never backed off: $res"

lines=$(wc -l <"$TELLY_DIR/serve.log")
echo "serve.log: $lines lines"
[ "$lines" -le 30 ] || { tail -n 20 "$TELLY_DIR/serve.log"; fail "serve.log has $lines lines"; }
grep -q 'wrong token' "$TELLY_DIR/serve.log" || fail "the wrong tokens are not in the log"

# 8 silent connections from 127.0.0.1 (all it may keep waiting for a
# HELLO): the owner's still gets in, and the oldest of them goes.
"$STORM" hold 127.0.0.1:$port 8 --seconds 60 >"$T/hold.out" 2>&1 &
hpid=$!
pids="$pids $hpid"
wait_until 30 grep -q '^open 8' "$T/hold.out"
out=$(tcp_ls) || fail "the right token over TCP beside 8 silent connections: $out"
echo "$out" | grep -q '^s1: ' || fail "telly ls --tcp beside 8 silent connections: $out"
wait_until 30 grep -q '^closed 1$' "$T/hold.out"
kill $hpid 2>/dev/null
echo "wrong tokens backed off and summarised, the owner served over the unix socket and TCP: ok"
