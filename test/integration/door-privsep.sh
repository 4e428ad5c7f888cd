#!/bin/sh
# The SSH front door keeps its privileges apart (issue 16), seen from
# outside with /proc and ss, and with the real OpenSSH client.
#
# A connection that sits before login: the process that holds the front
# door's end of it (ss), its session process, is a fresh exec of telly (its command line is `telly sshd-session`, its stack
# is not where its parent's is), runs under a seccomp filter (Seccomp: 2),
# has exactly stdin/out/err (/dev/null), the client's socket and its
# monitor's, and no socket of the daemon; neither has its monitor. Once
# attached, the monitor holds the daemon's socket and the session process
# still has none. A key granted vm1 reaches nothing else by any way the
# door offers: vm2 as the user name, exec, a subsystem, stdio, local (to
# the daemon's own socket) and remote forwarding; the audit log and the
# outputs show no trace of vm2. A read-only key's keys reach nobody.
. "$(dirname "$0")/lib.sh"
command -v bash >/dev/null || { echo "bash (for /dev/tcp) is not installed"; exit 77; }
POKE=$B/test/rp-poke
[ -x "$POKE" ] || POKE=$(dirname "$B")/test/rp-poke # telly under ASan: the plain build's
[ -x "$POKE" ] || fail "$B/test/rp-poke is not built"
cat >"$T/consoles.conf" <<EOF
[vm1]
backend = exec:cat

[vm2]
backend = exec:echo vm2-private-\$((6*7)); exec cat
EOF
door_keys "alice:vm1:rw" "bob:vm*:ro"
door_start
SOCK=$TELLY_DIR/serve.sock
AUDIT=$LOG_DIR/audit.log

# The client ends of the daemon's connections, and a process's sockets.
daemon_peers() { ss -xa | awk -v s="$SOCK" '$5 == s && $2 == "ESTAB" { print $8 }'; }
sockets_of() { ls -l "/proc/$1/fd" 2>/dev/null | sed -n 's/.*socket:\[\([0-9]*\)\]$/\1/p'; }
has_daemon_socket() { # PID
	peers=$(daemon_peers)
	for i in $(sockets_of "$1"); do
		echo "$peers" | grep -qx "$i" && return 0
	done
	return 1
}
ppid_of() { awk '{ print $4 }' "/proc/$1/stat"; }
stack_of() { sed -n 's/ .*\[stack\]$//p' "/proc/$1/maps"; }
# The process that holds the front door's end of the one connection: the
# one that reads what the client sends.
conn_proc() { ss -tnpH state established "( sport = :$door_port )" | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u; }
one_conn() { [ "$(conn_proc | wc -l)" = 1 ]; }
no_conn() { [ -z "$(conn_proc)" ]; }

# ---- a connection before login ----
bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" && exec sleep 600' silent "$door_port" &
silent=$!
pids="$pids $silent"
wait_until 20 one_conn
s=$(conn_proc)
m=$(ppid_of "$s")
# It loads the host key first, then enters the filter, then reads.
filtered() { grep -q '^Seccomp:[[:space:]]*2$' "/proc/$1/status"; }
wait_until 20 filtered "$s" ||
	fail "the session process is not under a seccomp filter: $(grep Seccomp "/proc/$s/status")"
[ "$(tr '\0' ' ' <"/proc/$s/cmdline")" = "telly sshd-session $T/hostkey " ] ||
	fail "the session process is no exec of its own: $(tr '\0' ' ' <"/proc/$s/cmdline")"
[ "$(readlink "/proc/$s/exe")" = "$(readlink "/proc/$m/exe")" ] || fail "not the same program"
[ "$(stack_of "$s")" != "$(stack_of "$m")" ] ||
	fail "the session's stack is where its parent's is ($(stack_of "$s")): a fork, not an exec"
[ "$(ls "/proc/$s/fd" | sort -n | tr '\n' ' ')" = "0 1 2 3 4 " ] ||
	fail "the session process has other descriptors: $(ls -l "/proc/$s/fd")"
for fd in 0 1 2; do
	[ "$(readlink "/proc/$s/fd/$fd")" = /dev/null ] || fail "its fd $fd is not /dev/null"
done
[ "$(sockets_of "$s" | wc -l)" = 2 ] || fail "the session has not two sockets"
has_daemon_socket "$s" && fail "the session process holds a socket of the daemon before login"
has_daemon_socket "$m" && fail "its monitor holds a socket of the daemon before login"
kill "$silent"
wait_until 10 no_conn

# ---- attached: the monitor holds the daemon's socket, the session does not ----
tm_start a1 "$door_ssh_cmd -i $K/alice vm1@127.0.0.1"
wait_for a1 "vm1: attached, you are writing" 20
tm send-keys -t t:a1 'echo typed-by-alice' Enter
wait_for a1 "typed-by-alice"
wait_until 10 one_conn
s=$(conn_proc)
m=$(ppid_of "$s")
has_daemon_socket "$m" || fail "the monitor of an attached connection has no daemon socket (the check is blind)"
has_daemon_socket "$s" && fail "the session process of an attached connection holds the daemon's socket"
grep -q '^Seccomp:[[:space:]]*2$' "/proc/$s/status" || fail "attached, the filter is gone"

# ---- alice (vm1 only) reaches nothing else ----
out=$(door_ssh alice vm2@127.0.0.1 </dev/null 2>&1)
echo "$out" | grep -q "'vm2' is not a console of alice" || fail "vm2 as the user name: $out"
echo "$out" | grep -q "vm2 " && fail "alice's list shows vm2: $out"
out=$(door_ssh alice -tt vm2@127.0.0.1 </dev/null 2>&1)
echo "$out" | grep -q "'vm2' is not a console of alice" || fail "vm2 with a pty: $out"
out=$(door_ssh alice vm1@127.0.0.1 "telly attach vm2" </dev/null 2>&1) && fail "exec ran: $out"
echo "$out" | grep -q "exec request failed" || fail "exec: $out"
out=$(door_ssh alice -s vm1@127.0.0.1 vm2 </dev/null 2>&1) && fail "a subsystem ran: $out"
echo "$out" | grep -q "subsystem request failed" || fail "subsystem: $out"
out=$(door_ssh alice -W "127.0.0.1:$door_port" vm1@127.0.0.1 </dev/null 2>&1) && fail "stdio forwarding: $out"
out=$(door_ssh alice -N -o ExitOnForwardFailure=yes -R 127.0.0.1:0:127.0.0.1:22 vm1@127.0.0.1 \
	</dev/null 2>&1) && fail "remote forwarding: $out"
echo "$out" | grep -q "remote port forwarding failed" || fail "remote forwarding: $out"
# The daemon's own socket through a local forward: a HELLO gets no answer.
mkdir -p "$T/fwd" && chmod 700 "$T/fwd"
door_ssh alice -N -L "$T/fwd/serve.sock:$SOCK" vm1@127.0.0.1 </dev/null >/dev/null 2>&1 &
pids="$pids $!"
wait_until 20 test -S "$T/fwd/serve.sock"
out=$("$POKE" "$T/fwd/serve.sock" hello 2>&1)
echo "$out" | grep -q "HELLO" && fail "the daemon's socket answered through a forward: $out"
grep 'console=vm2' "$AUDIT" | grep -q "ssh:alice" && fail "the audit log has alice on vm2: $(cat "$AUDIT")"
screen a1 | grep -q "vm2-private" && fail "vm2's output reached alice"

# ---- a read-only key's keys reach nobody ----
tm_start b1 "$door_ssh_cmd -i $K/bob vm1@127.0.0.1"
wait_for b1 "vm1: read-only, you are watching" 20
tm send-keys -t t:b1 'echo typed-by-bob' Enter
wait_for b1 "your keys go nowhere"
tm send-keys -t t:a1 'echo after-bob' Enter
wait_for b1 "after-bob"
grep -q "typed-by-bob" "$LOG_DIR/logs/vm1.log" && fail "a read-only key's keys reached vm1"
grep -q 'console=vm1 who="ssh:bob .* attach read-only' "$AUDIT" || fail "audit: $(cat "$AUDIT")"
echo "ok"
