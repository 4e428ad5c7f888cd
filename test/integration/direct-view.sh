#!/bin/sh
# telly view --direct user@host: ssh (a real sshd) only for the secret,
# then the view's one connection is sealed TCP straight to the host's
# daemon: its sessions are the windows and typing reaches them.
. test/integration/lib.sh "$1"

dirs="$T/remote"
start_sshd "$T/remote"
TELLY_DIR=$T/remote XDG_STATE_HOME=$T/remote.state "$TELLY" new -s far -- env PS1='far> ' sh ||
	fail "new on the remote side"
cat >"$T/in" <<EOT
wait "far>"
type "echo X\$((20+22))\n"
wait "X42"
screenshot $T/shot.png
EOT
"$TELLY" view --headless --ssh "$ssh_cmd" --server "$TELLY" --direct --input "$T/in" "$dest" \
	>"$T/legend" 2>"$T/err" || fail "view: $(cat "$T/err")"
grep -q "^window far " "$T/legend" || fail "far is not a window"
grep -q 'X42' "$T/remote.state/telly/logs/far.log" || fail "the keys did not reach the ssh side's session"
grep -q 'direct: listening on 127.0.0.1' "$T/remote/serve.log" || fail "no direct listener on the host"
grep -q 'direct: a connection with the secret for port [0-9]* (its first' "$T/remote/serve.log" ||
	fail "the view did not come by the direct transport"
echo "view over direct: ok"
