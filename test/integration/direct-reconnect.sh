#!/bin/sh
# telly attach --direct through cut-proxy: the TCP link to the daemon
# (sealed records) cut, refused and silenced while keys are typed and
# output flows. Each redial makes a fresh handshake with the same secret,
# without ssh (which ran once, counted by a wrapper), and resumes the
# channel exactly: no key and no byte of output lost or doubled.
. test/integration/lib.sh "$1"
. test/integration/reconnect.inc
command -v perl >/dev/null || { echo "no perl"; exit 77; }
dirs="$T/remote"
start_sshd "$T/remote"
rlog="$T/remote/serve.log"
dport=$(free_port)
proxy_start "$dport"
cat >"$T/ssh-wrap" <<SSH
#!/bin/sh
echo run >>"$T/ssh-runs"
exec $ssh_cmd "\$@"
SSH
chmod +x "$T/ssh-wrap"
reconnect_run "${RECONNECT_DROPS:-30}" --ssh "$T/ssh-wrap" --server "$TELLY" --direct \
	--direct-bind "127.0.0.1:$dport" --direct-connect "127.0.0.1:$pport" "$dest"
[ "$(wc -l <"$T/ssh-runs")" = 1 ] || fail "ssh ran $(wc -l <"$T/ssh-runs") times"
n=$(grep -c 'resumed its channel on rc (exact' "$rlog")
[ "$n" -ge "${RECONNECT_DROPS:-30}" ] || fail "only $n exact resumes in the daemon's log"
grep -q "resumed its channel on rc (redrawn" "$rlog" && fail "a resume was redrawn"
# Every redial came by the direct link with the one secret.
n=$(grep -c 'direct: a connection with the secret for port' "$rlog")
[ "$n" -gt "${RECONNECT_DROPS:-30}" ] || fail "only $n direct handshakes for ${RECONNECT_DROPS:-30} drops"
grep -q 'failed authentication\|refused:' "$rlog" && fail "a redial's handshake or record was refused"
echo "reconnect over direct: ok"
