#!/bin/sh
# telly new --x11 -- PROG succeeds, and prints the session's name, when
# PROG runs and ends at once with status 0 (`true`, a launcher script
# that puts its program in the background): the daemon answers the OPEN
# once the display is up and the program's exec said it ran. Before,
# telly new then polled LIST for the display, and a client slower than
# the program's end (here each of its writes held 0.3 s by strace, as a
# loaded machine does now and then: 5 of 30 tries) saw the session gone:
# "telly new: no session q1: it ended 0 s ago with status 0", exit 1.
. test/integration/lib.sh "$1"
need_progs Xvfb strace
mkdir -p "$XDG_CONFIG_HOME/telly"
echo "x-server xvfb" >"$XDG_CONFIG_HOME/telly/config"
"$TELLY" new -s keep -- sleep 100 >/dev/null || fail "telly new" # the daemon, not forked under strace

slow() { # a client whose writes are late
	strace -o /dev/null -e trace=write,writev,sendmsg,sendto \
		-e inject=write,writev,sendmsg,sendto:delay_enter=300000 "$@"
}
for i in 1 2 3; do
	slow "$TELLY" new --x11 -s q$i -- true >"$T/q.out" 2>&1 ||
		fail "telly new --x11 -- true (a slow client) failed on try $i: $(cat "$T/q.out")"
	[ "$(cat "$T/q.out")" = "q$i" ] || fail "telly new --x11 -- true said: $(cat "$T/q.out")"
done
for i in $(seq 4 12); do
	"$TELLY" new --x11 -s q$i -- true >"$T/q.out" 2>&1 ||
		fail "telly new --x11 -- true failed on try $i: $(cat "$T/q.out")"
	[ "$(cat "$T/q.out")" = "q$i" ] || fail "telly new --x11 -- true said: $(cat "$T/q.out")"
done
# A launcher: its program runs on after it, in the display.
slow "$TELLY" new --x11 -s la -- sh -c 'sleep 100 >/dev/null 2>&1 &' >"$T/la.out" 2>&1 ||
	fail "telly new --x11 of a launcher failed: $(cat "$T/la.out")"
[ "$(cat "$T/la.out")" = la ] || fail "telly new --x11 of a launcher said: $(cat "$T/la.out")"
echo ok
