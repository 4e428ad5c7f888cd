#!/bin/sh
# A program that ends while the link is down: what telly x's program
# printed meanwhile and its status still reach telly x when the link
# comes back, as `ssh host prog` gives both on a link that holds. 100
# numbered lines one every 20 ms, the link cut after line 30 and back
# once the session has ended, twice: reset with dials refused, and
# silent with dials refused (the host learns of it from its heartbeat
# only after the end): every line once, in order, on telly x's stdout,
# and telly x exits with the program's 7. Before, the session's end
# freed the channel: the lines after the cut were only in the host's log.
. test/integration/lib.sh "$1"
need_progs Xvfb
start_xvfb 1024x768
. test/integration/reconnect.inc
serve_cut_x

ended_while_down() { # HOW NAME
	"$TELLY" x --tcp 127.0.0.1:$pport --token-file "$TELLY_DIR/token" -s "$2" -- \
		sh -c "$LINES_THEN_7" >"$T/x.out" 2>"$T/x.err" &
	xpid=$!
	pids="$pids $xpid"
	wait_until 20 sh -c "find '$T' -name $2.x11.log | grep -q ." || fail "no X session $2"
	ends_while_down "$(find "$T" -name "$2.x11.log" | sed 1q)" "$2" "$xpid" "$1"
	cmp -s "$T/x.out" "$T/want" || {
		diff "$T/want" "$T/x.out" | head -n 20
		fail "$1: the lines printed are not 0 to 99 once each, in order"
	}
	[ "$rc" = 7 ] || fail "$1: telly x exited $rc, not its program's 7"
	grep -q "resumed its channel on $2, which ended meanwhile" "$T/serve.err" || fail "$1: not resumed"
}
ended_while_down down xe
ended_while_down hold xh
echo "ok: telly x after a program that ended while the link was down: every line once, exit 7"
