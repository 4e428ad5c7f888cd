#!/bin/sh
# telly attach over a real sshd: the host's daemon reads and writes ssh's
# own pipes (serve --stdio handed them over), as an operator would check:
# the daemon holds the pipes sshd's session made (the same pipe inodes in
# /proc/PID/fd) and serve --stdio holds neither; serve --stdio reads and
# writes nothing while keys and 20000 lines of output pass (/proc/PID/io);
# every line reaches the desk, the program's exit status too, and the ssh
# session then ends with status 0; with status 1 if the daemon is killed
# under it instead. A serve --stdio whose stdin is a file
# is refused by the daemon (it cannot watch a file), relays instead and
# says so, and the daemon serves the attached desk on.
. test/integration/lib.sh "$1"

dirs="$T/remote"
start_sshd "$T/remote"
# ssh as attach runs it, keeping its exit status (the host command's).
cat >"$T/ssh-rc" <<EOF
#!/bin/sh
$ssh_cmd "\$@"
echo \$? >"$T/ssh.rc"
EOF
chmod +x "$T/ssh-rc"
tm_start w1 "$TELLY attach -e none --no-direct --ssh '$T/ssh-rc' --server '$TELLY' $dest s1 -- env PS1='sh> ' sh; echo attach-rc=\$?"
tm pipe-pane -t t:w1 -o "cat >>'$T/pane.out'"
wait_for w1 'sh>' 20

# The host's serve --stdio (the daemon it may have started has the same
# command line: told apart by the daemon's pid).
dpid=$(TELLY_DIR=$T/remote daemon_pid)
[ -n "$dpid" ] || fail "no daemon on the ssh side"
relays() {
	for p in $(pgrep -f "^$TELLY serve --stdio"); do
		[ "$p" != "$dpid" ] &&
			tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx "TELLY_DIR=$T/remote" &&
			echo "$p"
	done
}
serve=$(relays)
[ "$(echo $serve | wc -w)" = 1 ] || fail "expected one serve --stdio on the host, found: '$serve'"
# sshd's session process: serve's nearest sshd ancestor.
sshd=$serve
while [ "$sshd" -gt 1 ] && [ "$(cat /proc/$sshd/comm)" != sshd ]; do
	sshd=$(awk '{print $4}' "/proc/$sshd/stat")
done
[ "$sshd" -gt 1 ] || fail "serve --stdio ($serve) runs under no sshd"
pipes() { for f in /proc/$1/fd/*; do readlink "$f"; done 2>/dev/null | grep '^pipe:' | sort -u; }
pipes "$sshd" >"$T/sshd.pipes"
pipes "$dpid" >"$T/daemon.pipes"
shared=$(comm -12 "$T/sshd.pipes" "$T/daemon.pipes" | wc -l)
[ "$shared" -ge 2 ] ||
	fail "the daemon holds $shared of sshd's pipes (sshd: $(tr '\n' ' ' <"$T/sshd.pipes"), daemon: $(tr '\n' ' ' <"$T/daemon.pipes"))"
[ -e "/proc/$serve/fd/0" ] || [ -e "/proc/$serve/fd/1" ] &&
	fail "serve --stdio still holds its stdin or stdout"

# serve --stdio moves none of the bytes: its read and write counters stand
# still while keys go up and 20000 lines come down.
io() { grep -E '^(rchar|wchar)' "/proc/$serve/io" | tr '\n' ' '; }
before=$(io)
tm send-keys -t t:w1 'seq 1 20000; echo "lines $((19999 + 1))"' Enter
wait_for w1 'lines 20000' 30
after=$(io)
[ "$before" = "$after" ] || fail "serve --stdio moved bytes: before '$before', after '$after'"
# Every line on the desk, in order.
wait_until 10 grep -q 'lines 20000' "$T/pane.out"
got=$(tr -d '\r' <"$T/pane.out" | sed -n '/^1$/,/^20000$/p' | cksum)
[ "$got" = "$(seq 1 20000 | cksum)" ] || fail "the desk did not get lines 1-20000 whole"

# A stdin the daemon cannot watch (a file): refused, relayed, said; the
# attached desk is served on.
: >"$T/empty"
TELLY_DIR=$T/remote XDG_STATE_HOME=$T/remote.state XDG_CONFIG_HOME=$T/remote.config \
	timeout 20 "$TELLY" serve --stdio <"$T/empty" >"$T/relayed.out" 2>"$T/relayed.err" ||
	fail "serve --stdio with a file for stdin: status $? ($(cat "$T/relayed.err"))"
grep -q "did not take ssh's pipes (it said: HANDOFF: its stdin is not a pipe or a socket" "$T/relayed.err" ||
	fail "serve --stdio did not say it relays: '$(cat "$T/relayed.err")'"
grep -q 'HANDOFF: its stdin is not a pipe or a socket' "$T/remote/serve.log" ||
	fail "the daemon's log does not say why it refused"
tm send-keys -t t:w1 'echo "still $((40 + 2))"' Enter
wait_for w1 'still 42'

# The program's exit status reaches the desk; attach ends well, and the
# ssh session with it, with status 0 (serve --stdio waited for the daemon
# to be done with the pipes).
tm send-keys -t t:w1 'exit 7' Enter
wait_for w1 '[s1 exited with status 7]' 20
wait_for w1 'attach-rc=0'
wait_until 10 test -s "$T/ssh.rc"
[ "$(cat "$T/ssh.rc")" = 0 ] || fail "the ssh session ended with status $(cat "$T/ssh.rc")"
[ -z "$(relays)" ] || fail "serve --stdio outlived its session: $(relays)"

# The daemon killed while it speaks on ssh's pipes: the ssh session ends
# with status 1 and says why (its end was not marked).
mkfifo "$T/in"
($ssh_cmd $dest "$TELLY serve --stdio" <"$T/in" >/dev/null 2>"$T/killed.err"
 echo $? >"$T/killed.rc") &
exec 7>"$T/in"
handed() { [ "$(grep -c 'speaks on the stdin/stdout of telly serve --stdio' "$T/remote/serve.log")" -ge 2 ]; }
wait_until 20 handed
kill -9 "$(TELLY_DIR=$T/remote daemon_pid)"
wait_until 10 test -s "$T/killed.rc"
exec 7>&-
[ "$(cat "$T/killed.rc")" = 1 ] || fail "ssh ended with status $(cat "$T/killed.rc") after the daemon was killed"
grep -q 'the daemon went without ending the connection' "$T/killed.err" ||
	fail "serve --stdio did not say the daemon went: '$(cat "$T/killed.err")'"
echo "ssh handoff: ok"
