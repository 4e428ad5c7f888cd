#!/bin/sh
# The daemon's life and the commands around it: started on demand, `new`
# and `kill`, clear errors, a capped and rotated log that keeps output
# made while nobody watched, gone with its last session, `stop`.
. test/integration/lib.sh "$1"

out=$("$TELLY" ls 2>&1) && fail "ls without a daemon succeeded"
echo "$out" | grep -q 'no server running on' || fail "ls: $out"
out=$("$TELLY" attach 'bad/name' 2>&1); [ $? = 2 ] || fail "bad name: exit status"
echo "$out" | grep -q "bad session name 'bad/name'" || fail "bad name: $out"
"$TELLY" attach --help | grep -q 'detach' || fail "attach --help"
"$TELLY" serve --log-cap 10 2>&1 | grep -q 'log-cap wants a size' || fail "--log-cap check"

# A daemon with a small log cap; output made with nobody attached is kept.
"$TELLY" serve --log-cap 64K 2>"$T/serve.err" &
pids="$pids $!"
wait_until 10 test -S "$TELLY_DIR/serve.sock"
name=$("$TELLY" new -- sh -c 'seq 1 30000; echo done-printing; exec sleep 600')
[ "$name" = 0 ] || fail "first unnamed session should be 0, got '$name'"
[ "$("$TELLY" new -s two -- sleep 600)" = two ] || fail "new -s two"
out=$("$TELLY" new -s two -- sleep 600 2>&1) && fail "a second 'two' was created"
echo "$out" | grep -q 'session two already exists' || fail "$out"
log=$LOG_DIR/logs/0.log
# Its own line: the start mark above the output names the command, which
# has the word too.
wait_until 20 grep -q '^done-printing' "$log"
size=$(stat -c %s "$log")
[ "$size" -le 65536 ] || fail "log is $size bytes, over the 64K cap"
[ -s "$log.1" ] || fail "no rotated log"
tail -n 2 "$log" | grep -q '^30000' || fail "the log lost the last lines"
# A viewer arriving now sees the screen, with the end of the output.
tm_start w1 "exec $TELLY attach 0"
wait_for w1 'done-printing'
wait_for w1 '29990'

out=$("$TELLY" kill nosuch 2>&1) && fail "kill nosuch succeeded"
echo "$out" | grep -q 'no session nosuch' || fail "$out"
"$TELLY" kill two || fail "kill two"
wait_until 10 sh -c "! '$TELLY' ls | grep -q '^two:'"
"$TELLY" stop || fail "stop"
wait_for w1 '[0 exited with status'
wait_until 10 daemon_gone
[ ! -e "$TELLY_DIR/serve.sock" ] || fail "socket left behind"

# Started by attach; exits by itself with its last session.
tm_start w2 "exec $TELLY attach last -- sh -c 'read x; exit 3'"
wait_until 10 sh -c "'$TELLY' ls 2>/dev/null | grep -q '^last: .*1 viewer)'"
# It shows as itself, not as the client that started it: `pkill -f
# 'telly attach'` must not end the daemon and every session with it.
dpid=$(daemon_pid)
cmd=$(tr '\0' ' ' <"/proc/$dpid/cmdline")
case "$cmd" in "telly serve "*) ;; *) fail "the daemon's command line is '$cmd'" ;; esac
[ "$(cat "/proc/$dpid/comm")" = telly ] || fail "the daemon's name is $(cat "/proc/$dpid/comm")"
pgrep -f 'telly attach' | grep -qx "$dpid" && fail "pgrep -f 'telly attach' finds the daemon"
tm send-keys -t t:w2 Enter
wait_for w2 '[last exited with status 3]'
wait_until 10 daemon_gone
echo "daemon lifecycle, logs and errors: ok"
