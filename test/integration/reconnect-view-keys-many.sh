#!/bin/sh
# Keys typed into a terminal window while the link is down, more INPUT
# frames than the connection's send queue holds (4500 keys, one frame
# each; the queue 4096 frames): once resumed, every one arrives. Over
# TCP through cut-proxy; the view headless, held at gates (FIFOs as
# screenshot files) while the link is down.
. test/integration/lib.sh "$1"
. test/integration/viewlink.inc
N=4500
serve "$T/serve.err"
link_proxy "$T/gate1" "$T/gate2"
fail() { view_fail "$@"; }
"$TELLY" new -s kt -- sh -c "stty raw -echo; echo ready; exec cat >$T/typed" >/dev/null || fail new
{
	echo 'wait "ready" 20'
	echo "screenshot $T/a.png"
	echo "screenshot $T/gate1"
	echo 'wait-window "link down" 30'
	type_each x $N
	echo 'type "y"'
	echo "screenshot $T/gate2"
	echo 'wait-window "kt" 120'
} >"$T/in"
typed_while_down 120
ctl up
wait_until 60 grep -q y "$T/typed" || fail "the last key never came"
n=$(tr -cd x <"$T/typed" | wc -c)
[ "$n" -eq "$N" ] || fail "$n of $N keys arrived"
echo "ok: $N keys typed while down all arrived"
