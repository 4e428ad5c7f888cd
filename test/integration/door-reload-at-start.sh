#!/bin/sh
# A SIGHUP that reaches the daemon the moment it has started reloads the
# SSH front door's consoles too, even while the front door's process is
# still setting itself up: it says 'consoles read again', and it is still
# there. strace holds the front door's first close(2), just after its
# fork, for 1.5 s (the daemon's own first one comes before, in the
# loader), and the SIGHUP comes in that time.
# Before, the front door took signals at their defaults until it made its
# signalfd: the daemon's reload killed it ('the SSH front door exited
# (status 129)'), and the consoles were reachable over SSH no more.
. "$(dirname "$0")/lib.sh"
need_progs strace
cat >"$T/consoles.conf" <<EOF2
[vm1]
backend = exec:cat
EOF2
door_keys "bob:vm*:rw"
door_wrap="strace -f -o /dev/null -e trace=close -e inject=close:delay_enter=1500000:when=1"
door_start
kill -HUP "$(daemon_pid)"
wait_until 10 grep -q 'consoles read again\|the SSH front door exited' "$TELLY_DIR/serve.log"
grep -q 'the SSH front door exited' "$TELLY_DIR/serve.log" &&
	fail "the reload killed the front door: $(grep 'front door exited' "$TELLY_DIR/serve.log")"
out=$(door_ssh bob 127.0.0.1 </dev/null 2>&1)
echo "$out" | grep -q "^  vm1 *rw" || fail "vm1 is not listed over SSH after the reload: $out"
echo "a reload at the daemon's start reaches the front door: ok"
