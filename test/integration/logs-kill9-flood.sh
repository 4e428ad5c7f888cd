#!/bin/sh
# A daemon killed with -9 while a program floods: the session's log holds
# a prefix of what the program wrote, short of it by at most what the
# kernel's pty held. The pty is read into a 256 KiB ring ahead of the
# daemon's loop; the program's lines insert a line each (ESC [ L), which
# the loop's screen model takes longer over than the pty, so the ring is
# full when the daemon dies: what it held must be in the log already.
. test/integration/lib.sh "$1"
STORM=$B/test/rp-storm
L=$LOG_DIR/logs/f.log
mkdir -p -m 700 "$TELLY_DIR"

"$TELLY" serve --log-cap 1G 2>>"$TELLY_DIR/serve.log" &
pids="$pids $!"
wait_until 10 test -S "$TELLY_DIR/serve.sock"
pid=$(daemon_pid)
"$TELLY" new -s f -- "$STORM" flood --insert-line "$T/count" >/dev/null || fail "telly new"
wait_until 30 sh -c "[ \$(stat -c %s '$L' 2>/dev/null || echo 0) -ge 500000 ]"
kill -9 "$pid"
wait_until 20 test -s "$T/count"
wrote=$(cat "$T/count")
grep -v '^--- telly:' "$L" | tr -d '\r' >"$T/logged"
# grep ends the last line, which the program may not have ended
[ -z "$(tail -c 1 "$L" | tr -d '\n')" ] || truncate -s -1 "$T/logged"
kept=$(stat -c %s "$T/logged")
awk -v n=$((wrote / 13 + 1)) 'BEGIN { for (i = 1; i <= n; i++) printf "\033[L%09d\n", i }' |
	head -c "$kept" | cmp -s - "$T/logged" || fail "the log is not a prefix of what the program wrote"
lost=$((wrote - kept))
echo "the program wrote $wrote bytes, the log kept $kept: $lost lost"
[ "$lost" -ge 0 ] || fail "the log has more than the program wrote"
[ "$lost" -le 65536 ] || fail "$lost bytes lost (more than a pty holds)"
echo "kill -9 in a flood: the log lacks only what the pty held: ok"
