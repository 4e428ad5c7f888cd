#!/bin/sh
# What telly x's program prints is not lost when the link drops, as mosh
# users expect: 200 numbered lines printed one every 50 ms over TCP
# through cut-proxy, the link down for a while (the lines printed then
# wait on the host), reset (lines in flight), and silent (only the
# heartbeats notice; what went into it is lost on the way): each line
# comes on telly x's stdout exactly once, in order, and telly x exits
# with its program's 0. Before, the lines printed while the link was
# down or in flight were only in the host's log: a gap.
. test/integration/lib.sh "$1"
need_progs Xvfb
start_xvfb 1024x768
. test/integration/reconnect.inc
serve_cut_x

# Its lines, then it waits to be told to end (so it never ends while the
# link is down, which is another matter: its session ends with it).
"$TELLY" x --tcp 127.0.0.1:$pport --token-file "$TELLY_DIR/token" -s xo -- \
	sh -c "i=1; while [ \$i -le 200 ]; do echo line \$i; i=\$((i + 1)); sleep 0.05; done
	       while [ ! -e $T/end ]; do sleep 0.05; done" >"$T/x.out" 2>"$T/x.err" &
xpid=$!
pids="$pids $xpid"
wait_until 20 sh -c "find '$T' -name xo.x11.log | grep -q ." || fail "no X session"
log=$(find "$T" -name xo.x11.log | sed 1q)
printed() { grep -qx "line $1" "$log"; }
resumes() { grep -c 'X session resumed' "$T/x.err"; }
more_resumes() { [ "$(resumes)" -gt "$1" ]; }

wait_until 20 printed 30 || fail "the program did not print"
wait_until 20 grep -qx 'line 30' "$T/x.out" || fail "telly x did not print its lines: $(cat "$T/x.out")"
# Down: refused for a while, the program printing on.
ctl down
wait_until 20 printed 60 || fail "the program stopped"
ctl up
wait_until 30 more_resumes 0 || fail "the view did not resume"
# Reset: what was on its way is lost with the connection.
wait_until 20 printed 100 || fail "the program stopped"
ctl cut
wait_until 30 more_resumes 1 || fail "the view did not resume after the reset"
# Silent: what goes into it goes nowhere; the view's heartbeat notices.
wait_until 20 printed 130 || fail "the program stopped"
ctl stall
wait_until 30 more_resumes 2 || fail "the view did not resume after the stall"
wait_until 30 printed 200 || fail "the program stopped"
wait_until 30 grep -qx 'line 200' "$T/x.out" || fail "line 200 never came: $(tail -n 3 "$T/x.out")"
: >"$T/end"
rc=0
wait "$xpid" || rc=$?
[ "$rc" = 0 ] || fail "telly x exited $rc"
seq 1 200 | sed 's/^/line /' >"$T/want"
cmp -s "$T/x.out" "$T/want" || {
	diff "$T/want" "$T/x.out" | head -n 20
	fail "the lines printed are not 1 to 200 once each, in order"
}
echo "ok: telly x's output across a link down, reset and silent: every line once, in order"
