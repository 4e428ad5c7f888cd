#!/bin/sh
# A large paste into a slow console holds the client back; it does not end
# the connection. The console's program reads at most 1 KiB every 10 ms
# (about 100 KiB/s) into a file; about 1 MB of numbered lines goes in
# through the OpenSSH client's stdin. Every byte arrives, in order, and the
# client is still connected afterwards (before, the session process waited
# at most 5 s for the monitor to take each chunk of keys and ended the
# connection when it did not).
. "$(dirname "$0")/lib.sh"
seq 1 160000 >"$T/paste"
cat >"$T/consoles.conf" <<EOF2
[vm1]
backend = exec:sh -c 'stty raw -echo; while :; do dd bs=1k count=1 2>/dev/null; sleep 0.01; done >>$T/got'
EOF2
door_keys "alice:vm1:rw"
door_start
want=$(wc -c <"$T/paste")
# stdin is the paste; the client stays connected after its end (EOF on
# the channel) until it is killed.
door_ssh alice vm1@127.0.0.1 <"$T/paste" >"$T/out" 2>"$T/err" &
client=$!
pids="$pids $client"
size() { wc -c <"$T/got" 2>/dev/null || echo 0; }
all_in() { [ "$(size)" -ge "$want" ]; }
in_or_gone() { all_in || ! kill -0 "$client" 2>/dev/null; }
wait_until 150 in_or_gone
all_in || {
	grep "sshd" "$TELLY_DIR/serve.log" | tail -n 5
	fail "$(size) of $want bytes reached the console; the client: $(tail -n 3 "$T/err" "$T/out")"
}
cmp "$T/paste" "$T/got" || fail "the console got other bytes than were pasted"
kill -0 "$client" 2>/dev/null || fail "the connection ended: $(cat "$T/err")"
grep "sshd.*closed" "$TELLY_DIR/serve.log" && fail "the front door closed a connection"
kill "$client"
echo "ok"
