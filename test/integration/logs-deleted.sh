#!/bin/sh
# A session's log that is deleted while the program prints is made again
# and gets the new output (the daemon does not keep writing to a file
# nobody can see, which would keep its space).
. test/integration/lib.sh "$1"
L=$LOG_DIR/logs/s1.log

"$TELLY" new -s s1 -- sh -c 'i=0; while :; do i=$((i+1)); echo tick-$i; sleep 0.05; done' \
	>/dev/null || fail "telly new"
wait_until 10 grep -qs 'tick-3[^0-9]' "$L"
rm "$L"
pid=$(daemon_pid)
wait_until 20 test -s "$L"
wait_until 20 grep -qs 'tick-' "$L"
echo "after the log was deleted: $(grep -c tick- "$L") lines in a new one"
ls -l "/proc/$pid/fd" | grep -q 's1.log (deleted)' && fail "the daemon still holds the deleted log"
echo "a deleted log is made again: ok"
