#!/bin/sh
# Wrong TCP tokens cost the guesser, not the daemon: 2000 tries in a row
# from one address get few answers (each wrong token delays the next try
# from there, doubling), the log summarises them in a few lines, and the
# owner's unix socket serves throughout; the right token works once the
# backoff has passed.
. test/integration/lib.sh "$1"
STORM=$B/test/rp-storm
port=$(( 20000 + ($$ + 13) % 20000 ))
mkdir -p -m 700 "$TELLY_DIR"

"$TELLY" serve --listen 127.0.0.1:$port 2>>"$TELLY_DIR/serve.log" &
pids="$pids $!"
wait_until 10 test -s "$TELLY_DIR/token"
"$TELLY" new -s s1 -- sh -c 'exec sleep 1000' >/dev/null || fail "telly new"

"$STORM" tokens 127.0.0.1:$port 2000 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef \
	>"$T/tokens.out" 2>&1 &
spid=$!
pids="$pids $spid"
served=0
while kill -0 $spid 2>/dev/null; do
	out=$("$TELLY" ls 2>&1) || fail "telly ls during the guessing: $out"
	echo "$out" | grep -q '^s1: ' || fail "telly ls during the guessing: $out"
	served=$((served + 1))
done
wait $spid
res=$(cat "$T/tokens.out")
echo "2000 wrong tokens: $res; the owner's telly ls served $served times meanwhile"
wrong=$(echo "$res" | sed -n 's/.*wrong=\([0-9]*\).*/\1/p')
refused=$(echo "$res" | sed -n 's/.*refused=\([0-9]*\).*/\1/p')
[ -n "$wrong" ] || fail "rp-storm: $res"
[ "$wrong" -le 40 ] || fail "$wrong wrong tokens were compared (at most 40 wanted)"
[ $((wrong + refused)) -eq 2000 ] || fail "not every try was answered: $res"
[ "$served" -ge 1 ] || fail "telly ls never ran"

lines=$(wc -l <"$TELLY_DIR/serve.log")
echo "serve.log: $lines lines"
[ "$lines" -le 30 ] || { tail -n 20 "$TELLY_DIR/serve.log"; fail "serve.log has $lines lines"; }
grep -q 'wrong token' "$TELLY_DIR/serve.log" || fail "the wrong tokens are not in the log"

# The backoff ends (it is capped): the right token gets in again.
wait_until 60 sh -c "'$TELLY' ls --tcp 127.0.0.1:$port --token-file '$TELLY_DIR/token' 2>/dev/null | grep -q '^s1: '"
echo "wrong tokens backed off and summarised, the owner served: ok"
