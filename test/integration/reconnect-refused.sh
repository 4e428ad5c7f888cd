#!/bin/sh
# The link when the host no longer has the channel: telly attach over TCP
# through cut-proxy, its daemon stopped and started again while the link
# is down. With a session of the same name there again, the refused
# RESUME becomes a new attach: attach goes on, the status line says so,
# the new program's screen is drawn, keys typed from then on reach it and
# the keys whose fate is unknown are not sent (no key taken twice). With
# no such session any more, attach ends with status 5 and says the
# session is gone.
. test/integration/lib.sh "$1"
. test/integration/reconnect.inc
. test/integration/viewlink.inc
command -v perl >/dev/null || { echo "no perl"; exit 77; }

# A program that says which it is, then writes the keys it gets to a file.
life_prog
serve "$T/serve1.err"
link_proxy

mkfifo "$T/keys.fifo"
"$TELLY" attach --predict=never --tcp 127.0.0.1:$pport --token-file "$TELLY_DIR/token" \
	--create rc -- sh "$T/life.sh" first "$T/keys1" <"$T/keys.fifo" >"$T/out" 2>"$T/attach.err" &
apid=$!
pids="$pids $apid"
exec 3>"$T/keys.fifo"
wait_until 20 grep -q "first life" "$T/out"
printf 'a1.' >&3
wait_until 10 grep -q 'a1\.' "$T/keys1"

# The daemon goes, and its session with it; the link is refused meanwhile.
ctl down
stop_daemon
wait_until 20 grep -aq 'link down' "$T/out"
printf 'b1.' >&3 # typed while down: whether it reached anyone is not known
serve "$T/serve2.err"
"$TELLY" new -s rc -- sh "$T/life.sh" second "$T/keys2" >/dev/null ||
	fail "cannot start the second session"
ctl up

# The desk asks to resume, is refused, and attaches again.
second_drawn() {
	kill -0 $apid 2>/dev/null || fail "attach ended when its resume was refused: $(cat "$T/attach.err")"
	out_clean | grep -aq 'second life'
}
wait_until 30 second_drawn
kill -0 $apid 2>/dev/null || fail "attach ended when its resume was refused: $(cat "$T/attach.err")"
# The status line says so, after the redraw (cut to the terminal's width).
wait_until 10 grep -aq 'attached anew.*: its channel was gone' "$T/out"
grep -aq 'attached anew, [0-9]* key bytes not resent' "$T/out" ||
	fail "the keys not sent again were not told"
printf 'c1.' >&3
wait_until 10 grep -q 'c1\.' "$T/keys2"
[ "$(cat "$T/keys2")" = "c1." ] || fail "the second session got '$(cat "$T/keys2")', not 'c1.'"
[ "$(cat "$T/keys1" 2>/dev/null)" = "a1." ] || fail "the first session got '$(cat "$T/keys1")'"
echo "refused resume: attached again, the new screen drawn, keys from then on arrive once"

# The session is gone this time: attach says so and ends with status 5.
ctl down
stop_daemon
serve "$T/serve3.err"
ctl up
end=$(( $(date +%s) + 30 ))
while kill -0 $apid 2>/dev/null; do
	[ "$(date +%s)" -le "$end" ] || fail "attach still runs with its session gone"
	sleep 0.05
done
wait $apid
rc=$?
[ $rc = 5 ] || fail "attach ended with status $rc, not 5: $(cat "$T/attach.err")"
grep -q 'session rc is gone' "$T/attach.err" || fail "no word that the session is gone: $(cat "$T/attach.err")"
echo "session gone: status 5, $(grep -o 'session rc is gone[^(]*' "$T/attach.err")"
echo "reconnect refused: ok"
