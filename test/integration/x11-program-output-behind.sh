#!/bin/sh
# A telly x that falls behind (stopped while its program prints 1.3 MB,
# so the host's queue for it fills, and a window then comes) gets each
# byte of the output once: its --stats count of the XOUTPUT bytes that
# came equals what the program printed, none of them again. Before, the
# host sent again, once the desk had caught up, all the output queued
# since its queue was last empty (XOUTPUT is never dropped from it): up
# to a queue's worth more at each fall-behind, which the desk skipped.
. test/integration/lib.sh "$1"
need_progs Xvfb xlogo xwininfo
start_xvfb 1024x768
XPROBE=$B/test/xprobe
SOCK=$TELLY_DIR/serve.sock
BYTES=1300000
on_desk() { xwininfo -root -tree | grep -q "\"$1\""; }

mkfifo "$T/go"
exec 3<>"$T/go"
"$TELLY" x --stats -s ob -- sh -c "xlogo -geometry 60x60+10+10 & read go <'$T/go'
	yes | head -c $BYTES; exec xlogo -title second -geometry 60x60+100+10" \
	>"$T/x.out" 2>"$T/x.err" 3>&- &
xpid=$!
pids="$pids $xpid"
wait_until 20 on_desk xlogo || fail "xlogo is not on the desk: $(cat "$T/x.err")"
kill -STOP "$xpid"
# A second desk, which reads: once it has the second window, the host has
# sent it to the stopped desk too, past its full queue.
mkdir -p "$T/p"
mkfifo "$T/p/cmd"
"$XPROBE" "$SOCK" ob "$T/p" <"$T/p/cmd" >"$T/p/out" 2>"$T/p/err" &
pids="$pids $!"
exec 4>"$T/p/cmd"
echo go >&3
second() { grep -q " second$" "$T/p/windows" 2>/dev/null; }
wait_until 20 second || { kill -CONT "$xpid"; fail "no second window: $(cat "$T/p/err")"; }
kill -CONT "$xpid"
wait_until 20 on_desk second || fail "the second window is not on the desk: $(cat "$T/x.err")"
printed() { [ "$(wc -c <"$T/x.out")" -ge $BYTES ]; }
wait_until 20 printed || fail "$(wc -c <"$T/x.out") bytes printed of $BYTES"
echo quit >&4
"$TELLY" kill ob || fail "telly kill failed"
wait "$xpid" || true
[ "$(wc -c <"$T/x.out")" = $BYTES ] || fail "$(wc -c <"$T/x.out") bytes printed, not $BYTES"
grep -q "output: $BYTES bytes came, 0 of them again" "$T/x.err" ||
	fail "not each byte once: $(grep 'bytes came' "$T/x.err")"
echo "ok: telly x that fell behind got its program's output once"
