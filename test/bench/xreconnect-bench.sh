#!/bin/sh
# make bench, the link for X windows: from a lost link's return to a line
# typed into an X window while it was down reaching the program (an
# xterm running cat, in an X session of a daemon on TCP, behind
# test/integration/cut-proxy and test/bench/delay-proxy for the round
# trip). reconnect-bench.sh types into a terminal window and awaits its
# echo in the view's paint records, which say nothing of X windows; here
# the time ends where the line lands in the program's file, on the host,
# so it counts the redial and the input's way there, not the way back.
# telly view headless, its keyboard on --key-fd, the xterm focused by an
# --input script, whose screenshot after it says so; each drop: a line typed and landed, 1.5 s for the
# heartbeat to prove it taken, the link down (reset and refused), a line
# typed once the view says so, then the link up. Sorted, in ms.
#
#   DROPS=8 RTT=100 sh test/bench/xreconnect-bench.sh BUILD_DIR
. test/integration/lib.sh "$1"
command -v xterm >/dev/null || { echo "xreconnect: no xterm, skipped"; exit 0; }
rtt=${RTT:-100}
drops=${DROPS:-8}
port=$(free_port)
"$TELLY" serve --listen 127.0.0.1:$port 2>"$T/serve.err" &
pids="$pids $!"
wait_until 10 grep -q "serving on" "$T/serve.err"
dport=$(free_port)
"$B/bin/delay-proxy" tcp "$dport" "$port" $((rtt / 2)) &
pids="$pids $!"
pport=$(free_port)
mkfifo "$T/ctl" "$T/keys"
"$B/test/cut-proxy" "$pport" "$dport" "$T/ctl" >"$T/proxy.log" 2>&1 &
pids="$pids $!"
wait_until 10 grep -q '^ready' "$T/proxy.log"
tl() {
	tl_sub=$1
	shift
	"$TELLY" "$tl_sub" --tcp 127.0.0.1:$pport --token-file "$TELLY_DIR/token" "$@"
}
ctl() { echo "$1" >"$T/ctl"; }
said() { [ "$(grep -c "$1" "$T/view.err")" -ge "$2" ]; }
tl new --x11 -s xs -- xterm -T xtest -geometry 40x8+100+80 -e sh -c "exec cat >$T/typed" \
	>/dev/null || fail "telly new --x11"
wait_until 20 sh -c "\"$TELLY\" ls | grep -q 'window .*\"xtest\"'"
exec 7<>"$T/keys"
printf '%s\n' 'wait-window "xtest" 30' "screenshot $T/ready.png" >"$T/in"
tl view --headless --x11 xs --input "$T/in" --key-fd 3 3<"$T/keys" >"$T/legend" 2>"$T/view.err" &
pids="$pids $!"
wait_until 30 grep -q ready.png "$T/legend"
i=0
: >"$T/ms"
while [ $i -le "$drops" ]; do
	printf 'type "a%s\\n"\n' $i >&7
	wait_until 30 grep -qs "^a$i\$" "$T/typed"
	[ $i = 0 ] || {
		t1=$(cat "$T/t1")
		echo $(( (t1 - t0) / 1000000 )) >>"$T/ms"
	}
	i=$((i + 1))
	[ $i -le "$drops" ] || break
	sleep 1.5
	ctl down
	wait_until 20 said 'the link is down' $i
	printf 'type "d%s\\n"\n' $i >&7
	sleep 0.5
	t0=$(date +%s%N)
	ctl up
	while ! grep -qs "^d$i\$" "$T/typed"; do
		[ $(( ($(date +%s%N) - t0) / 1000000 )) -lt 20000 ] || fail "d$i never reached the xterm"
		sleep 0.005
	done
	date +%s%N >"$T/t1"
	wait_until 20 said 'the link is back' $i
done
echo "xreconnect: $rtt ms RTT, from the link's return to a line typed into an X window" \
	"meanwhile reaching its program, $drops drops (ms): $(sort -n "$T/ms" | tr '\n' ' ')"
