#!/bin/sh
# The daemon killed with SIGKILL (no chance to clean up): its X sessions'
# servers end with it (they are started to die with their parent), and
# the programs in them lose their display and end too. Nothing is left
# running that nobody can reach.
. test/integration/lib.sh "$1"
need_progs Xvfb xterm

"$TELLY" new --x11 -s x -- xterm -T orphan >/dev/null || fail "telly new --x11"
wait_until 20 grep -q "session x: started xterm" "$TELLY_DIR/serve.log"
xpid=$(sed -n 's/.*session x started: an X display (X[a-z]* pid \([0-9]*\)).*/\1/p' "$TELLY_DIR/serve.log")
tpid=$(sed -n 's/.*session x: started xterm (pid \([0-9]*\)).*/\1/p' "$TELLY_DIR/serve.log")
[ -n "$xpid" ] && [ -n "$tpid" ] || fail "serve.log names no Xvfb or xterm"
kill -0 "$xpid" && kill -0 "$tpid" || fail "Xvfb or xterm is not running"
kill -9 "$(daemon_pid)"
wait_until 20 daemon_gone
wait_until 20 sh -c "! kill -0 $xpid 2>/dev/null"
wait_until 20 sh -c "! kill -0 $tpid 2>/dev/null"
echo "x11 daemon killed: Xvfb and xterm ended with it"
