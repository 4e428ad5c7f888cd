#!/bin/sh
# A full disk: the daemon says once that the session's log stopped (its
# own log and a NOTICE to the session's viewers), goes on serving, and
# the log takes output again once there is room, saying what it missed.
# The logs folder is a 128 KiB tmpfs (needs root and mount; else skipped).
. test/integration/lib.sh "$1"
M=$LOG_DIR/logs
mkdir -p -m 700 "$TELLY_DIR" "$M"
mount -t tmpfs -o size=128k,mode=700 telly-test "$M" 2>/dev/null || { echo "no tmpfs mount here"; exit 77; }
trap 'tm kill-server 2>/dev/null; "$TELLY" stop >/dev/null 2>&1; kill -9 $(daemon_pid) 2>/dev/null; umount -l "$M"; cleanup' EXIT INT TERM
L=$M/s1.log

# About 4 KiB a second, so a page of the log fills soon.
cat >"$T/ticker" <<'SH'
i=0
while :; do i=$((i+1)); printf 'tick-%d %0200d\n' $i 0; sleep 0.05; done
SH
tm_start w1 "$TELLY attach s1 -- sh $T/ticker"
wait_until 10 grep -qs 'tick-3[^0-9]' "$L"
dd if=/dev/zero of="$M/filler" bs=1k 2>/dev/null
wait_until 20 grep -q 'log .*s1.log.*No space left on device' "$TELLY_DIR/serve.log"
wait_for w1 '[telly: s1: its log stopped'
at=$(grep -o 'tick-[0-9]*' "$L" | tail -n 1 | cut -d- -f2)
# Output goes on while the disk is full: said once only.
wait_for w1 "tick-$((at + 30))"
n=$(grep -c 'No space left on device' "$TELLY_DIR/serve.log")
[ "$n" = 1 ] || fail "the failure was said $n times"

rm "$M/filler"
wait_until 20 grep -q "not logged" "$L"
wait_until 20 sh -c "grep -o 'tick-[0-9]*' '$L' | tail -n 1 | cut -d- -f2 | { read v; [ \$v -gt $((at + 30)) ]; }"
grep 'not logged' "$L"
# (told by the loop once it looks at the log's events: after the writes)
wait_until 20 grep -q 'log .*s1.log.*works again' "$TELLY_DIR/serve.log"
"$TELLY" ls | grep -q '^s1: ' || fail "telly ls"
echo "a full disk: said once, retried, the log goes on: ok"
