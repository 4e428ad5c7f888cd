#!/bin/sh
# `telly serve --consoles FILE` reloads FILE on SIGHUP without dropping
# anyone: a console whose spec is unchanged keeps running with its viewer
# attached (typing still reaches it), a new one is made, one gone from the
# file ends and its viewer is told; a malformed file changes nothing and
# serve.log says why (FILE:LINE). systemd is told READY=1 only once the
# daemon serves, RELOADING=1 then READY=1 around a reload, STOPPING=1 on
# SIGTERM (test/integration/notify-sink.c plays systemd), and no session
# program inherits NOTIFY_SOCKET.
. test/integration/lib.sh "$1"

mkdir -p "$TELLY_DIR" && chmod 700 "$TELLY_DIR"
# A console that answers each line it is sent, and says whether it sees
# NOTIFY_SOCKET.
answer='stty icrnl onlcr; echo "$0-ready notify=${NOTIFY_SOCKET:-none}"; while read l; do echo "$0-got:$l"; done'
conf() { # NAME...: the consoles file with these consoles
	for n in "$@"; do
		printf '[%s]\nbackend = exec:sh -c %s %s\n' "$n" "'$answer'" "$n"
	done >"$T/consoles.new"
	mv "$T/consoles.new" "$T/consoles.conf"
}
conf keep gone
"$B/test/notify-sink" "$T/notify.sock" >"$T/notify.out" 2>"$T/notify.err" &
pids="$pids $!"
wait_until 10 test -S "$T/notify.sock"
NOTIFY_SOCKET=$T/notify.sock "$TELLY" serve --consoles "$T/consoles.conf" 2>"$TELLY_DIR/serve.log" &
pid=$!
pids="$pids $pid"
wait_until 10 grep -q 'serving on' "$TELLY_DIR/serve.log"
wait_until 10 grep -qx 'READY=1' "$T/notify.out"
[ "$(grep -c . "$T/notify.out")" = 1 ] || fail "systemd was told more than READY=1: $(cat "$T/notify.out")"

tm_start k "exec $TELLY attach keep"
wait_for k 'keep-ready notify=none'
tm_start g "exec $TELLY attach gone"
wait_for g 'gone-ready notify=none'
tm send-keys -t t:k 'before' Enter
wait_for k 'keep-got:before'

# A malformed file: nothing changes, and the log says where.
printf '[keep]\nbackend = exec:true\n[bad\n' >"$T/consoles.conf"
kill -HUP "$pid"
wait_until 10 grep -q "reload: .*consoles.conf:3" "$TELLY_DIR/serve.log"
grep 'reload:' "$TELLY_DIR/serve.log" | grep -q 'nothing changed' || fail "a bad file's reload does not say nothing changed"
out=$("$TELLY" ls 2>&1)
echo "$out" | grep -q '^keep:' && echo "$out" | grep -q '^gone:' || fail "a bad file changed the consoles: $out"
tm send-keys -t t:k 'still' Enter
wait_for k 'keep-got:still'

# Add one, remove one, keep one.
conf keep new
kill -HUP "$pid"
wait_until 10 grep -q 'reload: 1 console kept, 1 new, 1 ended' "$TELLY_DIR/serve.log"
out=$("$TELLY" ls 2>&1)
echo "$out" | grep -q '^keep:' || fail "the kept console is gone: $out"
echo "$out" | grep -q '^new:' || fail "the new console is not there: $out"
echo "$out" | grep -q '^gone:' && fail "the removed console is still there: $out"
wait_for g 'removed from the consoles file'
tm send-keys -t t:k 'after' Enter
wait_for k 'keep-got:after'
screen k | grep -q 'detached\|exited' && fail "the kept console's viewer was dropped: $(screen k)"
wait_until 10 grep -q 'new-ready' "$LOG_DIR/logs/new.log"
wait_until 10 sh -c "grep -c . '$T/notify.out' | grep -qx 3"
[ "$(sed -n 2p "$T/notify.out" | cut -d';' -f1)" = RELOADING=1 ] || fail "no RELOADING=1: $(cat "$T/notify.out")"
[ "$(sed -n 3p "$T/notify.out")" = READY=1 ] || fail "no READY=1 after the reload: $(cat "$T/notify.out")"

# A console whose backend changed ends and is made again.
printf '[keep]\nbackend = exec:sh -c %s keep\n[new]\nbackend = exec:echo new-again; exec cat\n' "'$answer'" >"$T/consoles.new"
mv "$T/consoles.new" "$T/consoles.conf"
kill -HUP "$pid"
wait_until 10 grep -q 'reload: console new changed' "$TELLY_DIR/serve.log"
wait_until 10 grep -q 'reload: 1 console kept, 0 new, 0 ended, 1 made again' "$TELLY_DIR/serve.log"
wait_until 10 grep -q 'new-again' "$LOG_DIR/logs/new.log"
tm send-keys -t t:k 'last' Enter
wait_for k 'keep-got:last'

kill -TERM "$pid"
wait_until 10 grep -qx 'STOPPING=1' "$T/notify.out"
wait_until 10 sh -c "! kill -0 $pid 2>/dev/null"
echo "reload and sd_notify: ok"
