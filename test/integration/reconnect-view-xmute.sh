#!/bin/sh
# telly view of an X session alone, after a redial that reaches a daemon
# which greets (HELLO) and then answers nothing: the X session's RESUME
# gets no answer. The view gives that answer a deadline (a few measured
# round trips, within rp_link_answer_ms's bounds), says so, takes the
# link for lost and redials; it never says the link is back while no
# answer came. Once the daemon answers again, keys typed meanwhile reach
# the xterm once each and in order. Over TCP through cut-proxy ("mute":
# the open connection stalls, and new ones carry the daemon's HELLO and
# then nothing).
. test/integration/lib.sh "$1"
command -v xterm >/dev/null || { echo "no xterm"; exit 77; }
. test/integration/viewlink.inc
serve "$T/serve.err"
link_proxy "$T/gate"
fail() { view_fail "$@"; }

tl new --x11 -s xs -- xterm -T xtest -geometry 40x8+100+80 -e sh -c "exec cat >$T/typed" ||
	fail "new --x11"
wait_until 20 sh -c "\"$TELLY\" ls | grep -q 'window .*\"xtest\"'"

cat >"$T/in" <<EOF2
wait-window "xtest" 30
type "before\n"
wait-update 30
$(gate_in)
type "during one\n"
type "during two\n"
wait-update 90
EOF2
tl view --headless --x11 xs --input "$T/in" >"$T/legend" 2>"$T/view.err" &
vpid=$!
pids="$pids $vpid"
wait_until 30 grep -qs before "$T/typed" || fail "'before' never reached the xterm"
at_gate
ctl mute
wait_until 10 grep -q '^mute' "$T/proxy.log"
timeout 60 cat "$T/gate" >/dev/null || fail "the view never reached its gate"
# The heartbeat drops the stalled connection; each redial after it gets
# a HELLO and no answer to RESUME. Two of them timed out: it goes on
# redialing rather than waiting forever.
wait_until 60 sh -c "[ \$(grep -c 'no answer to RESUME' '$T/view.err') -ge 2 ]" ||
	fail "the view never gave up a RESUME that got no answer"
sed -n '/the link is down/,$p' "$T/view.err" | grep -q "the link is back" &&
	fail "the view said the link was back while its RESUME had no answer"
grep -qs during "$T/typed" && fail "'during' reached the xterm through a muted link"
ctl up
wait_until 10 grep -q '^up' "$T/proxy.log"
wait_until 60 grep -qs two "$T/typed" || fail "'during' never reached the xterm"
wait "$vpid" || fail "the view failed"
printf 'before\nduring one\nduring two\n' >"$T/want"
cmp -s "$T/typed" "$T/want" || {
	echo "--- typed:"
	cat "$T/typed"
	fail "the X window did not get every line once, in order"
}
grep -q "X session resumed" "$T/view.err" || fail "the view did not say the X session resumed"
grep -q "the link is back" "$T/view.err" || fail "the view did not say the link was back"
echo "an unanswered X RESUME timed out and was redialed; the keys arrived once, in order"
