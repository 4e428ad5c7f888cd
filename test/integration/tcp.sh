#!/bin/sh
# The optional TCP listener: loopback only unless --allow-remote, a token
# in a 0600 file, refused without it.
. test/integration/lib.sh "$1"
port=$(free_port)

out=$("$TELLY" serve --listen 0.0.0.0:$port 2>&1) && fail "listened on 0.0.0.0"
echo "$out" | grep -q 'not a loopback address; add --allow-remote' || fail "message: $out"

"$TELLY" serve --listen 127.0.0.1:$port 2>"$T/serve.err" &
pids="$pids $!"
wait_until 10 test -S "$TELLY_DIR/serve.sock"
wait_until 10 test -s "$TELLY_DIR/token"
[ "$(stat -c %a "$TELLY_DIR/token")" = 600 ] || fail "token file mode $(stat -c %a "$TELLY_DIR/token")"
[ "$(stat -c %a "$TELLY_DIR")" = 700 ] || fail "runtime dir mode"
[ "$(stat -c %a "$TELLY_DIR/serve.sock")" = 600 ] || fail "socket mode"

echo wrong >"$T/badtoken"
out=$("$TELLY" ls --tcp 127.0.0.1:$port --token-file "$T/badtoken" 2>&1) && fail "wrong token accepted"
echo "$out" | grep -q 'missing or wrong token' || fail "message: $out"

tm_start w1 "exec $TELLY attach --tcp 127.0.0.1:$port --token-file $TELLY_DIR/token s1 -- env PS1='sh> ' sh"
wait_for w1 'sh>'
tm send-keys -t t:w1 'echo tcp $((40+2))' Enter
wait_for w1 'tcp 42'
"$TELLY" ls | grep -q '^s1: ' || fail "session not on the daemon"
echo "tcp listener with token: ok"
