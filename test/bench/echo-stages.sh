#!/bin/sh
# Where a raw key's echo time goes, by stage, for each way of reaching a
# host's daemon: telly view --headless --bench-keys into a raw session
# (stty raw -echo; cat echoes), the host's TIMING splitting the remote
# part (wire to host, host to pty write, pty+program, host to OUTPUT,
# wire back), over ssh (serve --stdio), --tcp (plaintext, a token) and
# --direct (sealed), to one daemon behind a real sshd on 127.0.0.1,
# interleaved ROUNDS times. Not run by make bench (no chart); by hand:
#
#   KEYS=300 ROUNDS=3 sh test/bench/echo-stages.sh BUILD_DIR
#
# HOPS=1 instead: where the time goes by process, telly attach against
# ssh -tt, both over the same sshd to the same raw program (stty raw
# -echo; dd bs=1), typometer typing: `perf sched` records KEYS keys of
# each (ROUNDS times, in turn) and echo-hops.awk says, per key and for
# every process on the path (the terminal, attach, ssh, sshd, the
# daemon, the program, the kernel's pty workers they woke), its runs
# (each time it got a CPU), its system calls, its CPU time and its wait
# for a CPU (tracing every call adds to the CPU times). Needs
# perf and the right to trace the scheduler (root, or
# kernel.perf_event_paranoid at most 1); HOPS_KEEP=DIR keeps each
# recording there (DIR/hops-ROUND-telly.data, -ssh.data) for `perf sched
# timehist -w -i FILE`; HOPS_CALLS=1 also lists each process's calls by
# number (those made at least once every ten keys).
#
#   HOPS=1 KEYS=300 ROUNDS=3 sh test/bench/echo-stages.sh BUILD_DIR
. test/integration/lib.sh "$1"
KEYS=${KEYS:-300}
dirs="$T/remote"
start_sshd "$T/remote"
lport=$(free_port) dxport=$(free_port)
TELLY_DIR=$T/remote XDG_STATE_HOME=$T/remote.state XDG_CONFIG_HOME=$T/remote.config \
	"$TELLY" serve --listen 127.0.0.1:$lport 2>"$T/remote-serve.log" & dpid=$!
pids="$pids $dpid"
wait_until 10 test -s "$T/remote/token"
# A session that stays: the daemon and its listeners outlive the rows' ones.
TELLY_DIR=$T/remote "$TELLY" new -s keep -- sleep 86400 >/dev/null
remote() { TELLY_DIR=$T/remote XDG_STATE_HOME=$T/remote.state XDG_CONFIG_HOME=$T/remote.config "$TELLY" "$@"; }
one() { # LABEL ARGS...
	label=$1; shift
	remote new -s k -- sh -c "stty raw -echo; exec cat" >/dev/null || fail new
	"$TELLY" view --headless --bench-keys "$KEYS" "$@" >/dev/null 2>"$T/k.err" || fail "view $label: $(cat "$T/k.err")"
	remote kill k >/dev/null 2>&1
	wait_until 10 sh -c "! TELLY_DIR=$T/remote \"$TELLY\" ls 2>/dev/null | grep -q '^k:'"
	echo "== $label"
	sed -n '/keystroke-to-pixel/,$p' "$T/k.err"
}
hops() { # TAG LABEL CMD...: one recording of KEYS keys, told by echo-hops.awk
	tag=$1 label=$2; shift 2
	rm -f "$T/typist.pid"
	perf sched record -q -o "$T/hops.data" -e raw_syscalls:sys_enter -- sh -c 'echo $$ >"$0"; exec "$@"' "$T/typist.pid" \
		"$B/bin/typometer" echo "$KEYS" -- "$@" >"$T/hops.out" 2>"$T/hops.err" ||
		fail "perf sched record for $label: $(tail -n 3 "$T/hops.err")"
	{
		perf script -i "$T/hops.data" -F comm,pid,tid,time,event,trace 2>/dev/null |
			grep -E 'sched_process_fork|raw_syscalls:sys_enter'
		perf sched timehist -w -i "$T/hops.data" 2>/dev/null
	} | awk -v roots="$(cat "$T/typist.pid") $(cat "$T/ssh/sshd.pid") $dpid" -v daemon="$dpid" \
		-v keys="$KEYS" -v detail="${HOPS_CALLS:-0}" -v label="$label ($(cat "$T/hops.out"))" \
		-f test/bench/echo-hops.awk
	if [ -n "${HOPS_KEEP:-}" ]; then cp "$T/hops.data" "$HOPS_KEEP/hops-$tag.data"; fi
	rm -f "$T/hops.data"
}
if [ "${HOPS:-0}" = 1 ]; then
	command -v perf >/dev/null || fail "HOPS=1 needs perf"
	raw_prog="stty raw -echo; echo READY-FOR-KEYS; exec dd bs=1 2>/dev/null"
	for i in $(seq ${ROUNDS:-3}); do
		hops $i-telly "telly attach over ssh" "$TELLY" attach -e none --no-direct --ssh "$ssh_cmd" \
			--server "$TELLY" "$dest" "h$i" -- sh -c "$raw_prog"
		remote kill "h$i" >/dev/null 2>&1
		hops $i-ssh "ssh -tt" sh -c "exec $ssh_cmd -tt $dest '$raw_prog'"
	done
	exit 0
fi
for i in $(seq ${ROUNDS:-3}); do
	one "ssh (serve --stdio)" --no-direct --ssh "$ssh_cmd" --server "$TELLY" "$dest"
	one "tcp plaintext" --tcp 127.0.0.1:$lport --token-file "$T/remote/token"
	one "direct" --ssh "$ssh_cmd" --server "$TELLY" --direct --direct-bind 127.0.0.1:$dxport "$dest"
done
