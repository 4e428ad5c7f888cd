#!/bin/sh
# An X session killed the moment its X server is forked, before the child
# has set its signals to their defaults, ends by telly kill's SIGTERM, even
# in a daemon that inherited an "ignore" of SIGTERM from whatever started
# it: not by the SIGKILL 2 s later, once the server has started. strace
# holds the child's first sigaction for 1.5 s (the daemon runs in the
# foreground under it, its log on its stderr), and telly kill comes in
# that time.
# Before, the child unblocked its signals before it reset them: the
# SIGTERM held meanwhile met the daemon's "ignore" and was dropped, Xvfb
# started and the daemon said 'did not end within 2000 ms of SIGTERM:
# SIGKILL'.
. test/integration/lib.sh "$1"
need_progs strace Xvfb
mkdir -p "$XDG_CONFIG_HOME/telly"
echo "x-server xvfb" >"$XDG_CONFIG_HOME/telly/config"

sh -c 'trap "" TERM; exec "$0" "$@"' strace -f -o /dev/null -e trace=rt_sigaction \
	-e inject=rt_sigaction:delay_enter=1500000:when=1 "$TELLY" serve 2>"$T/serve.err" &
pids="$pids $!"
wait_until 20 grep -qs 'serving on' "$T/serve.err"

"$TELLY" new --x11 -s early -- xterm >"$T/new.out" 2>&1 &
pids="$pids $!"
wait_until 10 grep -q "session early started: an X display" "$T/serve.err"
xpid=$(sed -n 's/.*session early started: an X display (Xvfb pid \([0-9]*\)).*/\1/p' "$T/serve.err")
"$TELLY" kill early >"$T/kill.out" 2>&1 || fail "telly kill: $(cat "$T/kill.out")"
wait_until 10 grep -q "session early ended" "$T/serve.err"
[ -e "/proc/$xpid" ] && fail "the X server (pid $xpid) outlived its session"
grep -q "did not end within [0-9]* ms of SIGTERM: SIGKILL" "$T/serve.err" &&
	fail "the X server ended by the SIGKILL after the grace, not by telly kill's SIGTERM: $(grep 'SIGKILL' "$T/serve.err")"
echo "an X server killed before its signal reset ends by the SIGTERM: ok"
