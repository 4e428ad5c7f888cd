#!/bin/sh
# A program that ends while the link is down: what it printed meanwhile
# and how it ended still reach telly attach when the link comes back, as
# they would have on a link that held (mosh prints the last output too).
# 100 numbered lines one every 20 ms, the link cut after line 30 (the
# connection reset, dials refused) and back once the session has ended:
# every line once, in order, then "[ex exited with status 7]", and
# attach's status for a session that ended, 0. Before, the session's end
# freed the channel waiting for the desk: "session ex is gone" and 5,
# lines 31..99 never shown.
. test/integration/lib.sh "$1"
. test/integration/reconnect.inc
command -v perl >/dev/null || { echo "no perl"; exit 77; }
serve_cut

mkfifo "$T/in"
"$TELLY" attach --tcp 127.0.0.1:$pport --token-file "$TELLY_DIR/token" --create ex -- \
	sh -c "$LINES_THEN_7" <"$T/in" >"$T/out" 2>"$T/err" &
apid=$!
pids="$pids $apid"
exec 3>"$T/in"
wait_until 20 sh -c "find '$LOG_DIR' -name 'ex*.log' | grep -q ." || fail "no session ex"
ends_while_down "$(find "$LOG_DIR" -name 'ex*.log' | sed 1q)" ex "$apid"
out_clean | grep -ao 'line [0-9]*' >"$T/lines"
cmp -s "$T/lines" "$T/want" || {
	diff "$T/want" "$T/lines" | head -n 20
	fail "the lines shown are not 0 to 99 once each, in order (attach: $(cat "$T/err"))"
}
grep -q '\[ex exited with status 7\]' "$T/err" || fail "the status was not said: $(cat "$T/err")"
[ "$rc" = 0 ] || fail "telly attach exited $rc: $(cat "$T/err")"
grep -q 'resumed its channel on ex, which ended meanwhile' "$rlog" || fail "not resumed"
# Its name is a new session's at once.
"$TELLY" new -s ex -- sleep 60 || fail "the name ex is not free"
"$TELLY" kill ex
echo "ok: attach after a program that ended while the link was down: its last lines and status"
