#!/bin/sh
# telly attach --direct when the host's daemon restarted while the link
# was down: the new daemon does not know the old secret, so the redial's
# handshake is refused; attach asks through ssh (batch mode) for a new
# secret, once, connects with it and, its RESUME refused, attaches anew
# to the session of the same name there (a redraw, keys typed from then
# on reach it).
. test/integration/lib.sh "$1"
. test/integration/reconnect.inc
command -v perl >/dev/null || { echo "no perl"; exit 77; }
dirs="$T/remote"
start_sshd "$T/remote"
dport=$(free_port)
proxy_start "$dport"
cat >"$T/life.sh" <<'PROG'
stty raw -echo
echo "$1 life"
exec cat >"$2"
PROG
cat >"$T/ssh-wrap" <<SSH
#!/bin/sh
echo run >>"$T/ssh-runs"
exec $ssh_cmd "\$@"
SSH
chmod +x "$T/ssh-wrap"
remote() { TELLY_DIR=$T/remote XDG_STATE_HOME=$T/remote.state XDG_CONFIG_HOME=$T/remote.config "$TELLY" "$@"; }

mkfifo "$T/keys.fifo"
"$TELLY" attach --predict=never --ssh "$T/ssh-wrap" --server "$TELLY" --direct \
	--direct-bind "127.0.0.1:$dport" --direct-connect "127.0.0.1:$pport" \
	"$dest" --create rc -- sh "$T/life.sh" first "$T/keys1" <"$T/keys.fifo" >"$T/out" 2>"$T/attach.err" &
apid=$!
pids="$pids $apid"
exec 3>"$T/keys.fifo"
wait_until 20 grep -q "first life" "$T/out"
printf 'a1.' >&3
wait_until 10 grep -q 'a1\.' "$T/keys1"
[ "$(wc -l <"$T/ssh-runs")" = 1 ] || fail "ssh ran $(wc -l <"$T/ssh-runs") times to start"

ctl down
remote stop >/dev/null 2>&1
wait_until 20 grep -aq 'link down' "$T/out"
remote new -s rc -- sh "$T/life.sh" second "$T/keys2" >/dev/null || fail "cannot start the second session"
# The new daemon listens on the same port (for someone else's secret).
remote serve --direct-key --direct-bind "127.0.0.1:$dport" >/dev/null || fail "no listener on the new daemon"
ctl up
second_drawn() {
	kill -0 $apid 2>/dev/null || fail "attach ended: $(cat "$T/attach.err")"
	out_clean | grep -aq 'second life'
}
wait_until 30 second_drawn
[ "$(wc -l <"$T/ssh-runs")" = 2 ] || fail "ssh ran $(wc -l <"$T/ssh-runs") times, not twice"
grep -q 'refused: no such secret' "$T/remote/serve.log" || fail "the old secret was not refused"
printf 'c2.' >&3
wait_until 10 grep -q 'c2\.' "$T/keys2"
echo "direct, daemon restarted: ok"
