#!/bin/sh
# A program started by `telly run` in an X session that lingers for the
# X clients its ended programs left (sh -c 'xlogo &') runs as long as it
# likes: the session counts its clients again only once that program
# ends. Before, the count asked while it ran was answered but not taken
# (a program ran), and 5 s later the session put its display down as one
# whose X server "did not say which clients remain": xclock was hung up
# and the session ended with xlogo still up.
. test/integration/lib.sh "$1"
need_progs Xvfb xlogo xclock
start_xvfb 1024x768

lingers() { grep -q "session $1: its programs ended; 1 X client of theirs remains" "$TELLY_DIR/serve.log"; }
listed() { "$TELLY" ls 2>/dev/null | grep -q "^$1:"; }

"$TELLY" new --x11 -s lr -- sh -c "xlogo -geometry 100x100+10+10 & echo \$! >'$T/xlogo.pid'; exit 0" \
	>"$T/new.out" 2>&1 || fail "telly new --x11 failed: $(cat "$T/new.out")"
wait_until 20 lingers lr || fail "the session did not stay for xlogo: $("$TELLY" ls 2>&1)"
"$TELLY" run lr -- xclock -geometry 100x100+200+10 || fail "telly run xclock failed"
wait_until 20 sh -c "grep -q 'session lr: started xclock' '$TELLY_DIR/serve.log'" ||
	fail "xclock was not started"
# What must not happen is the display put down about 6 s after the run
# (a count asked within a second, then 5 s for its answer): nothing to
# await but time.
sleep 8
grep -q "session lr: its X server did not say" "$TELLY_DIR/serve.log" &&
	fail "the display was put down while telly run's xclock ran: $(grep 'session lr' "$TELLY_DIR/serve.log")"
listed lr || fail "the session ended while telly run's xclock ran: $(grep 'session lr' "$TELLY_DIR/serve.log")"
"$TELLY" ls 2>&1 | grep "^lr:" | grep -q "X :[0-9]* xclock" ||
	fail "telly ls does not name xclock: $("$TELLY" ls 2>&1)"
# xclock ends: the session lingers again, for xlogo, and ends with it.
xp=$(sed -n 's/.*session lr: started xclock (pid \([0-9]*\)).*/\1/p' "$TELLY_DIR/serve.log")
[ -n "$xp" ] || fail "serve.log does not say xclock's pid"
kill "$xp"
wait_until 20 sh -c "'$TELLY' ls 2>&1 | grep '^lr:' | grep -q 'programs ended; 1 X client'" ||
	fail "the session does not linger for xlogo again: $("$TELLY" ls 2>&1)"
kill "$(cat "$T/xlogo.pid")"
wait_until 20 sh -c "! '$TELLY' ls 2>/dev/null | grep -q '^lr:'" ||
	fail "the session outlived its last X client: $("$TELLY" ls 2>&1)"
echo "ok: telly run in a lingering X session runs until it ends"
