#!/bin/sh
# A session's log is appended to, never truncated, and says when each run
# started and ended, with the status; a run the daemon could not end (it
# was killed with -9) is said to have ended without an end mark.
. test/integration/lib.sh "$1"
L=$LOG_DIR/logs/s1.log

"$TELLY" new -s s1 -- sh -c 'echo first-run; exec sleep 1000' >/dev/null || fail "telly new"
# (the start mark names the command too: the program's own line)
wait_until 10 grep -qs "^first-run" "$L"
pid=$(daemon_pid)
kill -9 "$pid"
wait_until 10 sh -c "! kill -0 $pid 2>/dev/null"

"$TELLY" new -s s1 -- sh -c 'echo second-run; exit 3' >/dev/null || fail "telly new again"
wait_until 10 grep -qs 'ended, status 3' "$L"
cat "$L"
line() { grep -n -- "$1" "$L" | head -n 1 | cut -d: -f1; }
a=$(line '^--- telly: session s1 started .*sh -c echo first-run')
b=$(line '^first-run')
c=$(line '^--- telly: session s1 .*ended without an end mark')
d=$(line '^--- telly: session s1 started .*sh -c echo second-run')
e=$(line '^second-run')
f=$(line '^--- telly: session s1 ended, status 3')
for v in a b c d e f; do
	eval "[ -n \"\$$v\" ]" || fail "the log lacks mark $v"
done
[ "$a" -lt "$b" ] && [ "$b" -lt "$c" ] && [ "$c" -lt "$d" ] && [ "$d" -lt "$e" ] && [ "$e" -lt "$f" ] ||
	fail "marks out of order: $a $b $c $d $e $f"
echo "session log appended, starts and ends marked, a daemon's death said: ok"
