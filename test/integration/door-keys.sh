#!/bin/sh
# The front door's keys file (issue 16). At start, a key with consoles=
# twice stops the daemon with the file and line named. A read-only key's
# list of consoles shows names and rights, never a backend's target (an
# exec: command line here). While the door runs, the file is read again at
# each login: a line added with an option the door does not support, and
# one with consoles= twice ("vm1:ro" then "*:rw", which granted everything
# when the last list won), are each refused and logged with their line,
# and every other key still logs in (a good key added meanwhile too).
. "$(dirname "$0")/lib.sh"
cat >"$T/consoles.conf" <<EOF2
[vm1]
backend = exec:cat

[vm2]
backend = exec:echo started; exec env SECRET_TOKEN=s3cr3t cat
EOF2
door_keys "alice:vm1:rw" "bob:vm*:ro"
for who in carol eve dave; do
	ssh-keygen -q -t ed25519 -N '' -C "$who" -f "$K/$who" || fail "ssh-keygen"
done
LOG=$TELLY_DIR/serve.log

# ---- at start: consoles= twice is refused, naming the line ----
cp "$K/authorized" "$K/twice"
echo "consoles=\"vm1:ro\",consoles=\"*:rw\" $(cat "$K/eve.pub")" >>"$K/twice"
mkdir -p "$TELLY_DIR" && chmod 700 "$TELLY_DIR"
out=$("$TELLY" serve --consoles "$T/consoles.conf" --ssh-listen "127.0.0.1:$door_port" \
	--ssh-keys "$K/twice" --ssh-host-key "$T/hostkey" 2>&1) && fail "consoles= twice was accepted"
echo "$out" | grep -qF "$K/twice:3: consoles=\"...\" is given twice" || fail "message: $out"

door_start

# ---- a read-only key's list: names and rights only ----
out=$(door_ssh bob 127.0.0.1 </dev/null 2>&1) || fail "bob's list: $out"
echo "$out" | grep -q "^  vm1 *ro" || fail "bob's list lacks vm1: $out"
echo "$out" | grep -q "^  vm2 *ro" || fail "bob's list lacks vm2: $out"
# `ssh -p PORT host` (the login name is the person's own) is how the list
# is asked for: it comes first, not a complaint about that name (issue 20).
echo "$out" | head -n 1 | grep -q "^telly: consoles for bob" || fail "bob's list does not come first: $out"
echo "$out" | grep -qE "exec:|SECRET|cat" && fail "bob's list shows a backend's target: $out"

# ---- lines added while it runs ----
echo "from=\"127.0.0.1\",consoles=\"vm1:rw\" $(cat "$K/carol.pub")" >>"$K/authorized"
echo "consoles=\"vm1:ro\",consoles=\"*:rw\" $(cat "$K/eve.pub")" >>"$K/authorized"
echo "consoles=\"vm2:ro\" $(cat "$K/dave.pub")" >>"$K/authorized"
for who in alice bob dave; do
	out=$(door_ssh "$who" 127.0.0.1 </dev/null 2>&1) || { tail -5 "$LOG"; fail "$who is locked out: $out"; }
	echo "$out" | grep -q "consoles for $who" || fail "$who: $out"
done
for who in carol eve; do
	out=$(door_ssh "$who" 127.0.0.1 </dev/null 2>&1) && fail "$who's bad line let $who in: $out"
	echo "$out" | grep -q "Permission denied (publickey)" || fail "$who: $out"
done
out=$(door_ssh eve vm2@127.0.0.1 </dev/null 2>&1) && fail "eve reached vm2: $out"
grep -qF "$K/authorized:3: option 'from' is not supported here" "$LOG" ||
	{ cat "$LOG"; fail "the unsupported line is not logged with its line"; }
grep -qF "$K/authorized:4: consoles=\"...\" is given twice" "$LOG" ||
	{ cat "$LOG"; fail "consoles= twice is not logged with its line"; }
grep -q "this line is left out; the other keys work" "$LOG" || fail "the log does not say what happens"
echo "ok"
