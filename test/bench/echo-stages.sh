#!/bin/sh
# Where a raw key's echo time goes, by stage, for each way of reaching a
# host's daemon: telly view --headless --bench-keys into a raw session
# (stty raw -echo; cat echoes), the host's TIMING splitting the remote
# part (wire to host, host to pty write, pty+program, host to OUTPUT,
# wire back), over ssh (serve --stdio), --tcp (plaintext, a token) and
# --direct (sealed), to one daemon behind a real sshd on 127.0.0.1,
# interleaved ROUNDS times. Not run by make bench (no chart); by hand:
#
#   KEYS=300 ROUNDS=3 sh test/bench/echo-stages.sh BUILD_DIR
. test/integration/lib.sh "$1"
KEYS=${KEYS:-300}
dirs="$T/remote"
start_sshd "$T/remote"
lport=$(free_port) dxport=$(free_port)
TELLY_DIR=$T/remote XDG_STATE_HOME=$T/remote.state XDG_CONFIG_HOME=$T/remote.config \
	"$TELLY" serve --listen 127.0.0.1:$lport 2>"$T/remote-serve.log" & pids="$pids $!"
wait_until 10 test -s "$T/remote/token"
# A session that stays: the daemon and its listeners outlive the rows' ones.
TELLY_DIR=$T/remote "$TELLY" new -s keep -- sleep 86400 >/dev/null
remote() { TELLY_DIR=$T/remote XDG_STATE_HOME=$T/remote.state XDG_CONFIG_HOME=$T/remote.config "$TELLY" "$@"; }
one() { # LABEL ARGS...
	label=$1; shift
	remote new -s k -- sh -c "stty raw -echo; exec cat" >/dev/null || fail new
	"$TELLY" view --headless --bench-keys "$KEYS" "$@" >/dev/null 2>"$T/k.err" || fail "view $label: $(cat "$T/k.err")"
	remote kill k >/dev/null 2>&1
	wait_until 10 sh -c "! TELLY_DIR=$T/remote \"$TELLY\" ls 2>/dev/null | grep -q '^k:'"
	echo "== $label"
	sed -n '/keystroke-to-pixel/,$p' "$T/k.err"
}
for i in $(seq ${ROUNDS:-3}); do
	one "ssh (serve --stdio)" --ssh "$ssh_cmd" --server "$TELLY" "$dest"
	one "tcp plaintext" --tcp 127.0.0.1:$lport --token-file "$T/remote/token"
	one "direct" --ssh "$ssh_cmd" --server "$TELLY" --direct --direct-bind 127.0.0.1:$dxport "$dest"
done
