#!/bin/sh
# Where a session starts. Over ssh, in the host user's home, not in the
# desk's folder (which the host may not have: env failed with status 125);
# -c DIR names another; one that does not exist there is the home, with a
# notice, never a failed session. On this host, the desk's folder, or -c
# DIR (a relative one from here).
. test/integration/lib.sh "$1"

dirs="$T/remote"
start_sshd "$T/remote"
home=$($ssh_cmd "$dest" 'cd && pwd -P') || fail "the host user's home"
mkdir -p "$T/desk-only" "$T/sub"
printf 'echo "cwd[$(pwd -P)]"; exec sleep 600\n' >"$T/pwd.sh"
att="$TELLY attach --ssh '$ssh_cmd' --server '$TELLY' $dest"

tm_start w1 "cd $T/desk-only && exec $att s1 -- sh $T/pwd.sh"
wait_for w1 "cwd[" 20
wait_for w1 "cwd[$home]"

tm_start w2 "cd $T/desk-only && exec $att -c /no/such/dir s2 -- sh $T/pwd.sh"
wait_for w2 "cwd[" 20
wait_for w2 "[telly: s2: no directory /no/such/dir here: started in $home]"
wait_for w2 "cwd[$home]"
screen w2 | grep -q 'status 125' && fail "the session failed"

tm_start w3 "cd $T/desk-only && exec $att --cwd $T/sub s3 -- sh $T/pwd.sh"
wait_for w3 "cwd[$T/sub]" 20

# This host: the desk's folder, -c DIR from here.
tm_start w4 "cd $T/desk-only && exec $TELLY attach s4 -- sh $T/pwd.sh"
wait_for w4 "cwd[$T/desk-only]"
tm_start w5 "cd $T && exec $TELLY attach -c sub s5 -- sh $T/pwd.sh"
wait_for w5 "cwd[$T/sub]"
TELLY_DIR=$T/remote "$TELLY" stop >/dev/null 2>&1
echo "where sessions start: ok"
