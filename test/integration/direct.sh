#!/bin/sh
# telly attach --direct: ssh (a real sshd on 127.0.0.1) only to learn a
# one-time secret and a port, then TCP straight to the daemon, sealed.
# Typing works and the session is the one ssh's daemon keeps; the daemon
# listens on the address sshd was reached on; the secret is in no
# process's argv and not in the daemon's log. Then a made-up secret, a
# changed byte and a replayed record are each refused with a message
# that says so, and the daemon goes on serving the attached desk.
. test/integration/lib.sh "$1"
dirs="$T/remote"
start_sshd "$T/remote"
rlog=$T/remote/serve.log
tm_start a "$TELLY attach --ssh '$ssh_cmd' --server $TELLY --direct $dest dx -- sh -c 'echo hi-there; exec cat' 2>$T/attach.err; echo attach-exit=\$?; sleep 600"
wait_for a hi-there 20
tm send-keys -t t:a 'typed through direct' Enter
wait_for a 'typed through direct' 10 2
# The daemon is the one behind sshd, and the desk reached it over TCP.
TELLY_DIR=$T/remote "$TELLY" ls | grep -q '^dx' || fail "no session dx on the ssh host's daemon"
grep -q 'direct: listening on 127.0.0.1 port' "$rlog" || fail "the daemon did not say where it listens"
port=$(sed -n 's/.*direct: listening on 127.0.0.1 port \([0-9]*\).*/\1/p' "$rlog" | head -n 1)
ss -tn state established "( sport = :$port )" | grep -q 127.0.0.1 ||
	fail "no TCP connection on the direct port $port"
# No process's argv carries the secret (its 64 hex digits).
for p in /proc/[0-9]*/cmdline; do
	{ tr '\0' ' ' <"$p"; } 2>/dev/null
	echo
done | grep -E '[0-9a-f]{64}' && fail "a secret in some process's argv"
grep -E '[0-9a-f]{64}' "$rlog" && fail "a secret in the daemon's log"

# A made-up secret: refused in the host's words; the daemon logs it.
"$B/test/direct-poke" wrong 127.0.0.1 "$port" >"$T/wrong.out" 2>&1 || fail "wrong: $(cat "$T/wrong.out")"
grep -q 'the host refused the secret: no such secret' "$T/wrong.out" ||
	fail "wrong secret: $(cat "$T/wrong.out")"
wait_until 10 grep -q 'refused: no such secret' "$rlog"
# The right secret, then a record with a byte changed, or sent twice:
# the daemon says why (sealed, so the desk can read it) and closes.
for m in tamper replay; do
	$ssh_cmd "$dest" "$TELLY serve --direct-key --direct-bind 127.0.0.1:$port" |
		"$B/test/direct-poke" $m 127.0.0.1 "$port" >"$T/$m.out" 2>&1 || fail "$m: $(cat "$T/$m.out")"
	grep -q 'ERROR record [0-9]* failed authentication (tampered, replayed or out of order)' "$T/$m.out" ||
		fail "$m: $(cat "$T/$m.out")"
	grep -q '^closed' "$T/$m.out" || fail "$m: not closed: $(cat "$T/$m.out")"
done
[ "$(grep -c '^HELLO' "$T/replay.out")" = 1 ] || fail "replay: the first copy was not answered once: $(cat "$T/replay.out")"
grep -q '^HELLO' "$T/tamper.out" && fail "tamper: a changed record was answered"
grep -q 'failed authentication' "$rlog" || fail "the daemon's log does not say a record failed"
# A bind that is not an address is refused, saying what it wants.
$ssh_cmd "$dest" "$TELLY serve --direct-key --direct-bind localhost" >"$T/bind.out" 2>&1 &&
	fail "a bind to a name was taken"
grep -q "cannot listen on 'localhost': wants an IP address" "$T/bind.out" || fail "bind: $(cat "$T/bind.out")"
# The attached desk is still served.
tm send-keys -t t:a 'still here' Enter
wait_for a 'still here' 10 2
screen a | grep -q attach-exit && fail "attach ended: $(cat "$T/attach.err")"
echo "direct: ok"
