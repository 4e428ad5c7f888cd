#!/bin/sh
# make bench, prediction part: a typist at bash's line editor (typos,
# backspaces, cursor moves; test/bench/predict-bench.c) and at a raw
# no-echo password prompt, through telly attach (adaptive, over ssh),
# mosh (adaptive and always) and ssh, behind the delay proxy at 0, 100
# and 300 ms of round trip (mosh through its UDP twin). Per client: the
# share of keys whose result is on screen within 5 ms, the median, wrong
# screens per 100 keys, whether the last screen is right, and whether a
# password character was ever on screen. The first row, local, is the
# program on a pty of its own: what its own redraws give this measure (a
# readline redraw in two writes shows a screen no key asked for for a
# moment; some keys' results are never on screen alone), the ceiling of
# the share and the floor of the wrong screens for every client.
#
#   RTTS="0 100 300" CLIENTS="local telly mosh mosh-always ssh" sh test/bench/predict-bench.sh BUILD_DIR
#
# (PREDICT_BENCH_KEYS=1 makes predict-bench print each key's time.) The
# share depends on the machine's load as much as on the client: read the
# local row first.
. test/integration/lib.sh "$1"
RTTS=${RTTS:-0 100 300}
CLIENTS=${CLIENTS:-local telly mosh mosh-always ssh}
PB=$B/bin/predict-bench
PROXY=$B/bin/delay-proxy
out=$B/bench
mkdir -p "$out"
export LANG=C.UTF-8
# echo hello world, typed with typos fixed by backspace and a word put
# right by moving the cursor back into it.
TRACE='echo helo\x7flo wrold\x7f\x7f\x7f\x7f\x7fworld\e[D\e[D\e[D\e[Dxy\x7f\x7f\e[C\e[C\e[C\e[C!!\x7f'
SHELL_CMD="env PS1='P> ' bash --norc --noprofile"
cat >"$T/pw.py" <<'EOF'
import sys, tty
tty.setraw(0)
sys.stdout.write('Password: ')
sys.stdout.flush()
sys.stdin.read(8)
EOF
PW_CMD="python3 $T/pw.py"

dirs="$T/remote"
start_sshd "$T/remote"
ssh_via() { echo "ssh $ssh_opts -p $1"; }

n=0
run() { # CLIENT RTT PROXYPORT -- predict-bench options...
	c=$1 rtt=$2 port=$3; shift 4
	n=$((n + 1))
	case $c in
	local) # the reference: the program on a pty of its own, no network
		"$PB" "$@" -- sh -c "$prog" ;;
	telly)
		"$PB" "$@" -- "$TELLY" attach -e none --ssh "$(ssh_via "$port")" --server "$TELLY" \
			"$dest" "pb$n" -- sh -c "$prog"
		TELLY_DIR=$T/remote "$TELLY" kill "pb$n" >/dev/null 2>&1 ;;
	ssh)
		"$PB" "$@" -- sh -c "exec $(ssh_via "$port") -tt $dest \"$prog\"" ;;
	mosh | mosh-always)
		mode=adaptive; [ "$c" = mosh-always ] && mode=always
		mport=$(free_port)
		conn=$(mosh-server new -s -l LANG=C.UTF-8 -- sh -c "$prog" 2>/dev/null |
			sed -n 's/^MOSH CONNECT \([0-9]*\) \(.*\)$/\1 \2/p')
		[ -n "$conn" ] || { echo "mosh-server did not start"; return; }
		set -- "$@" $conn
		sport=$(eval echo \${$(($# - 1))}) key=$(eval echo \${$#})
		"$PROXY" udp "$mport" "$sport" $((rtt / 2)) & ppid=$!
		# the last two words were mosh's port and key: not predict-bench's
		args=$(i=0; for a in "$@"; do i=$((i + 1)); [ $i -le $(($# - 2)) ] && printf "'%s' " "$a"; done)
		eval "MOSH_KEY=$key MOSH_PREDICTION_DISPLAY=$mode \"$PB\" $args -- mosh-client 127.0.0.1 $mport"
		kill "$ppid" 2>/dev/null
		pid=$(pgrep -f "mosh-server new -s -l LANG=C.UTF-8 -- sh -c" | head -n 1)
		[ -n "$pid" ] && kill "$pid" 2>/dev/null ;;
	esac
}

echo "bash line editing (43 keys: typos, backspaces, cursor moves), a key every 150 +- 60 ms;"
echo "a raw no-echo password prompt (8 keys); delay proxy round trip:"
for rtt in $RTTS; do
	pport=$(free_port)
	"$PROXY" tcp "$pport" "$ssh_port" $((rtt / 2)) & pids="$pids $!"
	wait_until 10 sh -c "$(ssh_via "$pport") $dest true 2>/dev/null"
	for c in $CLIENTS; do
		case $c in mosh*) command -v mosh-server >/dev/null || continue ;; esac
		[ "$c" = local ] && [ "$rtt" != "${RTTS%% *}" ] && continue
		prog=$SHELL_CMD
		line=$(run "$c" "$rtt" "$pport" -- --ready 'P> ' "$TRACE")
		at=$rtt; [ "$c" = local ] && at=-
		printf '%-12s %4s ms  %s\n' "$c" "$at" "$line"
		prog=$PW_CMD
		line=$(run "$c" "$rtt" "$pport" -- --password --ready 'Password: ' 'swordfsh')
		printf '%-12s %4s ms  %s\n' "$c" "$at" "$line"
	done
done
