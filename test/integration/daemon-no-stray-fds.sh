#!/bin/sh
# The daemon a client starts keeps nothing the client had open, nor do
# the programs it runs: a script that holds a lock (flock) and runs
# `telly new` must find its lock free once it has closed it, not held
# by the daemon and the session's program until `telly stop`.
. test/integration/lib.sh "$1"
need_progs flock

lock=$T/lock
# The client runs with the lock held on fd 9 (not close-on-exec, as a
# shell's redirection makes it) and ends; the daemon it started stays.
sh -c "exec 9>'$lock'; flock 9 && exec '$TELLY' new -s s -- sleep 600" >"$T/new.out" 2>&1 ||
	fail "telly new: $(cat "$T/new.out")"
d=$(daemon_pid)
[ -n "$d" ] || fail "no daemon running"
prog=$(pgrep -f -x 'sleep 600' | while read -r p; do
	tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -q "^TELLY_DIR=$TELLY_DIR\$" && echo "$p"
done | head -n 1)
[ -n "$prog" ] || fail "the session's program is not running"
# What each holds, beyond its own: nothing of the test's folder but the
# daemon's runtime directory, its log and its sessions' logs.
for p in "$d" "$prog"; do
	for f in /proc/$p/fd/*; do
		t=$(readlink "$f") || continue
		[ "$t" = "$lock" ] && fail "process $p ($(cat /proc/$p/comm)) holds the client's lock on fd ${f##*/}"
	done
done
flock -n "$lock" true || fail "the lock is still held after the client ended"
# The daemon's descriptors 0-2: /dev/null and its log, each once.
n=$(for f in /proc/$d/fd/*; do readlink "$f"; done | grep -c '^/dev/null$')
[ "$n" -le 2 ] || fail "the daemon holds /dev/null $n times"
echo "the daemon and its programs hold nothing of the client's: ok"
"$TELLY" stop || fail "stop"
wait_until 10 daemon_gone

# A client started with stdin, or stdin and stdout, closed (cron, a
# service, `<&-`): the daemon it starts answers, with /dev/null on 0 and 1
# and its log on 2, not one of its own descriptors that took their place.
n=0
for closed in '<&-' '<&- >&-'; do
	n=$((n + 1))
	sh -c "exec '$TELLY' new -s c$n -- sleep 600 $closed" >"$T/new$n.out" 2>&1 ||
		fail "telly new $closed: $(cat "$T/new$n.out")"
	"$TELLY" ls | grep -q "^c$n: " || fail "telly ls after telly new $closed: $("$TELLY" ls 2>&1)"
	d=$(daemon_pid)
	for fd in 0 1; do
		[ "$(readlink "/proc/$d/fd/$fd")" = /dev/null ] ||
			fail "started $closed, the daemon has $(readlink "/proc/$d/fd/$fd") on $fd"
	done
	[ "$(readlink "/proc/$d/fd/2")" = "$TELLY_DIR/serve.log" ] ||
		fail "started $closed, the daemon has $(readlink "/proc/$d/fd/2") on 2"
	"$TELLY" stop || fail "stop"
	wait_until 10 daemon_gone
done
echo "a client with stdin or stdout closed starts a daemon that answers: ok"

# A daemon run in the foreground with a descriptor it never made (fd 9,
# not close-on-exec) keeps it, but its programs do not get it (they
# did: the terminal's child closed nothing before its exec).
"$TELLY" serve 9>"$T/extra" 2>"$T/serve.err" &
pids="$pids $!"
wait_until 10 test -S "$TELLY_DIR/serve.sock"
"$TELLY" new -s fd -- sleep 601 >/dev/null || fail "telly new under telly serve"
prog=$(pgrep -f -x 'sleep 601' | while read -r p; do
	tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -q "^TELLY_DIR=$TELLY_DIR\$" && echo "$p"
done | head -n 1)
[ -n "$prog" ] || fail "the session's program is not running"
[ -e "/proc/$prog/fd/9" ] && fail "the program holds the daemon's fd 9: $(readlink "/proc/$prog/fd/9")"
echo "a foreground daemon's stray descriptor is not its programs': ok"
"$TELLY" stop || fail "stop"
