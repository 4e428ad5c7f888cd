#!/bin/sh
# telly x prints what its program prints, as ssh -X does: the program's
# stdout on telly x's stdout, its stderr on telly x's stderr, while the
# program runs (its window still up), the host's log getting it too; and
# what it printed just before it ended is printed before telly x exits
# with its status. Before, all of it went only to the host's log.
. test/integration/lib.sh "$1"
need_progs Xvfb xlogo xwininfo
start_xvfb 1024x768
on_desk() { xwininfo -root -tree | grep -q '"xlogo"'; }

"$TELLY" x -s po -- sh -c 'echo out; echo err >&2; exec xlogo -geometry 120x120+30+30' \
	>"$T/x.out" 2>"$T/x.err" &
xpid=$!
pids="$pids $xpid"
wait_until 20 on_desk || fail "xlogo is not on the desk: $(cat "$T/x.out" "$T/x.err")"
wait_until 10 grep -qx out "$T/x.out" || fail "telly x's stdout: '$(cat "$T/x.out")' (stderr: '$(cat "$T/x.err")')"
wait_until 10 grep -qx err "$T/x.err" || fail "telly x's stderr: '$(cat "$T/x.err")'"
grep -qx err "$T/x.out" && fail "stderr's line came on stdout"
grep -qx out "$T/x.err" && fail "stdout's line came on stderr"
log=$(find "$T" -name po.x11.log | sed 1q)
grep -qx out "$log" && grep -qx err "$log" || fail "the host's log lacks the output: $(cat "$log")"
"$TELLY" kill po || fail "telly kill failed"
wait "$xpid" || true

# Printed just before its end: on the terminal before telly x exits 3.
rc=0
"$TELLY" x -s po2 -- sh -c 'xlogo -geometry 50x50+10+10 & sleep 1; kill $!; echo last; echo gone >&2; exit 3' \
	>"$T/y.out" 2>"$T/y.err" || rc=$?
[ "$rc" = 3 ] || fail "telly x exited $rc, not its program's 3: $(cat "$T/y.err")"
grep -qx last "$T/y.out" || fail "the last line is not on stdout: '$(cat "$T/y.out")'"
grep -qx gone "$T/y.err" || fail "the last line is not on stderr: '$(cat "$T/y.err")'"
echo "ok: telly x prints its program's stdout and stderr"
