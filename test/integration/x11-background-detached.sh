#!/bin/sh
# A launcher whose child leaves its process group (setsid; a daemon's
# double fork) and reaches the display only after the launcher ended:
# the session waited for what was left in the launcher's group only, saw
# nothing, and was put down before the child connected (its window never
# came, and telly x returned at once). Now a process that carries the
# session's display in its environment is waited for too, 5 s at most:
# the child's window comes, keeps the session, and its end ends it.
# What is waited for is the child's own start (sleep 1 before it execs
# xclock), not a wait of the test's.
. test/integration/lib.sh "$1"
need_progs Xvfb xclock xwininfo setsid
start_xvfb 1024x768

on_desk() { xwininfo -root -tree | grep -q '"xclock"'; }
gone() { ! kill -0 "$1" 2>/dev/null; }
listed() { "$TELLY" ls 2>/dev/null | grep -q "^$1:"; }

"$TELLY" x -s late -- sh -c "setsid sh -c 'echo \$\$ >\"$T/late.pid\"; sleep 1; exec xclock' &" \
	>"$T/x.out" 2>&1 &
xpid=$!
pids="$pids $xpid"
wait_until 20 grep -q "session late: its programs ended; 1 X client of theirs remains" \
	"$TELLY_DIR/serve.log" || fail "the session did not stay for xclock: $(cat "$T/x.out")"
wait_until 20 on_desk || fail "xclock is not on the desk: $(cat "$T/x.out")"
gone "$xpid" && fail "telly x ended: $(cat "$T/x.out")"
"$TELLY" ls 2>&1 | grep -A3 "^late:" | grep -q xclock ||
	fail "telly ls does not list xclock's window: $("$TELLY" ls 2>&1)"
kill "$(cat "$T/late.pid")"
wait_until 20 gone "$xpid" || fail "telly x did not return once xclock ended: $(cat "$T/x.out")"
rc=0
wait "$xpid" || rc=$?
[ "$rc" = 0 ] || fail "telly x exited $rc: $(cat "$T/x.out")"
listed late && fail "the session outlived xclock: $("$TELLY" ls 2>&1)"

# With nothing ever reaching the display, what carries it is waited for
# 5 s at most: telly x returns while it still runs.
"$TELLY" x -s never -- sh -c "setsid sh -c 'echo \$\$ >\"$T/never.pid\"; exec sleep 60' &" \
	>"$T/never.out" 2>&1 &
xpid=$!
pids="$pids $xpid"
wait_until 20 gone "$xpid" || fail "telly x waited for a process that never connects: $(cat "$T/never.out")"
kill -0 "$(cat "$T/never.pid")" || fail "the detached sleep did not run"
kill "$(cat "$T/never.pid")"
echo "ok: a detached child that reaches the display late keeps its X session"
