#!/bin/sh
# A daemon killed with -9 right after a key's echo reached the desk: the
# session's log has the echo. The loop reads a small echo from the pty
# itself and sends it at once; the log must have taken it before the send,
# not later on the pty reader's thread. That thread is held stopped
# (thread-hold) once it has handed the pty to the loop, so that it cannot
# write the log between the send and the kill.
. test/integration/lib.sh "$1"
L=$LOG_DIR/logs/e.log
mkdir -p -m 700 "$TELLY_DIR"

"$TELLY" serve 2>>"$TELLY_DIR/serve.log" &
pids="$pids $!"
wait_until 10 test -S "$TELLY_DIR/serve.sock"
pid=$(daemon_pid)
[ -n "$pid" ] || fail "no daemon pid"
ls "/proc/$pid/task" | sort >"$T/tasks.before"

# The program echoes what it reads itself (raw, no kernel echo).
cat >"$T/echo.sh" <<'PROG'
stty raw -echo
echo ready
exec cat
PROG
mkfifo "$T/keys.fifo"
"$TELLY" attach --predict=never --create e -- sh "$T/echo.sh" <"$T/keys.fifo" >"$T/out" \
	2>"$T/attach.err" &
pids="$pids $!"
exec 3>"$T/keys.fifo"
wait_until 20 grep -q ready "$T/out"

# The session's pty reader: the thread the session added. Once it waits
# (futex) rather than polls, the loop reads the pty itself.
ls "/proc/$pid/task" | sort | comm -13 "$T/tasks.before" - >"$T/tasks.new"
[ -s "$T/tasks.new" ] || fail "the session added no thread to the daemon"
idle() {
	for t in $(cat "$T/tasks.new"); do
		grep -q futex "/proc/$pid/task/$t/wchan" 2>/dev/null || return 1
	done
}
wait_until 10 idle
for t in $(cat "$T/tasks.new"); do
	"$B/test/thread-hold" "$t" >"$T/hold.$t" 2>&1 &
	pids="$pids $!"
	wait_until 10 grep -q held "$T/hold.$t"
done

printf 'Zq7echo' >&3
wait_until 10 grep -q Zq7echo "$T/out"
kill -9 "$pid"
wait_until 10 daemon_gone
grep -q Zq7echo "$L" || fail "the echo the desk saw is not in the session log: $(tail -c 200 "$L" | od -c | tail -n 5)"
echo "kill -9 right after an echo was seen: the echo is in the log: ok"
