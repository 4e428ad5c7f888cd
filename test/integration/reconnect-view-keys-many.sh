#!/bin/sh
# Keys typed into a terminal window while the link is down, more INPUT
# frames than the connection's send queue holds (4500 keys, one frame
# each; the queue 4096 frames): once resumed, every one arrives. Over
# TCP through cut-proxy; the view headless, held at gates (FIFOs as
# screenshot files) while the link is down.
. test/integration/lib.sh "$1"
. test/integration/reconnect.inc
N=4500
port=$(free_port)
"$TELLY" serve --listen 127.0.0.1:$port 2>"$T/serve.err" &
pids="$pids $!"
wait_until 10 grep -q "serving on" "$T/serve.err"
proxy_start "$port"
mkfifo "$T/gate1" "$T/gate2"
fail() {
	echo "FAIL: $*"
	echo "--- view:"
	tail -n 20 "$T/view.err"
	exit 1
}
"$TELLY" new -s kt -- sh -c "stty raw -echo; echo ready; exec cat >$T/typed" >/dev/null || fail new
{
	echo 'wait "ready" 20'
	echo "screenshot $T/a.png"
	echo "screenshot $T/gate1"
	echo 'wait-window "link down" 30'
	i=0
	while [ $i -lt $N ]; do
		echo 'type "x"'
		i=$((i + 1))
	done
	echo 'type "y"'
	echo "screenshot $T/gate2"
	echo 'wait-window "kt" 120'
} >"$T/in"
"$TELLY" view --headless --tcp 127.0.0.1:$pport --token-file "$TELLY_DIR/token" --input "$T/in" \
	>"$T/legend" 2>"$T/view.err" &
vpid=$!
pids="$pids $vpid"
wait_until 30 grep -q a.png "$T/legend" || fail "the terminal never showed"
ctl down
timeout 30 cat "$T/gate1" >/dev/null || fail "gate1"
timeout 120 cat "$T/gate2" >/dev/null || fail "typing"
ctl up
wait_until 60 grep -q y "$T/typed" || fail "the last key never came"
n=$(tr -cd x <"$T/typed" | wc -c)
[ "$n" -eq "$N" ] || fail "$n of $N keys arrived"
echo "ok: $N keys typed while down all arrived"
