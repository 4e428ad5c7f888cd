#!/bin/sh
# The host's side of the heartbeat: telly attach over TCP through
# cut-proxy, the link held silent and no new connection let through (the
# desk cannot come back and take its channel). The daemon notices by
# itself that the desk answers nothing, drops that connection within
# seconds, and the channel waits for its desk; once the link is back, attach resumes it
# exactly and every key arrives once.
. test/integration/lib.sh "$1"
. test/integration/reconnect.inc
serve_cut

cat >"$T/keys.sh" <<'PROG'
stty raw -echo
echo ready
exec cat >"$1"
PROG
mkfifo "$T/keys.fifo"
"$TELLY" attach --predict=never --tcp 127.0.0.1:$pport --token-file "$TELLY_DIR/token" \
	--create hb -- sh "$T/keys.sh" "$T/keys" <"$T/keys.fifo" >"$T/out" 2>"$T/attach.err" &
apid=$!
pids="$pids $apid"
exec 3>"$T/keys.fifo"
wait_until 20 grep -q ready "$T/out"
printf 'a.' >&3
wait_until 10 keys_are "a."

ctl hold
wait_until 10 grep -q '^hold' "$T/proxy.log"
printf 'b.' >&3 # waits on the desk
# The host measured the round trip from its first PING (answered while
# attach was still opening its channel), so it gives the desk a few
# round trips above its 6 s floor, not the 30 s of a link never measured.
wait_until 25 grep -q 'no answer from its desk' "$T/serve.err"
ms=$(grep -o 'no answer from its desk for [0-9]*' "$T/serve.err" | grep -o '[0-9]*$')
[ "$ms" -lt 15000 ] || fail "the daemon took $ms ms to give up a silent desk"
grep -q 'its channel on hb waits' "$T/serve.err" || fail "the channel does not wait for its desk"
kill -0 $apid 2>/dev/null || fail "attach ended: $(cat "$T/attach.err")"

ctl up
wait_until 30 grep -q 'resumed its channel on hb (exact' "$T/serve.err"
grep -q 'resumed elsewhere' "$T/serve.err" && fail "the daemon still held the dead connection"
printf 'c.' >&3
wait_until 10 keys_are "a.b.c."
echo "$(grep -o 'no answer from its desk for [0-9]* ms' "$T/serve.err"): dropped, resumed exactly"
echo "reconnect host heartbeat: ok"
