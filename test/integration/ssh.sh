#!/bin/sh
# telly attach user@host through the real OpenSSH client to a real sshd
# started here on 127.0.0.1 with generated keys; the host side is
# `telly serve --stdio`, with its own runtime directory to prove the
# session lives behind ssh.
. test/integration/lib.sh "$1"

SSHD=$(command -v sshd || echo /usr/sbin/sshd)
[ -x "$SSHD" ] || fail "sshd not installed (scripts/deps.sh installs openssh-server)"
mkdir -p "$T/ssh" && chmod 700 "$T/ssh"
dirs="$T/remote"
ssh-keygen -q -t ed25519 -N '' -f "$T/ssh/host" || fail "ssh-keygen"
ssh-keygen -q -t ed25519 -N '' -f "$T/ssh/user" || fail "ssh-keygen"
cp "$T/ssh/user.pub" "$T/ssh/authorized_keys"
[ "$(id -u)" = 0 ] && mkdir -p /run/sshd
port=$(( 20000 + $$ % 20000 ))
cat >"$T/ssh/sshd_config" <<CFG
ListenAddress 127.0.0.1
Port $port
HostKey $T/ssh/host
AuthorizedKeysFile $T/ssh/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PidFile $T/ssh/sshd.pid
PermitRootLogin prohibit-password
SetEnv TELLY_DIR=$T/remote
AcceptEnv LANG
CFG
"$SSHD" -D -e -f "$T/ssh/sshd_config" 2>"$T/ssh/sshd.log" &
pids="$pids $!"
ssh_cmd="ssh -F none -i $T/ssh/user -p $port -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR"
wait_until 10 sh -c "$ssh_cmd $(id -un)@127.0.0.1 true 2>/dev/null"

dest="$(id -un)@127.0.0.1"
tm_start w1 "exec $TELLY attach --ssh '$ssh_cmd' --server '$TELLY' $dest s1 -- env PS1='sh> ' sh"
wait_for w1 'sh>' 20
tm send-keys -t t:w1 'echo $TELLY_DIR over ssh' Enter
wait_for w1 "$T/remote over ssh"
TELLY_DIR=$T/remote "$TELLY" ls | grep -q '^s1: ' || fail "the session is not on the ssh side"
"$TELLY" ls 2>/dev/null | grep -q '^s1: ' && fail "the session is on the local daemon"
"$TELLY" ls --ssh "$ssh_cmd" --server "$TELLY" "$dest" | grep -q '^s1: ' || fail "ls over ssh"

tm send-keys -t t:w1 '~.'
wait_for w1 '[detached from s1]'
tm_start w2 "exec $TELLY attach --ssh '$ssh_cmd' --server '$TELLY' $dest:s1"
wait_for w2 "$T/remote over ssh" 20
"$TELLY" kill --ssh "$ssh_cmd" --server "$TELLY" "$dest" s1 || fail "kill over ssh"
wait_for w2 '[s1 exited with status'
TELLY_DIR=$T/remote "$TELLY" stop >/dev/null 2>&1
echo "attach over ssh: ok"
