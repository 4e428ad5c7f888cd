#!/bin/sh
# X keys typed while the link is down, more frames than the connection's
# send queue holds (2500 characters: 5000 key events, the queue 4096
# frames): once resumed, every one arrives, in order, and then "after".
# Over TCP through cut-proxy; the view headless, held at gates (FIFOs as
# screenshot files) while the link is down.
. test/integration/lib.sh "$1"
command -v xterm >/dev/null || { echo "no xterm"; exit 77; }
N=2500
. test/integration/viewlink.inc
serve "$T/serve.err"
link_proxy "$T/gate" "$T/gate2"
fail() { view_fail "$@"; }
xterm_session 80x8+10+10 -e sh -c "exec cat >$T/typed"
chunk=$(head -c 100 /dev/zero | tr '\0' 'x')
{
	echo 'wait-window "xtest" 30'
	printf '%s\n' 'type "before\n"'
	echo 'wait-update 30'
	gate_in
	i=0
	while [ $i -lt $((N / 100)) ]; do
		echo "type \"$chunk\""
		i=$((i + 1))
	done
	printf '%s\n' 'type "\n"'
	echo "screenshot $T/gate2"
	echo 'wait-window "xtest" 120'
	printf '%s\n' 'type "after\n"'
	echo 'wait-update 60'
} >"$T/in"
view_start --x11 xs
wait_until 30 grep -qs before "$T/typed" || fail before
at_gate
ctl down
timeout 30 cat "$T/gate" >/dev/null || fail "the view never passed its gate"
timeout 120 cat "$T/gate2" >/dev/null || fail "typing"
ctl up
wait "$vpid" || fail "view failed"
wait_until 60 grep -q after "$T/typed" || fail "'after' never came"
awk '{ print NR": "length($0) }' "$T/typed"
[ "$(sed -n 2p "$T/typed" | tr -d '\r' | wc -c)" -eq $((N + 1)) ] || fail "the long line is not whole"
echo "ok: $N characters typed while down all arrived"
