#!/bin/sh
# telly attach user@host through the real OpenSSH client to a real sshd
# started here on 127.0.0.1 with generated keys; the host side is
# `telly serve --stdio` (--no-direct: the direct transport is the
# default), with its own runtime directory to prove the session lives
# behind ssh.
. test/integration/lib.sh "$1"

dirs="$T/remote"
start_sshd "$T/remote"
dest="$(id -un)@127.0.0.1"
tm_start w1 "exec $TELLY attach --no-direct --ssh '$ssh_cmd' --server '$TELLY' $dest s1 -- env PS1='sh> ' sh"
wait_for w1 'sh>' 20
tm send-keys -t t:w1 'echo $TELLY_DIR over ssh' Enter
wait_for w1 "$T/remote over ssh"
TELLY_DIR=$T/remote "$TELLY" ls | grep -q '^s1: ' || fail "the session is not on the ssh side"
"$TELLY" ls 2>/dev/null | grep -q '^s1: ' && fail "the session is on the local daemon"
"$TELLY" ls --no-direct --ssh "$ssh_cmd" --server "$TELLY" "$dest" | grep -q '^s1: ' || fail "ls over ssh"
# Over ssh the output goes lz4-compressed (OUTPUT_LZ4); a whole screen of
# it, and the shell's answer after, arrive intact.
grep -q 'attached to s1 (lz4 output)' "$T/remote/serve.log" || fail "no lz4 output over ssh"
tm send-keys -t t:w1 'seq 1 3000 | tr "\n" " "; echo; echo "sum $((3000 * 3001 / 2))"' Enter
wait_for w1 "2998 2999 3000"
wait_for w1 "sum 4501500"

# The host's `telly serve --stdio` gave the daemon ssh's pipes and only
# waits; it is gone once the viewer detaches.
grep -q 'speaks on the stdin/stdout of telly serve --stdio' "$T/remote/serve.log" ||
	fail "serve --stdio did not hand its stdin/stdout over"
tm send-keys -t t:w1 '~.'
wait_for w1 '[detached from s1]'
# (the daemon it started runs under the same command line; sshd may go
# before a stuck relay and leave it to init, so they are told apart by
# their runtime directory)
relays() {
	for p in $(pgrep -f "^$TELLY serve --stdio"); do
		[ "$p" != "$(TELLY_DIR=$T/remote daemon_pid)" ] &&
			tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx "TELLY_DIR=$T/remote" &&
			echo "$p"
	done
}
no_relay() { [ -z "$(relays)" ]; }
wait_until 10 no_relay
tm_start w2 "exec $TELLY attach --no-direct --no-compress --ssh '$ssh_cmd' --server '$TELLY' $dest:s1"
wait_for w2 "sum 4501500" 20
grep -q 'attached to s1$' "$T/remote/serve.log" || fail "--no-compress still had lz4 output"
"$TELLY" kill --no-direct --ssh "$ssh_cmd" --server "$TELLY" "$dest" s1 || fail "kill over ssh"
wait_for w2 '[s1 exited with status'
TELLY_DIR=$T/remote "$TELLY" stop >/dev/null 2>&1
echo "attach over ssh: ok"
