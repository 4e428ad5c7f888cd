#!/bin/sh
# make bench, the link: how soon typing works again after a lost link
# returns (test/bench/reconnect-bench.c), through test/integration/cut-proxy
# and, for a round trip, test/bench/delay-proxy, over TCP: DROPS drops at
# 0 ms and at 100 ms of added round trip; in ms and in round trips, against
# the bound the issue sets (4 round trips plus 300 ms).
#
#   DROPS=100 RTTS="0 100" sh test/bench/reconnect-bench.sh BUILD_DIR
. test/integration/lib.sh "$1"
DROPS=${DROPS:-100}
RTTS=${RTTS:-0 100}
port=$(free_port)
"$TELLY" serve --listen 127.0.0.1:$port 2>"$T/serve.err" &
pids="$pids $!"
wait_until 10 test -s "$TELLY_DIR/token"
echo "reconnect: time from the link's return to a key typed meanwhile shown ($DROPS drops each)"
n=0
for rtt in $RTTS; do
	n=$((n + 1))
	target=$port
	if [ "$rtt" != 0 ]; then
		target=$(free_port)
		"$B/bin/delay-proxy" tcp "$target" "$port" $((rtt / 2)) &
		pids="$pids $!"
	fi
	pport=$(free_port)
	rm -f "$T/ctl"
	mkfifo "$T/ctl"
	"$B/test/cut-proxy" "$pport" "$target" "$T/ctl" >"$T/proxy$n.log" 2>&1 &
	pids="$pids $!"
	wait_until 10 grep -q '^ready' "$T/proxy$n.log"
	"$B/bin/reconnect-bench" "$T/ctl" "$T/proxy$n.log" "$DROPS" "$rtt" -- "$TELLY" attach -e none --predict=never \
		--tcp 127.0.0.1:$pport --token-file "$TELLY_DIR/token" --create "rb$n" -- \
		sh -c 'stty raw -echo; echo READY; exec dd bs=1 2>/dev/null' 2>"$T/attach$n.err" ||
		fail "at $rtt ms: $(tail -n 3 "$T/attach$n.err")"
done
