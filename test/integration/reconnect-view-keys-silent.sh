#!/bin/sh
# Keys typed into a terminal window faster than the connection's send
# queue (4096 frames) drains, one frame each: every one arrives, in order.
# First on a working link (the view's script types them all before its
# loop writes any), then on a link gone silent that the view has not yet
# found dead (cut-proxy's stall: nothing flows, no error): the keys wait in
# the channel's log, and once the view redials and resumes, they arrive.
# Before, the queue's 4097th frame failed and the view gave up ("the
# server is not reading input"). Over TCP; the view headless, held at
# gates (FIFOs as screenshot files).
. test/integration/lib.sh "$1"
. test/integration/viewlink.inc
N=4500
serve "$T/serve.err"
link_proxy "$T/gate2" "$T/gate3"
fail() { view_fail "$* (typed: $(wc -c <"$T/typed") bytes, $(tr -cd a <"$T/typed" | wc -c) a)"; }
# The program says "phase1-ok" once the test has seen the first keys.
"$TELLY" new -s kt -- sh -c "stty raw -echo; echo ready; exec 3<&0; cat <&3 >$T/typed & while [ ! -e $T/phase1 ]; do sleep 0.05; done; echo phase1-ok; wait" >/dev/null || fail new
{
	echo 'wait "ready" 20'
	echo "screenshot $T/a.png"
	type_each a $N
	echo 'type "b"'
	echo 'wait "phase1-ok" 90'
	echo "screenshot $T/p1.png"
	echo "screenshot $T/gate2"
	type_each x $N
	echo 'type "y"'
	echo "screenshot $T/gate3"
	echo 'wait-window "kt" 120'
} >"$T/in"
view_start
wait_until 30 grep -q a.png "$T/legend" || fail "the terminal never showed"
wait_until 60 grep -q b "$T/typed" || fail "the working link's last key never came ($(tail -n 1 "$T/view.err"))"
n=$(tr -cd a <"$T/typed" | wc -c)
[ "$n" -eq "$N" ] || fail "on a working link, $n of $N keys arrived"
echo "ok: $N keys typed at once on a working link all arrived"

: >"$T/phase1"
wait_until 60 grep -q p1.png "$T/legend" || fail "phase1-ok never showed"
# The link goes silent; the view types before its heartbeat notices.
ctl stall
wait_until 10 grep -q '^stall' "$T/proxy.log"
timeout 30 cat "$T/gate2" >/dev/null || fail "gate2"
timeout 120 cat "$T/gate3" >/dev/null || fail "typing: the view ended ($(tail -n 1 "$T/view.err"))"
wait_until 90 grep -q y "$T/typed" || fail "the last key never came"
kill -0 $vpid 2>/dev/null || fail "the view ended"
n=$(tr -cd x <"$T/typed" | wc -c)
[ "$n" -eq "$N" ] || fail "$n of $N keys typed on a silent link arrived"
[ "$(tr -d a <"$T/typed")" = "b$(head -c $N /dev/zero | tr '\0' x)y" ] || fail "keys out of order"
echo "ok: $N keys typed on a silent link, before the view noticed, all arrived in order"
