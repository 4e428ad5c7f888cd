#!/bin/sh
# A daemon that lives on (a session keeps it) serves more --direct
# connections than it keeps secrets at once (MAX_DIRECT_SECRETS, 64): a
# used secret whose connections ended, with no channel left waiting to be
# resumed, is forgotten, not kept an hour. Before, the 65th `telly ls
# --direct` (as the 33rd `telly x --direct` of x11-bench, each of which
# takes two) was refused: "direct: 64 secrets are out already".
. test/integration/lib.sh "$1"

dirs="$T/remote"
start_sshd "$T/remote"
remote() { TELLY_DIR=$T/remote XDG_STATE_HOME=$T/remote.state XDG_CONFIG_HOME=$T/remote.config "$TELLY" "$@"; }
remote new -s keep -- sleep 600 || fail "new on the remote side"
dport=$(free_port)
i=0
while [ $i -lt 70 ]; do
	i=$((i + 1))
	"$TELLY" ls --ssh "$ssh_cmd" --server "$TELLY" --direct --direct-bind "127.0.0.1:$dport" \
		--direct-connect "127.0.0.1:$dport" "$dest" >"$T/ls" 2>"$T/err" ||
		fail "telly ls --direct number $i: $(cat "$T/err")"
	grep -q keep "$T/ls" || fail "telly ls --direct number $i does not list keep: $(cat "$T/ls")"
done
[ "$(grep -c 'direct: a connection with the secret for port [0-9]* (its first' "$T/remote/serve.log")" = 70 ] ||
	fail "not all 70 came by the direct transport"
echo "direct secrets, more than 64 in a daemon's life: ok"
