#!/bin/sh
# An X session kept only by a copy its program left (xclip -i), for the
# desks that view it, is kept too while a view's link is down: the view
# may come back (its channel waits an hour for its RESUME), and it is
# still its copy. Before, a view whose link dropped counted as none, and
# the session went 5 s later with the copy, while telly x waited to
# resume it. telly x, resumed, still says the session ends with it on
# ^C, and it ends then. And with another view whose link is down, telly
# x's ^C says the session runs on (that view may come back); it ends
# when that view, back, leaves. Over TCP, the link cut by cut-proxy.
. test/integration/lib.sh "$1"
need_progs Xvfb xclip xprop
start_xvfb 1024x768
. test/integration/reconnect.inc
serve_cut_x
gone() { ! kill -0 "$1" 2>/dev/null; }
said() { grep -q "session $1: $2" "$T/serve.err"; }
listed() { "$TELLY" ls 2>/dev/null | grep -q "^$1:"; }
count() { grep -c "$1" "$T/serve.err"; }
more() { [ "$(count "$1")" -gt "$2" ]; }
# telly x -s NAME [OPTIONS] through PORT of a copy made once $T/go-NAME is there
copier() { # PORT NAME
	"$TELLY" x --tcp 127.0.0.1:$1 --token-file "$TELLY_DIR/token" -s "$2" -- \
		sh -c "until [ -e '$T/go-$2' ]; do sleep 0.05; done
			printf 'made there' | xclip -i -selection clipboard" >"$T/x.out" 2>"$T/x.err" &
	xpid=$!
	pids="$pids $xpid"
	wait_until 20 grep -q "connection [0-9]*: attached to $2\\( \\|\$\\)" "$T/serve.err" ||
		fail "telly x did not attach"
}
ended_with_view() { # NAME: telly x ($xpid) ^C'd says NAME ends with it, exits 0, and it ends
	kill -INT "$xpid"
	ends_after_view "$1"
}
ends_after_view() { # NAME: as ended_with_view, telly x already sent ^C
	wait_until 20 gone "$xpid" || fail "telly x did not end on ^C"
	rc=0
	wait "$xpid" || rc=$?
	grep -qx "telly x: $1 ends with this view: its programs ended and left only a copy (CLIPBOARD or PRIMARY), which goes with it" \
		"$T/x.err" || fail "telly x does not say the session ends with it"
	[ "$rc" = 0 ] || fail "telly x exited $rc, not its program's 0"
	wait_until 10 said "$1" "its programs ended; the X client of theirs that holds a copy kept it for its views, and the last one left" ||
		fail "the session did not end with its last view"
}

# 1. telly x's own link drops while the copy keeps the session.
copier "$pport" kc
touch "$T/go-kc"
wait_until 20 said kc "its programs ended; an X client of theirs holds a copy" ||
	fail "serve.log does not say the copy keeps the session"
ctl down
wait_until 10 grep -q 'lost; its channel on kc waits' "$T/serve.err" || fail "the link was not cut"
# Past the 5 s that would let go a client that shows no window.
wait_until 20 said kc "its programs ended; the X client of theirs that holds a copy stayed past 5 s" ||
	fail "the session was not kept for the view whose link is down: $(grep 'session kc' "$T/serve.err" | tail -n 2)"
listed kc || fail "the session went while its view's link was down"
n=$(count "resumed its channel on X session kc")
ctl up
wait_until 30 more "resumed its channel on X session kc" "$n" || fail "telly x did not resume"
ended_with_view kc
echo "a copy kept for a view whose link dropped: kept, and it ends with that view, resumed: ok"

# 2. telly x straight to the daemon, a read-only view through the proxy
# whose link drops: telly x's ^C leaves the session to that view.
copier "$port" kr
"$TELLY" view --tcp 127.0.0.1:$pport --token-file "$TELLY_DIR/token" --seamless -r --x11 kr \
	>"$T/ro.out" 2>&1 &
vpid=$!
pids="$pids $vpid"
wait_until 20 sh -c "[ \$(grep -c 'attached to kr (read-only)' '$T/serve.err') = 1 ]" ||
	fail "the read-only view did not attach"
touch "$T/go-kr"
wait_until 20 said kr "its programs ended; an X client of theirs holds a copy" ||
	fail "serve.log does not say the copy keeps the session"
lost=$(count 'lost; its channel on kr waits')
ctl down
wait_until 10 more 'lost; its channel on kr waits' "$lost" || fail "the link was not cut"
kill -INT "$xpid"
wait_until 20 gone "$xpid" || fail "telly x did not end on ^C"
rc=0
wait "$xpid" || rc=$?
grep -q "telly x: kr runs on: " "$T/x.err" ||
	fail "telly x does not say the session runs on for the view whose link is down: $(cat "$T/x.err")"
[ "$rc" = 130 ] || fail "telly x exited $rc, not 130"
wait_until 20 said kr "its programs ended; the X client of theirs that holds a copy stayed past 5 s" ||
	fail "the session was not kept for the view whose link is down"
listed kr || fail "the session went while a view's link was down"
n=$(count "resumed its channel on X session kr")
ctl up
wait_until 30 more "resumed its channel on X session kr" "$n" || fail "the read-only view did not resume"
kill -INT "$vpid"
wait_until 20 gone "$vpid" || fail "the read-only view did not end on ^C"
wait_until 10 said kr "its programs ended; the X client of theirs that holds a copy kept it for its views, and the last one left" ||
	fail "the session did not end with its last view"
echo "telly x left beside a view whose link was down: runs on, for that view, and ends with it: ok"

# 3. Another X client that shows no window is on the display as the
# last view leaves (as xkbcomp is while a resumed desk's keymap loads):
# the session waits for it, then ends as its view was told. Before, the
# copy, no longer kept for a view at that count, was then waited for as
# a client that shows no window since it took the copy, and the session
# went as one that "stayed 5 s".
copier "$port" kw
touch "$T/go-kw"
wait_until 20 said kw "its programs ended; an X client of theirs holds a copy" ||
	fail "serve.log does not say the copy keeps the session"
dpy=$(sed -n 's/.*session kw: X display \(:[0-9]*\) ready.*/\1/p' "$T/serve.err")
DISPLAY=$dpy XAUTHORITY=$TELLY_DIR/x11-kw.auth xprop -spy -root _NET_ACTIVE_WINDOW \
	>"$T/spy.out" 2>&1 &
spy=$!
pids="$pids $spy"
wait_until 10 test -s "$T/spy.out" || fail "xprop did not reach the session's display"
kill -INT "$xpid"
wait_until 10 said kw "its programs ended; 1 X client of theirs that shows no window remains" ||
	fail "the other client was not counted as the view left: $(grep 'session kw' "$T/serve.err" | tail -n 2)"
kill "$spy"
ends_after_view kw
said kw "its programs ended; 1 X client of theirs that shows no window stayed" &&
	fail "the session went as though it waited for the copy"
echo "a client that shows no window as the last view leaves: waited for, then it ends with the view: ok"
