#!/bin/sh
# telly stop while an SSH connection's process is just being forked, with
# the daemon started with SIGTERM ignored (as a starter may leave it):
# the front door's SIGTERM to that process ends it, and the connection
# is closed at once. strace holds each process's first close(2) for 3 s:
# the connection's process's comes right after its fork, and the stop
# comes in that time.
# Before, the forked process took signals with the front door's
# dispositions (SIGTERM ignored, inherited from the daemon) until it set
# its own: the SIGTERM was dropped, and the process lived on, holding the
# connection, until the login grace time (60 s here) ran out.
. test/integration/lib.sh "$1"
need_progs strace perl
cat >"$T/consoles.conf" <<EOF2
[vm1]
backend = exec:cat
EOF2
door_keys "bob:vm*:rw"
cat >"$T/noterm" <<'EOF2'
#!/bin/sh
trap '' TERM
exec "$@"
EOF2
chmod +x "$T/noterm"
export TELLY_SSH_LOGIN_GRACE=60
door_wrap="$T/noterm strace -f -o /dev/null -e trace=close -e inject=close:delay_enter=3000000:when=1"
door_start
wait_until 20 grep -q 'listening on' "$TELLY_DIR/serve.log"
# The front door: the daemon's child that runs telly (the console's runs cat).
door_pid() {
	for p in $(pgrep -P "$(daemon_pid)"); do
		[ "$(readlink "/proc/$p/exe")" = "$TELLY" ] && echo "$p"
	done
}
door=$(door_pid)
[ -n "$door" ] || fail "no front door process"
ign=$(sed -n 's/^SigIgn:[[:space:]]*//p' "/proc/$door/status")
[ $((0x$ign >> 14 & 1)) = 1 ] || fail "the front door does not ignore SIGTERM (SigIgn $ign)"
# A client that connects, sends nothing and says when the door closes.
perl -MIO::Socket::INET -e '
	my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1", PeerPort => $ARGV[0]) or die "connect: $!";
	print "connected\n";
	$| = 1;
	while (sysread($s, my $b, 4096)) {}
	print "closed\n";' "$door_port" >"$T/client" 2>&1 &
pids="$pids $!"
wait_until 10 grep -q connected "$T/client"
wait_until 10 pgrep -P "$door" >/dev/null
conn=$(pgrep -P "$door")
"$TELLY" stop >/dev/null 2>&1 || fail "telly stop"
wait_until 10 sh -c "! kill -0 $door 2>/dev/null"
# Past the hold (3 s) the connection's process acts on the SIGTERM.
wait_until 15 sh -c "! kill -0 $conn 2>/dev/null" ||
	fail "the connection's process outlived the door's SIGTERM"
wait_until 5 grep -q closed "$T/client" || fail "the connection was not closed"
echo "a connection's process forked as the door stops ends by its SIGTERM: ok"
