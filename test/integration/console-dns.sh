#!/bin/sh
# A tcp: console whose host is a name that the resolver never answers
# holds nobody: the daemon serves, a shell session in it echoes through
# telly attach at once, the console's log says which name did not answer,
# and a console on a name that does resolve (localhost) connects.
#
# The resolver is real: the daemon runs in its own network and mount
# namespaces (unshare, as root of a user namespace), where
# /etc/resolv.conf names 127.0.0.1 and a UDP socket bound there takes the
# queries and never answers (glibc waits its timeout:30).
. test/integration/lib.sh "$1"
need_progs unshare ip python3
unshare -rnm true 2>/dev/null || { echo "no user namespaces here"; exit 77; }

mkdir -p "$TELLY_DIR" && chmod 700 "$TELLY_DIR"
gport=$(free_port)
printf 'nameserver 127.0.0.1\noptions timeout:30 attempts:1\n' >"$T/resolv.conf"
cat >"$T/net.py" <<EOF2
# The namespace's network: a resolver that never answers, and a guest on
# localhost:$gport that greets whoever connects.
import socket, select
dns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
dns.bind(("127.0.0.1", 53))
guest = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
guest.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
guest.bind(("127.0.0.1", $gport))
guest.listen(4)
open("$T/net-ready", "w").close()
held = []
while True:
    r, _, _ = select.select([dns, guest], [], [])
    if dns in r:
        dns.recvfrom(4096)  # taken, never answered
    if guest in r:
        c, _ = guest.accept()
        c.sendall(b"guest-hello\\r\\n")
        held.append(c)
EOF2
unshare -rnm sh -c '
	ip link set lo up && mount --bind "$0/resolv.conf" /etc/resolv.conf || exit 1
	python3 "$0/net.py" &
	while [ ! -e "$0/net-ready" ]; do sleep 0.05; done
	exec "$1" serve --console slow=tcp:never.telly-test:4555 --console near=tcp:localhost:$2
' "$T" "$TELLY" "$gport" 2>>"$TELLY_DIR/serve.log" &
pids="$pids $!"

# On the tree before, the daemon resolved the name in its loop: it said
# nothing for 30 s, and again at each retry. Each step here has 10 s, a
# third of that: beside two busy loops, the namespace, python3 and the
# daemon took 2 s of the 5 s they had.
wait_until 10 grep -q 'serving on' "$TELLY_DIR/serve.log"
timeout 10 "$TELLY" new -s sh1 -- env PS1='sh> ' sh || fail "telly new did not answer"
tm_start a "exec $TELLY attach sh1"
wait_for a 'sh>' 10
tm send-keys -t t:a 'echo ok-$((6*7))' Enter
wait_for a 'ok-42' 10
wait_until 10 grep -q 'guest-hello' "$LOG_DIR/logs/near.log"
wait_until 10 grep -qF 'tcp:never.telly-test:4555: cannot resolve never.telly-test: no answer within 5 s; retrying' \
	"$LOG_DIR/logs/slow.log"
out=$(timeout 10 "$TELLY" ls 2>&1) || fail "telly ls did not answer: $out"
echo "$out" | grep -qF 'down: cannot resolve never.telly-test: no answer' ||
	fail "telly ls does not say why the console is down: $out"
echo "$out" | grep -q '^near:.*(up)' || fail "the console on localhost is not up: $out"
tm send-keys -t t:a 'echo still-$((6*7))' Enter
wait_for a 'still-42' 10
echo "console on an unanswered name: ok"
