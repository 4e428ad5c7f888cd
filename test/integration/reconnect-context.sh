#!/bin/sh
# Prediction's context after a drop: the program behind telly attach
# changes what reads the pty (cat in raw mode with no echo, where sh ran)
# while the link is down; once it is resumed the desk knows the host's
# context as it is now, not as it was (--stats says the last CONTEXT).
. test/integration/lib.sh "$1"
. test/integration/reconnect.inc
serve_cut

cat >"$T/later.sh" <<'PROG'
echo ready
while [ ! -e "$1/go" ]; do sleep 0.02; done
stty raw -echo
exec cat >"$1/keys"
PROG
mkfifo "$T/keys.fifo"
"$TELLY" attach --stats --predict=always --tcp 127.0.0.1:$pport --token-file "$TELLY_DIR/token" \
	--create cx -- sh "$T/later.sh" "$T" <"$T/keys.fifo" >"$T/out" 2>"$T/attach.err" &
apid=$!
pids="$pids $apid"
exec 3>"$T/keys.fifo"
wait_until 20 grep -q ready "$T/out"

ctl down
wait_until 20 grep -aq 'link down' "$T/out"
: >"$T/go" # the program changes while the desk cannot hear it
wait_until 10 test -e "$T/keys"
ctl up
wait_until 30 grep -q 'resumed its channel on cx (exact' "$T/serve.err"
# No key before leaving: a key would make the host look again anyway.
printf '~.' >&3 # detach (the first keys: after a newline): --stats is printed
wait $apid
grep "host's context" "$T/attach.err" || fail "no context in --stats: $(cat "$T/attach.err")"
# stty raw -echo leaves IEXTEN (0x08) of the six bits.
grep -q "host's context: flags 0x08, group [0-9]*, program 'cat'" "$T/attach.err" ||
	fail "the desk's context is not the host's (cat, raw, no echo)"
echo "reconnect context: ok"
