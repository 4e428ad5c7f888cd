#!/bin/sh
# Log and audit lines escape what they quote (issue 16): whatever a client
# sends, one event is one line, and no byte reaches the log that a
# terminal would act on.
#
# With the real OpenSSH client: a command (exec) with a newline and a line
# that looks like the front door's own, a subsystem name with a newline
# and a cursor movement, and a user name
# (set in an ssh_config: this client refuses control characters in -l)
# with a carriage return, ESC and a byte of no character. With the daemon's
# own protocol: a client whose name carries a newline and a forged audit
# line attaches to a console (the daemon puts '?' for such bytes in a
# name; vmc_audit escapes every field as well). Neither log gets a line
# that starts with the forged text, nor a CR, ESC or 0xff byte; the front
# door's log shows each text escaped.
. "$(dirname "$0")/lib.sh"
POKE=$B/test/rp-poke
[ -x "$POKE" ] || POKE=$(dirname "$B")/test/rp-poke # telly under ASan: the plain build's
[ -x "$POKE" ] || fail "$B/test/rp-poke is not built"
cat >"$T/consoles.conf" <<EOF2
[vm1]
backend = exec:cat
EOF2
door_keys "alice:vm1:rw"
ssh-keygen -q -t ed25519 -N '' -C eve -f "$K/eve" || fail "ssh-keygen"
door_start
LOG=$TELLY_DIR/serve.log
AUDIT=$LOG_DIR/audit.log
FORGED='2026-01-01 00:00:00 telly sshd[1]: forged'

# ---- exec and subsystem: a newline and a forged line ----
door_ssh alice vm1@127.0.0.1 "$(printf 'ls\n%s-by-exec' "$FORGED")" </dev/null >/dev/null 2>&1
door_ssh alice -s vm1@127.0.0.1 "$(printf 'sftp\n\033[1Aforged-by-subsystem')" </dev/null >/dev/null 2>&1
wait_until 10 grep -q "forged-by-subsystem" "$LOG"
wait_until 10 grep -q "forged-by-exec" "$LOG"
starts_with() { awk -v f="$1" 'index($0, f) == 1 { n++ } END { exit !n }' "$2"; }
starts_with "$FORGED" "$LOG" && { cat "$LOG"; fail "a client forged a line of the log"; }
grep -qF "asked to run 'ls\\n$FORGED-by-exec'" "$LOG" || { cat "$LOG"; fail "exec: not escaped as expected"; }
grep -qF "asked for subsystem 'sftp\\n\\x1b[1Aforged-by-subsystem'" "$LOG" ||
	{ cat "$LOG"; fail "subsystem: not escaped"; }

# ---- a user name with CR, ESC and 0xff, before login ----
printf 'Host *\n User "x\r%s-by-user\033[2K\377"\n' "$FORGED" >"$T/ssh_config"
ssh -F "$T/ssh_config" -o UserKnownHostsFile=/dev/null -o StrictHostKeyChecking=no \
	-o IdentitiesOnly=yes -o BatchMode=yes -o LogLevel=ERROR -p "$door_port" -i "$K/eve" \
	127.0.0.1 </dev/null >/dev/null 2>&1 && fail "an unknown key got in"
wait_until 10 grep -q "forged-by-user" "$LOG"
grep -qF "(user x\\r$FORGED-by-user\\x1b[2K\\xff) is not in" "$LOG" ||
	{ cat -v "$LOG"; fail "the user name is not escaped as expected"; }

# ---- the audit log: a client named with a newline and a forged event ----
hex() { printf '%s' "$1" | od -An -tx1 -v | tr -d ' \n'; }
str() { printf '%04x%s' "$(printf '%s' "$1" | wc -c)" "$(hex "$1")"; }
name=$(printf 'x\n2026-01-01T00:00:00.000 console=vm1 who="forged" attach writing\033[31m"q')
hello="$(hex TELLY)000100000000$(str '')$(str "$name")"
open="0000000104$(str vm1)$(str '')$(str '')0018005000000000""0000"
out=$("$POKE" "$TELLY_DIR/serve.sock" --until 3 frame 1 "$hello" frame 6 "$open" 2>&1)
echo "$out" | grep -q "^OK" || fail "the poke did not attach: $out"
wait_until 10 grep -q "attach writing" "$AUDIT"
# The detach is written once the daemon has the poke's end of stream,
# which may come after the attach's line is read here.
wait_until 10 grep -q "detach" "$AUDIT"
starts_with "2026-01-01T00:00:00.000" "$AUDIT" && { cat "$AUDIT"; fail "a client forged an audit line"; }
[ "$(grep -c . "$AUDIT")" = 2 ] || { cat -v "$AUDIT"; fail "one attach and one detach are not two lines"; }

for f in "$LOG" "$AUDIT"; do
	LC_ALL=C grep -q "$(printf '[\r\033\377]')" "$f" && { cat -v "$f"; fail "$f has a CR, ESC or 0xff"; }
done
echo "ok"
