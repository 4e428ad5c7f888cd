#!/bin/sh
# A reader of telly x's stdout that does not read (a stalled pipe, a
# terminal on ^S) holds none of the view, as ssh's client keeps its other
# channels going: the program's window is drawn while 2 MB of its output
# wait, the reader once it reads gets what was kept and a count of the
# bytes dropped (said once it has caught up, with nothing printed after
# them), telly kill ends it, and telly x's exit waits at most about 2 s for
# a reader that never reads. Before, the view blocked writing the output
# (a second a message): no window for minutes.
. test/integration/lib.sh "$1"
need_progs Xvfb xlogo xwininfo
start_xvfb 1024x768
on_desk() { xwininfo -root -tree | grep -q '"xlogo"'; }
dropped() { grep -q '\[[0-9]* bytes of output dropped\]$' "$T/x.out"; }

# The fifo held open here, so a reader may come and stop before it reads.
mkfifo "$T/f"
exec 3<>"$T/f"
sh -c 'kill -STOP $$; exec cat' <"$T/f" >"$T/x.out" 3>&- &
reader=$!
pids="$pids $reader"
"$TELLY" x -s st -- sh -c 'yes | head -c 2000000; exec xlogo -geometry 120x120+30+30' \
	>"$T/f" 2>"$T/x.err" 3>&- &
xpid=$!
pids="$pids $xpid"
wait_until 20 on_desk || fail "xlogo is not on the desk while the output waits: $(cat "$T/x.err")"
kill -CONT "$reader"
wait_until 20 dropped || fail "no count of dropped bytes: $(tail -c 200 "$T/x.out")"
grep -q '^y$' "$T/x.out" || fail "the output kept is not there"
# Every byte is there or counted, those the host let go too (its count
# goes with the next bytes: after the program's last, it went nowhere).
total() {
	awk '{ if (match($0, /\[[0-9]+ bytes of output dropped\]$/)) k += RSTART - 1 + substr($0, RSTART + 1)
	       else k += length($0) + 1 } END { print k }' "$T/x.out"
}
all_told() { [ "$(total)" = 2000000 ]; }
wait_until 10 all_told || fail "$(total) bytes printed or counted of 2000000"
"$TELLY" kill st || fail "telly kill failed"
wait "$xpid" || true
kill "$reader" 2>/dev/null

# A reader that never reads: telly x still exits with its program.
sh -c 'kill -STOP $$; exec cat' <"$T/f" >/dev/null 3>&- &
reader=$!
pids="$pids $reader"
t0=$(date +%s)
rc=0
"$TELLY" x -s st2 -- sh -c 'xlogo -geometry 50x50+10+10 & sleep 1; kill $!; yes | head -c 2000000; exit 3' \
	>"$T/f" 2>"$T/y.err" 3>&- || rc=$?
[ "$rc" = 3 ] || fail "telly x exited $rc, not its program's 3: $(cat "$T/y.err")"
[ $(( $(date +%s) - t0 )) -le 15 ] || fail "telly x took $(( $(date +%s) - t0 ))s to exit"
echo "ok: a stalled reader of telly x's output holds none of its view"
