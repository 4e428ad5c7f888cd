#!/bin/sh
# The link over ssh: the connection to sshd cut while keys are typed and
# output flows; attach runs ssh again in batch mode and resumes, no key or
# byte of output lost or doubled; the status line says the link is down.
. test/integration/lib.sh "$1"
. test/integration/reconnect.inc
command -v perl >/dev/null || { echo "no perl"; exit 77; }
dirs="$T/remote"
start_sshd "$T/remote"
proxy_start "$ssh_port"
rlog="$T/remote/serve.log"
reconnect_run "${RECONNECT_DROPS:-12}" --no-direct --ssh "ssh $ssh_opts -p $pport" --server "$TELLY" "$dest"
grep -aq 'link down [0-9]* s' "$T/out" || fail "no status line"
n=$(grep -c 'resumed its channel on rc (exact' "$T/remote/serve.log")
[ "$n" -ge "${RECONNECT_DROPS:-12}" ] || fail "only $n exact resumes in the daemon's log"
echo "reconnect over ssh: ok"
