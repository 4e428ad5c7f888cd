#!/bin/sh
# vmconsole end to end, all real parts: a QEMU guest (Debian's kernel and a
# busybox initramfs, under TCG) with its serial console on a unix socket,
# `telly serve --consoles` with its SSH front door on 127.0.0.1, the real
# OpenSSH client, picocom on the exposed pty, telly attach.
#
# A read-write key runs a command in the guest; a read-only key sees the
# output and cannot type; another writer takes over (~f) and the first is
# told; an unknown key and a password are refused, as are exec and
# subsystems; the VM is killed and started again and the same ssh session
# sees the new boot; picocom talks to the guest; the log holds everything
# the guest printed, including while nobody was attached; the audit log
# says who did what; the host key stays the same across a restart; a
# malformed consoles file and keys file get errors naming the line.
. "$(dirname "$0")/lib.sh"

G=$B/guest
sh "$(dirname "$0")/../guest/build.sh" "$G" || fail "cannot build the test guest"
mkdir -p "$TELLY_DIR" && chmod 700 "$TELLY_DIR"
port=$(free_port)
K=$T/keys && mkdir -p "$K"
for who in alice bob carol eve; do
	ssh-keygen -q -t ed25519 -N '' -C "$who" -f "$K/$who" || fail "ssh-keygen"
done
{
	echo "# test keys"
	echo "consoles=\"vm1:rw,gen:ro\" $(cat "$K/alice.pub")"
	echo "restrict,consoles=\"vm*:ro\" $(cat "$K/bob.pub")"
	echo "consoles=\"vm1:rw\" $(cat "$K/carol.pub")"
} >"$K/authorized"
cat >"$T/consoles.conf" <<EOF
# the test's consoles
[vm1]
backend = unix:$T/vm1.sock
log-cap = 1M

[gen]
backend = exec:i=0; while :; do i=\$((i+1)); echo tick \$i; sleep 0.02; done
log-cap = 4K
log-keep = 2
EOF

# ---- a malformed consoles file and keys file: errors name the line ----
printf '[vm1]\nbackend = unix:%s/vm1.sock\nspeed = 115200\n' "$T" >"$T/bad.conf"
out=$("$TELLY" serve --consoles "$T/bad.conf" 2>&1) && fail "a bad consoles file was accepted"
echo "$out" | grep -qF "$T/bad.conf:3: unknown key 'speed'" || fail "bad config message: $out"
printf 'consoles="vm1:rw" ssh-ed25519 AAAA a\nfrom="10.0.0.1" ssh-ed25519 AAAA b\n' >"$K/bad"
out=$("$TELLY" serve --consoles "$T/consoles.conf" --ssh-listen 127.0.0.1:$port \
	--ssh-keys "$K/bad" 2>&1) && fail "a bad keys file was accepted"
echo "$out" | grep -qF "$K/bad:2: option 'from' is not supported" || fail "bad keys message: $out"

start_vm() { # the serial console waits for telly to connect: no boot line is lost
	qemu-system-x86_64 -M pc -m 128 -display none -no-reboot -nodefaults \
		-chardev "socket,id=s0,path=$T/vm1.sock,server=on,wait=on" -serial chardev:s0 \
		-kernel "$G/vmlinuz" -initrd "$G/initrd.img" -append "console=ttyS0 panic=-1" \
		>"$T/qemu.log" 2>&1 &
	vm_pid=$!
	pids="$pids $vm_pid"
}
start_serve() { # [N]: the Nth start in this log
	"$TELLY" serve --consoles "$T/consoles.conf" --ssh-listen 127.0.0.1:$port \
		--ssh-keys "$K/authorized" --ssh-host-key "$T/hostkey" 2>>"$TELLY_DIR/serve.log" &
	pids="$pids $!"
	wait_until 10 sh -c "[ \$(grep -c 'serving on' '$TELLY_DIR/serve.log') -ge ${1:-1} ]"
}
start_serve
start_vm
LOG=$LOG_DIR/logs/vm1.log
boots() { grep -o 'telly-guest up: boot [0-9a-f-]*' "$LOG" 2>/dev/null; }
# Nobody is attached: the log alone sees the first boot.
wait_until 60 sh -c "grep -q 'telly-guest up: boot' '$LOG'"
boot1=$(boots | head -n 1 | sed 's/.* boot //')
[ "$(stat -c %a "$T/hostkey")" = 600 ] || fail "host key not 0600"

SSH="ssh -F none -e none -o UserKnownHostsFile=$T/known_hosts -o StrictHostKeyChecking=accept-new -o IdentitiesOnly=yes -o LogLevel=ERROR -p $port"

# ---- refused: an unknown key, a password, exec, a subsystem ----
out=$($SSH -o BatchMode=yes -i "$K/eve" vm1@127.0.0.1 true 2>&1 </dev/null) && fail "unknown key got in"
echo "$out" | grep -q "Permission denied (publickey)" || fail "unknown key: $out"
out=$($SSH -o BatchMode=yes -o PubkeyAuthentication=no \
	-o PreferredAuthentications=password,keyboard-interactive vm1@127.0.0.1 true 2>&1 </dev/null) &&
	fail "a password login got in"
echo "$out" | grep -q "Permission denied (publickey)" || fail "password: $out"
out=$($SSH -o BatchMode=yes -i "$K/alice" vm1@127.0.0.1 ls 2>&1 </dev/null) && fail "exec ran"
echo "$out" | grep -q "exec request failed" || fail "exec: $out"
out=$($SSH -o BatchMode=yes -i "$K/alice" -s vm1@127.0.0.1 sftp 2>&1 </dev/null) && fail "subsystem ran"
echo "$out" | grep -q "subsystem request failed" || fail "subsystem: $out"

# ---- listing: only what the key may see ----
out=$($SSH -i "$K/bob" 127.0.0.1 2>&1 </dev/null) || fail "listing failed: $out"
echo "$out" | grep -q "vm1 *ro" || fail "bob's list lacks vm1: $out"
echo "$out" | grep -q "gen" && fail "bob's list shows gen: $out"

# ---- a read-only viewer and a writer ----
tm_start ro "$SSH -i $K/bob vm1@127.0.0.1"
wait_for ro "vm1: read-only, you are watching" 20
wait_for ro "$boot1" 10 # the replay: what the guest printed before
tm_start rw "$SSH -i $K/alice vm1@127.0.0.1; echo ssh-exit-\$?"
wait_for rw "vm1: attached, you are writing" 20
tm send-keys -t t:rw 'echo marker-$((6*7))' Enter
wait_for rw "marker-42"
wait_for ro "marker-42" # the spectator sees it
tm send-keys -t t:ro 'echo ro-typed' Enter
wait_for ro "read-only, your keys go nowhere"
tm send-keys -t t:rw 'echo sync-$((1+1))' Enter
wait_for rw "sync-2"
grep -q "ro-typed" "$LOG" && fail "the read-only key's keys reached the guest"

# take_over WINDOW WRITER WRITER_NAME: WINDOW is told WRITER_NAME writes,
# takes over with ~f, and WRITER is told.
take_over() {
	wait_for "$1" "$3 is writing; you are watching" 20
	tm send-keys -t "t:$1" Enter '~f'
	wait_for "$1" "you are writing now"
	wait_for "$2" "took over; you are watching"
}

# ---- takeover: carol takes over, alice is told ----
tm_start rw2 "$SSH -i $K/carol vm1@127.0.0.1"
take_over rw2 rw ssh:alice
tm send-keys -t t:rw2 'echo carol-$((3*3))' Enter
wait_for rw2 "carol-9"
tm send-keys -t t:rw 'echo alice-dropped' Enter
wait_for rw "your keys are dropped"
tm send-keys -t t:rw2 Enter '~B'
wait_for rw2 "cannot send a break"

# ---- picocom on the exposed pty ----
[ -L "$TELLY_DIR/consoles/vm1" ] || fail "no pty link for vm1"
tm_start pico "picocom -q $TELLY_DIR/consoles/vm1"
pts=$(readlink "$TELLY_DIR/consoles/vm1")
picocom_open() { # picocom has the console's pty open
	for p in $(pgrep -f "picocom -q $TELLY_DIR/consoles/vm1"); do
		ls -l "/proc/$p/fd" 2>/dev/null | grep -q -- "-> $pts\$" && return 0
	done
	return 1
}
wait_until 10 picocom_open
tm send-keys -t t:pico Enter 'echo pico-$((2*21))' Enter
wait_for pico "pico-42"
tm send-keys -t t:pico C-a C-x

# ---- the VM restarts; the same ssh session sees the new boot ----
kill -9 "$vm_pid"
wait_for rw "retrying" 20
start_vm
wait_until 60 sh -c "[ \$(grep -c 'telly-guest up: boot' '$LOG') -ge 2 ]"
boot2=$(boots | tail -n 1 | sed 's/.* boot //')
[ "$boot2" != "$boot1" ] || fail "no new boot id"
wait_for rw "$boot2" 20
tm send-keys -t t:rw2 Enter 'echo after-$((5*5))' Enter
wait_for rw2 "after-25" 20

# ---- telly attach to the console: a spectator that takes over ----
tm_start av "$TELLY attach vm1"
take_over av rw2 ssh:carol
tm send-keys -t t:av 'echo attach-$((4*4))' Enter
wait_for av "attach-16"

# ---- ~. detaches, ssh exits 0 ----
tm send-keys -t t:rw Enter '~.'
wait_for rw "[detached from vm1]"
wait_for rw "ssh-exit-0"

# ---- a console is a session: telly ls and telly attach ----
"$TELLY" ls | grep -q "^vm1: console unix:" || fail "telly ls: $("$TELLY" ls)"
tm_start att "$TELLY attach gen"
wait_for att "tick"
# gen's log rotates at 4K, two older generations kept
GL=$LOG_DIR/logs/gen.log
wait_until 30 test -f "$GL.2"
[ -f "$GL.3" ] && fail "more generations than log-keep"
for f in "$GL" "$GL.1" "$GL.2"; do
	[ "$(stat -c %s "$f")" -le 4096 ] || fail "$f is over its cap"
done

# ---- the log: every line stamped, everything the guest printed ----
strip() { sed 's/^[0-9-]*T[0-9:.]* //' "$LOG"; }
bad=$(grep -cv '^[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T[0-9:]*\.[0-9]\{3\} ' "$LOG")
[ "$bad" = 0 ] || fail "$bad log lines without a timestamp"
for want in "telly-guest up: boot $boot1" "marker-42" "sync-2" "carol-9" "pico-42" "attach-16" \
	"telly-guest up: boot $boot2" "after-25" "[telly: vm1: unix:$T/vm1.sock:" "connected again after"; do
	strip | grep -qF -- "$want" || fail "the log lacks '$want'"
done
grep -q "alice-dropped" "$LOG" && fail "a spectator's keys reached the guest"
A=$LOG_DIR/audit.log
for want in 'who="ssh:bob (key SHA256:.*" attach read-only' 'who="ssh:alice .* attach writing' \
	'who="ssh:carol .* takeover from ssh:alice' 'who="ssh:carol .* break (not sent)' \
	'who="ssh:alice .* detach'; do
	grep -q "console=vm1 $want" "$A" || { cat "$A"; fail "audit log lacks $want"; }
done

# ---- the host key is kept: a restarted daemon is the same host ----
"$TELLY" stop >/dev/null || fail "telly stop"
wait_until 10 daemon_gone
wait_until 10 sh -c "! ss -ltn | grep -q ':$port '"
start_serve 2
out=$($SSH -o StrictHostKeyChecking=yes -i "$K/bob" 127.0.0.1 2>&1 </dev/null) ||
	{ tail -5 "$TELLY_DIR/serve.log"; fail "after a restart: $out"; }
echo "$out" | grep -q "vm1" || fail "after a restart: $out"
echo "ok"
