#!/bin/sh
# make demo on a display (scripts/demo.sh with $DISPLAY): closing its
# window ends the demo with status 0, and with it the demo's daemon and
# sessions, and its runtime directory goes.
. test/integration/lib.sh "$1"
command -v Xvfb >/dev/null && command -v xdotool >/dev/null || { echo "no Xvfb/xdotool"; exit 77; }

start_xvfb

mkdir "$T/tmp"
TMPDIR=$T/tmp sh scripts/demo.sh "$B" >"$T/demo.log" 2>&1 &
dp=$!
pids="$pids $dp"
wait_until 20 sh -c "ls -d '$T'/tmp/telly-demo.* >/dev/null 2>&1"
dir=$(ls -d "$T"/tmp/telly-demo.*)
dirs="$dirs $dir"
wait_until 20 sh -c "xdotool search --name '^telly view$' >/dev/null"
wid=$(xdotool search --name '^telly view$' | head -n 1)
# Both sessions shown, and what they run.
wait_until 20 sh -c "[ \$(grep -c 'attached to' '$dir/serve.log') -ge 2 ]"
daemon=$(TELLY_DIR=$dir daemon_pid)
[ -n "$daemon" ] || fail "no daemon pid in $dir/serve.log"
kids=$(pgrep -P "$daemon")
[ -n "$kids" ] || fail "the daemon runs no sessions"

xdotool windowclose "$wid" || fail "windowclose"
# Ended: a zombie until waited for.
wait_until 20 sh -c "! ps -o stat= -p $dp | grep -q '^[^Z]'"
wait "$dp"
rc=$?
cat "$T/demo.log"
[ $rc -eq 0 ] || fail "the demo exited $rc"
wait_until 20 sh -c "! kill -0 $daemon 2>/dev/null"
for k in $kids; do
	wait_until 20 sh -c "! kill -0 $k 2>/dev/null"
done
[ ! -e "$dir" ] || fail "the demo left $dir"
echo "x11 demo: closing the window ends the demo, its daemon and sessions: ok"
