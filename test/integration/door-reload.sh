#!/bin/sh
# A SIGHUP that reloads the consoles file reaches the SSH front door too:
# a console added is listed and attachable over SSH, one removed is no
# longer listed, and a login made before the reload stays attached.
. "$(dirname "$0")/lib.sh"
cat >"$T/consoles.conf" <<EOF2
[vm1]
backend = exec:cat
[vm2]
backend = exec:cat
EOF2
door_keys "bob:vm*:rw"
door_start
pid=$(daemon_pid)
out=$(door_ssh bob 127.0.0.1 </dev/null 2>&1)
echo "$out" | grep -q "^  vm2 *rw" || fail "vm2 is not listed at start: $out"
tm_start a "$door_ssh_cmd -tt -i $K/bob vm1@127.0.0.1"
wait_for a 'you are writing'

cat >"$T/consoles.new" <<EOF2
[vm1]
backend = exec:cat
[vm3]
backend = exec:echo vm3-up; exec cat
EOF2
mv "$T/consoles.new" "$T/consoles.conf"
kill -HUP "$pid"
wait_until 10 grep -q 'consoles read again: 2' "$TELLY_DIR/serve.log"
out=$(door_ssh bob 127.0.0.1 </dev/null 2>&1)
echo "$out" | grep -q "^  vm3 *rw" || fail "vm3, added by the reload, is not listed: $out"
echo "$out" | grep -q "^  vm2 " && fail "vm2, removed by the reload, is still listed: $out"
tm_start c "$door_ssh_cmd -tt -i $K/bob vm3@127.0.0.1"
wait_for c 'vm3-up'
tm send-keys -t t:a 'typed-after-reload'
wait_for a 'typed-after-reload'
echo "front door reload: ok"
