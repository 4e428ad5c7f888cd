#!/bin/sh
# vmconsole at scale, telly against conserver on the same consoles in the
# same run (`make bench`; not a test).
#
#   sh test/bench/vmconsole-bench.sh BUILD [CONSOLES] [VIEWERS] [SECONDS]
#
# Consoles are command backends running build/bin/ticker (an 80-byte line
# every 100 ms, or nothing when idle). Measured:
#   memory per idle console: (PSS with 1+N idle consoles - PSS with 1) / N,
#     summed over all the daemon's processes (telly: the daemon and its
#     SSH front door, a fork that shares the consoles' pages made before
#     it; conserver: all its processes; the console commands themselves
#     are not counted);
#   CPU per MB of console output, N busy consoles, VIEWERS of them watched
#     (telly: ssh clients through the front door; conserver: `console -s`);
#   attach time: start of the client to the first byte it gets (median of 10);
#   a stopped viewer: the other viewers' bytes per second before and after
#     one viewer's client is stopped with SIGSTOP (ratio; 1.0 = not slowed).
set -u
B=$(cd "${1:-build}" && pwd)
N=${2:-200}
V=${3:-20}
SECS=${4:-10}
TELLY=$B/bin/telly
W=$(mktemp -d /tmp/telly-vmcb.XXXXXX)
# Run from inside $W, so cleanup finds every console command by its path
# (conserver leaves its exec children running when it is stopped).
cp "$B/bin/ticker" "$W/ticker"
TICK=$W/ticker
PORT_SSH=$(( 30000 + $$ % 10000 ))
PORT_CS=$(( PORT_SSH + 1 ))
export TELLY_DIR=$W/run
export XDG_STATE_HOME=$W/state # the consoles' logs: $XDG_STATE_HOME/telly/logs
pids=""
viewers=""
cleanup() {
	for p in $pids $viewers; do
		kill -CONT "$p" 2>/dev/null
		pkill -P "$p" 2>/dev/null
		kill "$p" 2>/dev/null
	done
	"$TELLY" stop >/dev/null 2>&1
	pkill -f -- "$W" 2>/dev/null
	sleep 0.2
	pkill -9 -f -- "$W" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT INT TERM
command -v conserver >/dev/null && command -v console >/dev/null ||
	{ echo "vmconsole-bench: conserver not installed (scripts/deps.sh installs it)"; exit 1; }
mkdir -p "$TELLY_DIR" && chmod 700 "$TELLY_DIR"
ssh-keygen -q -t ed25519 -N '' -C bench -f "$W/key"
echo "consoles=\"*:rw\" $(cat "$W/key.pub")" >"$W/keys"
SSH="ssh -F none -e none -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o IdentitiesOnly=yes -o LogLevel=ERROR -i $W/key -p $PORT_SSH"

# ---- helpers ----
kb() { # PIDS...: sum of Pss (kB)
	for p in "$@"; do awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null; done |
		awk '{s += $1} END {print s + 0}'
}
ticks() { # PIDS...: user+system clock ticks
	for p in "$@"; do awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null; done |
		awk '{s += $1} END {print s + 0}'
}
lines() { # LOGS...: lines the consoles printed so far
	cat "$@" 2>/dev/null | grep -c 'line [0-9]'
}
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
now_ns() { date +%s%N; }
telly_pid() { sed -n 's/.*serving on .* (pid \([0-9]*\)).*/\1/p' "$TELLY_DIR/serve.log" | tail -n 1; }
cs_pids() { pgrep -f -- "conserver -C $W/cs.cf"; }
telly_all() { pgrep -f -- "serve --consoles $W/t.conf"; } # with the front door and its children

telly_conf() { # COUNT TICKER_ARGS: consoles c1..cCOUNT
	for i in $(seq 1 "$1"); do printf '[c%d]\nbackend = exec:%s %s\n' "$i" "$TICK" "$2"; done >"$W/t.conf"
}
cs_conf() { # COUNT TICKER_ARGS
	{
		echo "default * { type exec; logfile $W/cs/&.log; rw *; master localhost; }"
		for i in $(seq 1 "$1"); do echo "console c$i { exec $TICK $2; }"; done
		echo "access * { trusted 127.0.0.1; }"
	} >"$W/cs.cf"
}
telly_start() {
	: >"$TELLY_DIR/serve.log"
	"$TELLY" serve --consoles "$W/t.conf" --ssh-listen 127.0.0.1:$PORT_SSH --ssh-keys "$W/keys" \
		--ssh-host-key "$W/hostkey" 2>>"$TELLY_DIR/serve.log" &
	for _ in $(seq 1 200); do [ -n "$(telly_pid)" ] && break; sleep 0.05; done
}
telly_stop() {
	p=$(telly_pid)
	"$TELLY" stop >/dev/null 2>&1
	while kill -0 "$p" 2>/dev/null; do sleep 0.05; done
	while ss -ltn | grep -q ":$PORT_SSH "; do sleep 0.05; done
}
cs_start() {
	mkdir -p "$W/cs"
	: >"$W/cs.passwd"
	conserver -C "$W/cs.cf" -P "$W/cs.passwd" -p $PORT_CS -M 127.0.0.1 -o -O 1 >"$W/cs.out" 2>&1 &
	for _ in $(seq 1 200); do ss -ltn | grep -q ":$PORT_CS " && break; sleep 0.05; done
}
cs_stop() {
	for p in $(cs_pids); do kill "$p" 2>/dev/null; done
	while [ -n "$(cs_pids)" ]; do sleep 0.05; done
	pkill -f -- "$TICK" 2>/dev/null # its console commands outlive it
}
settle() { sleep 2; } # consoles started and attached: let first-time costs pass

# ---- memory per idle console ----
# The first start makes the front door's host key (and touches the
# crypto that takes): not counted against either size.
telly_conf 1 0; telly_start; settle; telly_stop
telly_conf 1 0; telly_start; settle; t1=$(kb $(telly_all)); telly_stop
telly_conf $((N + 1)) 0; telly_start; settle; tN=$(kb $(telly_all)); telly_stop
cs_conf 1 0; cs_start; settle; c1=$(kb $(cs_pids)); cs_stop
cs_conf $((N + 1)) 0; cs_start; settle; cN=$(kb $(cs_pids)); cs_stop
t_per=$(( (tN - t1) * 1024 / N ))
c_per=$(( (cN - c1) * 1024 / N ))
# Idle after printing: each console printed 300 lines (a boot) first.
telly_conf 1 "1 300"; telly_start; settle; t1=$(kb $(telly_all)); telly_stop
telly_conf $((N + 1)) "1 300"; telly_start; settle; tN=$(kb $(telly_all)); telly_stop
cs_conf 1 "1 300"; cs_start; settle; c1=$(kb $(cs_pids)); cs_stop
cs_conf $((N + 1)) "1 300"; cs_start; settle; cN=$(kb $(cs_pids)); cs_stop
t_per2=$(( (tN - t1) * 1024 / N ))
c_per2=$(( (cN - c1) * 1024 / N ))

# ---- busy consoles, watched ----
viewers=""
watch() { # CMD OUT: a viewer whose stdin stays open
	( sleep 100000 | $1 >"$2" 2>/dev/null ) &
	viewers="$viewers $!"
}
hz=$(getconf CLK_TCK)
rate() { # FILES...: bytes now, summed
	cat "$@" 2>/dev/null | wc -c
}
# Others' rate after/before one viewer (its client's pids from VICTIM_FN)
# is stopped. OUTFILES: the other viewers' output.
stopped_ratio() { # VICTIM_FN OUTFILES...
	fn=$1; shift
	a0=$(rate "$@"); sleep "$SECS"; a1=$(rate "$@")
	victim=$($fn)
	for p in $victim; do kill -STOP "$p"; done
	b0=$(rate "$@"); sleep "$SECS"; b1=$(rate "$@")
	for p in $victim; do kill -CONT "$p"; done
	awk -v a=$((a1 - a0)) -v b=$((b1 - b0)) 'BEGIN {printf "%.2f", a ? b / a : 0}'
}
ssh_client() { echo "$SSH -tt $1@127.0.0.1"; }
cs_client() { echo "console -M 127.0.0.1 -p $PORT_CS -s $1"; }
ssh_of() { pgrep -f -- "ssh .*-p $PORT_SSH c1@127.0.0.1"; }
cons_of() { pgrep -f -- "console -M 127.0.0.1 -p $PORT_CS -s c1\$"; }

# One side, running: V viewers, then CPU over SECS, attach time, a stopped
# viewer. Sets r_cpu r_all (ticks), r_lines, r_att (ms), r_slow (ratio).
side() { # CLIENT_FN TAG LOGDIR PIDS_FN ALL_PIDS_FN VICTIM_FN
	for i in $(seq 1 "$V"); do watch "$($1 "c$i")" "$W/$2$i.out"; done
	settle
	l0=$(lines "$3"/c*.log); k0=$(ticks $($4)); a0=$(ticks $($5))
	sleep "$SECS"
	l1=$(lines "$3"/c*.log); k1=$(ticks $($4)); a1=$(ticks $($5))
	att=$(for _ in $(seq 1 10); do
		s=$(now_ns)
		e=$( (sleep 2 | timeout 3 $($1 "c$((V + 1))") 2>/dev/null) | { head -c 1 >/dev/null; now_ns; })
		echo $(( (e - s) / 1000000 ))
	done | median)
	others=$(for i in $(seq 2 "$V"); do echo "$W/$2$i.out"; done)
	slow=$(stopped_ratio "$6" $others)
	for p in $viewers; do pkill -P "$p"; kill "$p" 2>/dev/null; done
	viewers=""
	r_cpu=$((k1 - k0)) r_all=$((a1 - a0)) r_lines=$((l1 - l0)) r_att=$att r_slow=$slow
}

telly_conf "$N" 100; telly_start; settle
side ssh_client tv "$XDG_STATE_HOME/telly/logs" telly_pid telly_all ssh_of
t_cpu=$r_cpu t_all=$r_all t_lines=$r_lines t_att=$r_att t_slow=$r_slow
telly_stop
cs_conf "$N" 100; cs_start; settle
side cs_client cv "$W/cs" cs_pids cs_pids cons_of
c_cpu=$r_cpu c_lines=$r_lines c_att=$r_att c_slow=$r_slow
cs_stop

per_mb() { awk -v t="$1" -v l="$2" -v hz="$hz" 'BEGIN {mb = l * 80 / 1e6; printf "%.3f", mb ? t / hz / mb : 0}'; }
mbps() { awk -v l="$1" -v s="$SECS" 'BEGIN {printf "%.3f", l * 80 / 1e6 / s}'; }
echo
echo "vmconsole: $N consoles, $V viewers, ${SECS}s windows (2-core VM; one run)"
printf '%-34s %14s %14s %8s\n' "" "telly" "conserver" "ratio"
printf '%-34s %14s %14s %8s\n' "memory per idle console (PSS)" "$((t_per / 1024)) KiB" "$((c_per / 1024)) KiB" \
	"$(awk -v a=$t_per -v b=$c_per 'BEGIN {printf "%.2f", b ? a / b : 0}')"
printf '%-34s %14s %14s %8s\n' "  idle after printing 300 lines" "$((t_per2 / 1024)) KiB" "$((c_per2 / 1024)) KiB" \
	"$(awk -v a=$t_per2 -v b=$c_per2 'BEGIN {printf "%.2f", b ? a / b : 0}')"
printf '%-34s %14s %14s\n' "console output (MB/s)" "$(mbps "$t_lines")" "$(mbps "$c_lines")"
printf '%-34s %14s %14s %8s\n' "CPU seconds per MB of output" "$(per_mb "$t_cpu" "$t_lines")" \
	"$(per_mb "$c_cpu" "$c_lines")" \
	"$(awk -v a="$(per_mb "$t_cpu" "$t_lines")" -v b="$(per_mb "$c_cpu" "$c_lines")" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')"
printf '%-34s %14s\n' "  telly with the SSH front door" "$(per_mb "$t_all" "$t_lines")"
printf '%-34s %14s %14s %8s\n' "attach, first byte (median of 10)" "${t_att} ms (ssh)" "${c_att} ms" \
	"$(awk -v a=$t_att -v b=$c_att 'BEGIN {printf "%.2f", b ? a / b : 0}')"
printf '%-34s %14s %14s\n' "others' rate, one viewer stopped" "$t_slow" "$c_slow"
