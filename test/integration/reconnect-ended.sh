#!/bin/sh
# A program that ends while the link is down: what it printed meanwhile
# and how it ended still reach telly attach when the link comes back, as
# they would have on a link that held (mosh prints the last output too).
# 100 numbered lines one every 20 ms, the link cut after line 30 and back
# once the session has ended, twice: reset with dials refused (the host
# knows at once), and silent with dials refused (the host learns of it
# from its heartbeat only after the end, which it sent into the dead
# connection): every line once, in order, then "[NAME exited with status
# 7]", and attach's status for a session that ended, 0. Before, the
# session's end freed the channel: "session NAME is gone" and 5, the
# lines after the cut never shown.
. test/integration/lib.sh "$1"
. test/integration/reconnect.inc
command -v perl >/dev/null || { echo "no perl"; exit 77; }
serve_cut
mkfifo "$T/in"
exec 3<>"$T/in"

ended_while_down() { # HOW NAME
	"$TELLY" attach --tcp 127.0.0.1:$pport --token-file "$TELLY_DIR/token" --create "$2" -- \
		sh -c "$LINES_THEN_7" <"$T/in" >"$T/out" 2>"$T/err" &
	apid=$!
	pids="$pids $apid"
	wait_until 20 sh -c "find '$LOG_DIR' -name '$2.log' | grep -q ." || fail "no session $2"
	ends_while_down "$(find "$LOG_DIR" -name "$2.log" | sed 1q)" "$2" "$apid" "$1"
	out_clean | grep -ao 'line [0-9]*' >"$T/lines"
	cmp -s "$T/lines" "$T/want" || {
		diff "$T/want" "$T/lines" | head -n 20
		fail "$1: the lines shown are not 0 to 99 once each, in order (attach: $(cat "$T/err"))"
	}
	grep -q "\\[$2 exited with status 7\\]" "$T/err" || fail "$1: the status was not said: $(cat "$T/err")"
	[ "$rc" = 0 ] || fail "$1: telly attach exited $rc: $(cat "$T/err")"
	grep -q "resumed its channel on $2, which ended meanwhile" "$rlog" || fail "$1: not resumed"
}
ended_while_down down ex
# Its name is a new session's at once.
"$TELLY" new -s ex -- sleep 60 || fail "the name ex is not free"
"$TELLY" kill ex
ended_while_down hold eh
# A session that ends on a link that holds leaves nothing waiting: its
# desk closed the connection having taken the end, and the daemon goes
# with its last session.
"$TELLY" attach --tcp 127.0.0.1:$pport --token-file "$TELLY_DIR/token" --create ex2 -- \
	sh -c 'echo bye; exit 3' <"$T/in" >"$T/out" 2>"$T/err" || fail "attach ex2 failed"
grep -q '\[ex2 exited with status 3\]' "$T/err" || fail "ex2: $(cat "$T/err")"
dpid=$(sed -n 's/.*serving on .* (pid \([0-9]*\)).*/\1/p' "$rlog")
wait_until 20 sh -c "! kill -0 $dpid 2>/dev/null" || fail "the daemon stayed with no session"
echo "ok: attach after a program that ended while the link was down: its last lines and status"
