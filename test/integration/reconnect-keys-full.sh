#!/bin/sh
# What telly attach keeps for the host until it has taken it is bounded
# (1 MiB, RP_INLOG_BYTES). Here 3 MB of keys are pasted into a program
# that does not read for a while, through cut-proxy: the host stops
# reading the connection, the link is lost (its heartbeat goes
# unanswered, and a cut) and resumed meanwhile. Attach stops reading its
# terminal while what it keeps is full, so the keys wait in the kernel,
# and says so on its status line; once the program reads, every key
# arrives once, in order. Before, attach read on and let the oldest kept
# keys go: the resume then lost them ("some keys were lost").
. test/integration/lib.sh "$1"
. test/integration/reconnect.inc
serve_cut
seq 1 400000 | tr '\n' , >"$T/data"
cat >"$T/slow.sh" <<'EOF'
stty raw -echo
echo ready
while [ ! -e "$1/go" ]; do sleep 0.05; done
exec cat >"$1/keys"
EOF
mkfifo "$T/keys.fifo"
"$TELLY" attach -e none --predict=never --tcp 127.0.0.1:$pport --token-file "$TELLY_DIR/token" \
	--create rc -- sh "$T/slow.sh" "$T" <"$T/keys.fifo" >"$T/out" 2>"$T/attach.err" &
apid=$!
pids="$pids $apid"
exec 3>"$T/keys.fifo"
wait_until 20 grep -q ready "$T/out"
cat "$T/data" >&3 &
wpid=$!
pids="$pids $wpid"
# Attach took all the keys, or stopped taking them (and said so).
held() { grep -aq 'typed that the server has not taken yet' "$T/out"; }
read_or_held() { held || ! kill -0 $wpid 2>/dev/null; }
wait_until 30 read_or_held
n=$(resumed)
ctl cut
wait_until 30 more_resumed "$n"
: >"$T/go"
size=$(wc -c <"$T/data")
got() { [ -e "$T/keys" ] && [ "$(wc -c <"$T/keys")" -ge "$size" ]; }
end=$(( $(date +%s) + 90 ))
until got; do
	[ "$(date +%s)" -le "$end" ] || fail "$(cat "$T/keys" 2>/dev/null | wc -c) of $size key bytes arrived: $(tr -d '\033' <"$T/out" | grep -ao '\[telly:[^]]*\]' | sort | uniq -c)"
	kill -0 $apid 2>/dev/null || fail "attach ended: $(cat "$T/attach.err")"
	sleep 0.1
done
cmp -s "$T/data" "$T/keys" || fail "the keys arrived changed: $(cmp "$T/data" "$T/keys")"
grep -aq 'keys were lost\|keys dropped' "$T/out" && fail "attach said keys were lost"
held || fail "attach never said that keys wait"
kill -0 $apid 2>/dev/null || fail "attach ended: $(cat "$T/attach.err")"
echo "reconnect-keys-full: $size key bytes pasted while the program did not read, each once"
